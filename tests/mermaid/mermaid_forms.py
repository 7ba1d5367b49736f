"""Mermaid diagrams as a course writes them, generated: label kinds x edge kinds x shapes x
diagram kinds, each label written the way mermaid's syntax asks for in its slot.

    corpus(seed, count)    `count` diagrams (name -> source); every label kind, edge kind,
                           shape and diagram kind appears, in varying combinations
    REFUSED                forms that mermaid's own parser refuses in every version from
                           8.10 (the one zenn-embed-elements loaded) to 12.4, so that Zenn
                           cannot draw them either: they become located warnings

`LABELS` maps a label kind to its text. `bare` is False for text that mermaid reads as
syntax unless quoted (brackets, parentheses, double quotes): the generator quotes those,
as mermaid's documentation says to (`A["x[i]"]`; a double quote inside is `#quot;`).
"""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    text: str
    bare: bool = True            # may stand unquoted in a node or edge label
    ascii: bool = False          # only ASCII (sankey's parser accepts nothing else)


LABELS = {
    "japanese": Label("学習を実行"),
    "mixed": Label("GPU で推論 v2"),
    "subscript": Label("x₀ から xₜ へ"),
    "superscript": Label("x² と 10⁻³"),
    "sub-sup-digits": Label("₀₁₂₃ ⁰¹²³"),
    "br": Label("一行目<br>二行目"),
    "br-slash": Label("上<br/>下"),
    "br-space": Label("左<br />右"),
    "emoji": Label("🚀 開始"),
    "emoji-vs16": Label("⚠️ 注意"),
    "emoji-zwj": Label("👩‍💻 実装"),
    "emoji-flag": Label("🇯🇵 日本"),
    "emoji-keycap": Label("1️⃣ 手順"),
    "math-symbols": Label("∑ ∇ ≤ ∈ →"),
    "fullwidth": Label("（全角）：値"),
    "corner-quotes": Label("「引用」"),
    "accents": Label("café naïve"),
    "ampersand": Label("A & B"),
    "brackets": Label("配列 x[i]", bare=False),
    "parentheses": Label("関数 f(x)", bare=False),
    "double-quotes": Label('"quoted" 語', bare=False),
    "braces": Label("集合 {a, b}", bare=False),
    "ascii": Label("load data", ascii=True),
}

EDGES_WITH_TEXT = ("-->|{t}|", "-- {t} -->", "-. {t} .->", "== {t} ==>", "-.{t}.->", "---|{t}|",
                   "<-->|{t}|", "--o|{t}|", "--x|{t}|")
EDGES_PLAIN = ("-->", "---", "-.->", "==>", "--o", "--x", "<-->", "~~~", "--->", "-.-", "===", "o--o")
SHAPES = ("[{t}]", "({t})", "([{t}])", "[[{t}]]", "[({t})]", "(({t}))", ">{t}]", "{{{t}}}",
          "{{{{{t}}}}}", "[/{t}/]", "[\\{t}\\]", "[/{t}\\]", "((({t})))")


def quoted(label: Label) -> str:
    return '"' + label.text.replace('"', "#quot;") + '"'


def node_text(label: Label, rng: random.Random) -> str:
    """Bare when mermaid allows it (half the time), else quoted."""
    return label.text if label.bare and rng.random() < 0.5 else quoted(label)


def edge_text(edge: str, label: Label) -> str:
    # Pipes take a quoted string; the inline forms (-- t -->) only bare text.
    if "|" in edge:
        return edge.format(t=quoted(label) if not label.bare else label.text)
    return edge.format(t=label.text)


def flowchart(rng: random.Random, labels: list[str], n: int = 0) -> str:
    """Edges in turn over all edge kinds: three flowcharts of 8 labels use every one."""
    edges = EDGES_WITH_TEXT + EDGES_PLAIN
    lines = [f"{rng.choice(['flowchart', 'graph'])} {rng.choice(['TD', 'LR', 'BT', 'RL'])}"]
    for i, name in enumerate(labels):
        shape = SHAPES[(n * len(labels) + i) % len(SHAPES)]
        lines.append(f"  N{i}{shape.format(t=node_text(LABELS[name], rng))}")
    for i in range(1, len(labels)):
        edge = edges[(n * (len(labels) - 1) + i - 1) % len(edges)]
        label = LABELS[labels[i]]
        if edge in EDGES_WITH_TEXT:
            arrow = edge_text(edge if label.bare or "|" in edge else "-->|{t}|", label)
        else:
            arrow = edge
        lines.append(f"  N{rng.randrange(i)} {arrow} N{i}")
    if len(labels) > 3:
        lines += [f"  subgraph S1[{quoted(LABELS[labels[0]])}]", "    N1", "    N2", "  end"]
    return "\n".join(lines)


def sequence(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["sequenceDiagram", f"  participant A as {LABELS[labels[0]].text}", "  participant B as サーバ"]
    for name in labels:
        # `;` ends a statement and `#` starts an entity code in a message: kinds avoid them.
        lines.append(f"  {rng.choice(['A->>B', 'B-->>A', 'A-)B', 'A-xB'])}: {LABELS[name].text}")
    lines.append(f"  Note over A,B: {LABELS[rng.choice(labels)].text}")
    return "\n".join(lines)


def class_diagram(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["classDiagram"]
    for i, name in enumerate(labels):
        lines += [f"  class C{i}[{quoted(LABELS[name])}] {{", f"    +{LABELS[name].text.split()[0]}: int",
                  "    +実行() bool", "  }"]
    for i in range(1, len(labels)):
        lines.append(f"  C{rng.randrange(i)} {rng.choice(['<|--', '*--', 'o--', '-->', '..>'])} C{i} : "
                     f"{LABELS[labels[i]].text}")
    return "\n".join(lines)


def state(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["stateDiagram-v2"] + [f"  state {quoted(LABELS[n])} as S{i}" for i, n in enumerate(labels)]
    lines.append("  [*] --> S0")
    for i in range(1, len(labels)):
        lines.append(f"  S{rng.randrange(i)} --> S{i}: {LABELS[labels[i]].text}")
    lines += [f"  note right of S0: {LABELS[labels[-1]].text}", f"  S{len(labels) - 1} --> [*]"]
    return "\n".join(lines)


def er(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["erDiagram"]
    for i in range(1, len(labels)):
        lines.append(f"  E{rng.randrange(i)} ||--o{{ E{i} : {quoted(LABELS[labels[i]])}")
    lines += ["  E0 {", f"    string name {quoted(LABELS[labels[0]])}", "    int id PK", "  }"]
    return "\n".join(lines)


def gantt(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["gantt", f"  title {LABELS[labels[0]].text}", "  dateFormat YYYY-MM-DD",
             f"  section {LABELS[labels[-1]].text}"]
    for i, name in enumerate(labels):
        lines.append(f"  {LABELS[name].text} :t{i}, 2024-01-{i + 1:02d}, {rng.randint(1, 9)}d")
    return "\n".join(lines)


def pie(rng: random.Random, labels: list[str], n: int = 0) -> str:
    return "\n".join([f"pie title {LABELS[labels[0]].text}"]
                     + [f'  {quoted(LABELS[n])} : {rng.randint(1, 50)}' for n in labels])


def mindmap(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["mindmap", f"  root(({quoted(LABELS[labels[0]])}))"]
    for i, name in enumerate(labels[1:]):
        depth = 4 + 2 * (i % 2)
        lines.append(" " * depth + f"m{i}[{quoted(LABELS[name])}]")
    return "\n".join(lines)


def timeline(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["timeline", f"  title {LABELS[labels[0]].text}", f"  section {LABELS[labels[-1]].text}"]
    lines += [f"    {2000 + i} : {LABELS[n].text}" for i, n in enumerate(labels)]
    return "\n".join(lines)


def quadrant(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["quadrantChart", f"  title {LABELS[labels[0]].text}", "  x-axis 低速 --> 高速",
             "  y-axis 低品質 --> 高品質", "  quadrant-1 理想", "  quadrant-2 遅い"]
    lines += [f"  {quoted(LABELS[n])}: [{rng.randint(1, 99) / 100}, {rng.randint(1, 99) / 100}]" for n in labels]
    return "\n".join(lines)


def xychart(rng: random.Random, labels: list[str], n: int = 0) -> str:
    xs = ", ".join(quoted(LABELS[n]) for n in labels)
    values = ", ".join(str(rng.randint(1, 99)) for _ in labels)
    return "\n".join(["xychart-beta", f"  title {quoted(LABELS[labels[0]])}", f"  x-axis [{xs}]",
                      f"  y-axis {quoted(LABELS[labels[-1]])} 0 --> 100", f"  bar [{values}]",
                      f"  line [{values}]"])


def sankey(rng: random.Random, labels: list[str], n: int = 0) -> str:
    words = ["input", "train", "eval", "store", "serve", "log"]
    rows = [f"{words[i % 6]}{i},{words[(i + 1) % 6]}{i + 1},{rng.randint(1, 20)}" for i in range(len(labels))]
    return "\n".join(["sankey-beta", "", *rows, '"a, b",output,3'])


def block(rng: random.Random, labels: list[str], n: int = 0) -> str:
    lines = ["block-beta", "  columns 3"]
    lines += [f"  b{i}[{quoted(LABELS[n])}]" for i, n in enumerate(labels)]
    lines += [f"  b0 --> b{len(labels) - 1}"]
    return "\n".join(lines)


KINDS = {"flowchart": flowchart, "sequence": sequence, "class": class_diagram, "state": state,
         "er": er, "gantt": gantt, "pie": pie, "mindmap": mindmap, "timeline": timeline,
         "quadrant": quadrant, "xychart": xychart, "sankey": sankey, "block": block}


PER_DIAGRAM = 8                  # labels in one diagram: 3 diagrams of a kind use them all


def corpus(seed: int = 7, count: int = 3 * len(KINDS)) -> dict[str, str]:
    """`count` diagrams, kinds in turn; with 3 of a kind, every kind uses every label kind."""
    rng = random.Random(seed)
    names = list(LABELS)
    out: dict[str, str] = {}
    kinds = list(KINDS)
    for n in range(count):
        kind = kinds[n % len(kinds)]
        start = (n // len(kinds)) * PER_DIAGRAM % len(names)
        chosen = [names[(start + j) % len(names)] for j in range(PER_DIAGRAM)]
        rng.shuffle(chosen)
        out[f"{n:03d}-{kind}"] = KINDS[kind](rng, chosen, n // len(kinds))
    return out


# Forms mermaid itself refuses (checked with mermaid 8.10.2, 9.4.3, 10.9.3, 11.17.2 and
# 12.4.0), so Zenn draws none of them: name -> (source, what the author should do).
REFUSED = {
    "brackets-unquoted": ("flowchart LR\n  A[配列 x[i]] --> B", "quote"),
    "parentheses-unquoted": ("flowchart LR\n  A[関数 f(x)] --> B", "quote"),
    "double-quotes-unquoted": ('flowchart LR\n  A[say "hi"] --> B', "quote"),
    "pipe-text-parentheses": ("flowchart LR\n  A -->|f(x)| B", "quote"),
    "dotted-text-quotes": ('flowchart LR\n  A -.say "hi".-> B', "quote"),
    "subscript-node-id": ("flowchart LR\n  x₀ --> x₁", "node id"),
    "sankey-japanese": ("sankey-beta\n\n開始,終了,10", "sankey"),
    "sequence-semicolon": ("sequenceDiagram\n  A->>B: a; b", "semicolon"),
    "unknown-kind": ("flowchar TD\n  A --> B", "kind"),
}
# And one Zenn draws but a book cannot: an image a diagram would fetch from the web.
REFUSED["web-image"] = ('flowchart LR\n  A@{ img: "https://example.com/a.png", label: "画像" }', "image")
