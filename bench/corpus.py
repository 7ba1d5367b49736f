r"""A synthetic Zenn course, shaped like the real one, for benchmarks and load tests.

    .venv/bin/python bench/corpus.py OUT_DIR [--lines 200000] [--seed 0]

make_corpus(folder, lines=200_000, seed=0) writes ~114 articles (two parts per lecture) and a
book.yaml. At 200,000 lines it holds what the product doc measured in the real course:
~800 :::message boxes, ~880 :::details, ~775 @[card] lines (arXiv and DOI), ~400 mermaid
diagrams, ~7,000 lines of $$ display math, ~1,260 Julia / ~600 Python / ~190 Rust / ~85 Elixir
code blocks (many with a file name in the info string), emoji headings, footnotes numbered
afresh in every article, wide tables, `---` rules between paragraphs. Smaller `lines` scale
every count down. All text is made here from our own word lists; the same seed gives the same
bytes.

It also holds what the real course writes and a clean book would not: formulas KaTeX draws
and LaTeX refuses (`\sigma_\max`, `\\{ \\}` sets in inline math, `_` inside `\text{}`, `\tag`
in an aligned block, `align` at the top), `$$` blocks right under a text line (`**目標**:`),
mathematical letters, sub- and superscripts, arrows and box drawing in code, emoji in table
cells, units such as `Å²`, and long unbreakable identifiers and URLs in prose and inline code.
"""
from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FULL_LINES = 200_000
FULL = {                     # counts in the real course at FULL_LINES lines
    "articles": 114, "message": 800, "details": 880, "card": 775, "mermaid": 400,
    "math_lines": 7000, "julia": 1260, "python": 600, "rust": 190, "elixir": 85,
    "table": 230, "rule": 600, "katex_only": 300, "long_words": 300,
}
UNICODE_CODE_SHARE = 0.2     # Julia and Rust blocks that name things with mathematical letters
EMOJI_TABLE_SHARE = 0.25     # tables that rate with emoji (⭐⭐⭐) and give units (Å²)
UNDER_TEXT_SHARE = 0.8       # the real course: 1,165 of its $$ blocks sit right under a text line
CODE_KINDS = ("julia", "python", "rust", "elixir")

NOUNS = ["潜在変数", "尤度", "事前分布", "事後分布", "勾配", "損失関数", "サンプル", "エンコーダ", "デコーダ",
         "拡散過程", "逆過程", "スコア関数", "変分下界", "正規化定数", "確率密度", "期待値", "分散", "共分散行列",
         "重み", "バッチ", "学習率", "最適化", "ノイズ", "データ分布", "生成モデル", "識別器", "生成器",
         "埋め込み", "注意機構", "トークン", "時刻", "ステップ幅", "ヤコビアン", "対数行列式", "速度場"]
VERBS = ["最小化する", "最大化する", "近似する", "推定する", "計算する", "分解する", "書き換える",
         "評価する", "導く", "比較する", "確かめる", "学習する", "標本化する", "積分する"]
OPENERS = ["ここで", "まず", "次に", "つまり", "一方で", "実際には", "直感的には", "結果として", "例えば", "最後に"]
ENDINGS = ["ことが分かる。", "のが自然だ。", "と考えてよい。", "点に注意したい。", "のが本節の狙いだ。",
           "ことになる。", "のは難しくない。", "と見通しが良い。"]
EMOJI = ["🧮", "📐", "🔥", "🚀", "🧠", "📊", "🔍", "💡", "🧪", "⚙️", "📈", "🎯", "🧩", "📝", "🌀", "✅"]
SYMBOLS = ["x", "y", "z", "\\theta", "\\phi", "\\mu", "\\sigma", "t", "\\epsilon", "\\lambda"]
IDENTS = ["model", "encoder", "decoder", "loss", "batch", "params", "grad", "state", "sampler", "scheduler",
          "noise", "latent", "score", "velocity", "weights", "optimizer", "dataset", "logits"]


@dataclass
class Article:
    lines: list[str] = field(default_factory=list)
    notes: int = 0
    messages: int = 0            # :::message boxes written so far (nested ones too)
    math_lines: int = 0          # $$ lines written so far (inside details too)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)
        self.lines.append("")


# -- words --------------------------------------------------------------------------------

def sentence(rng: random.Random, notes: Article | None = None) -> str:
    a, b = rng.sample(NOUNS, 2)
    text = f"{rng.choice(OPENERS)}、{a}を用いて{b}を{rng.choice(VERBS)}{rng.choice(ENDINGS)}"
    if rng.random() < 0.25:
        text = text.replace("を用いて", f"（${rng.choice(SYMBOLS)}_{{{rng.randint(1, 9)}}}$）を用いて", 1)
    if notes is not None and rng.random() < 0.02:
        notes.notes += 1
        text = text[:-1] + f"[^{notes.notes}]。"
    return text


def paragraph(rng: random.Random, article: Article) -> list[str]:
    """2-5 lines; every newline inside a Zenn paragraph is a line break."""
    return [sentence(rng, article) for _ in range(rng.randint(2, 5))]


def heading(rng: random.Random, level: int) -> str:
    return f"{'#' * level} {rng.choice(EMOJI)} {rng.choice(NOUNS)}と{rng.choice(NOUNS)}"


# -- blocks -------------------------------------------------------------------------------

def display_math(rng: random.Random) -> list[str]:
    """A $$ block of 3 to 8 lines (delimiters included)."""
    s, t = rng.sample(SYMBOLS, 2)
    forms = [
        [f"\\mathcal{{L}}({s}) = \\mathbb{{E}}_{{q({t} \\mid {s})}}\\left[\\log p({s} \\mid {t})\\right]"
         f" - D_{{\\mathrm{{KL}}}}\\left(q({t} \\mid {s}) \\,\\|\\, p({t})\\right)"],
        ["\\begin{aligned}", f"{t}_{{k+1}} &= {t}_k - \\eta \\nabla_{{{t}}} \\mathcal{{L}}({t}_k) \\\\",
         f"&= {t}_k - \\eta \\sum_{{i=1}}^{{N}} \\frac{{\\partial \\ell_i}}{{\\partial {t}}}", "\\end{aligned}"],
        [f"p({s}) = \\int p({s} \\mid {t})\\, p({t})\\, \\mathrm{{d}}{t}"],
        [f"\\Sigma = \\begin{{pmatrix}} {s}_{{11}} & {s}_{{12}} \\\\ {s}_{{21}} & {s}_{{22}} \\end{{pmatrix}}"],
        ["\\begin{aligned}", f"\\mathrm{{d}}{s}_t &= f({s}_t, t)\\,\\mathrm{{d}}t + g(t)\\,\\mathrm{{d}}w_t \\\\",
         f"\\mathrm{{d}}{s}_t &= \\left[f({s}_t, t) - g(t)^2 \\nabla_{{{s}}} \\log p_t({s}_t)\\right]\\mathrm{{d}}t"
         " + g(t)\\,\\mathrm{d}\\bar{w}_t", f"\\end{{aligned}} \\tag{{{rng.randint(1, 40)}}}"],
    ]
    return ["$$", *rng.choice(forms), "$$"]


# Formulas as the real course writes them for KaTeX, which LaTeX reads differently or refuses.
KATEX_ONLY_INLINE = [
    "\\sigma_\\max(W)", "\\lambda_\\min(A^\\top A)", "\\\\{j : w_j \\neq 0\\\\}",
    "\\text{loss_total} = \\sum_i \\ell_i", "\\mathrm{KL}(q\\|p) \\geq 0", "\\operatorname*{arg\\,max}_\\theta f",
    "\\bm{x}^\\top \\bm{W}", "\\boldsymbol{\\mu}_\\phi", "\\mathscr{L}", "x \\in \\R^d", "\\N \\ni n",
    "\\underbrace{a+b}_{\\text{和}}", "\\xrightarrow{\\text{学習}}", "\\cancel{x}", "\\color{red}{x}",
]
KATEX_ONLY_DISPLAY = [
    ["\\begin{align}", "f(x) &= x^2 \\\\", "g(x) &= \\sigma_\\max(x)", "\\end{align}"],
    ["\\begin{aligned}", "a &= b \\tag{1} \\\\", "c &= d", "\\end{aligned}"],
    ["x & = y"],
    ["\\mathcal{N}(x \\mid \\mu, \\Sigma) = \\frac{1}{\\sqrt{(2\\pi)^d|\\Sigma|}}"
     "\\exp\\left(-\\frac{1}{2}(x-\\mu)^\\top\\Sigma^{-1}(x-\\mu)\\right)"],
]
UNDER_TEXT_LEADS = ["**目標**:", "**定義**:", "つまり次の式になる:", "**ポイント**", "ここで"]
MATH_LETTERS = ["𝒩", "𝔼", "𝒟", "ℒ", "∇", "∑", "∂", "θ̂", "x̄", "μ", "σ²", "x₁", "x₂", "xᵢ", "β₁", "λ⁻¹",
                "∞", "≈", "≤", "≥", "→", "⇒", "⊗", "∈", "√"]
BOX_TREE = ["├── src/", "│   ├── model.jl", "│   └── train.jl", "└── test/", "█▇▆▅▄▃▂▁ ← 損失の推移"]
TABLE_EMOJI = ["⭐⭐⭐", "⭐⭐", "⭐", "✅", "❌", "⚠️", "🔥🔥", "👍🏽", "🇯🇵", "1️⃣"]
UNITS = ["≤140 Å²", "3.2 µm", "25 °C", "±0.5 m²", "1.0×10⁻³ s", "½ 周期"]


def katex_only_inline(rng: random.Random) -> str:
    """A sentence with a formula that KaTeX draws and LaTeX, as written, refuses."""
    return f"{rng.choice(OPENERS)}、${rng.choice(KATEX_ONLY_INLINE)}$ を{rng.choice(VERBS)}{rng.choice(ENDINGS)}"


def unicode_lines(rng: random.Random, kind: str) -> list[str]:
    """Lines as the course writes Julia and Rust: mathematical letters in names, box drawing
    in the output shown as comments."""
    a, b = rng.sample(MATH_LETTERS, 2)
    if kind == "julia":
        return [f"    {a} = rand(10)  # {rng.choice(NOUNS)}", f"    {b} = sum({a}) / length({a})  # → {rng.choice(NOUNS)}",
                f"    println(\"{a} ≈ \", {b})", *[f"    # {line}" for line in rng.sample(BOX_TREE, 3)]]
    return [f"    let x₀ = 1.0_f64; // {a} の初期値", f"    println!(\"{b} → {{}}\", x₀);",
            *[f"    // {line}" for line in rng.sample(BOX_TREE, 2)]]


def emoji_table(rng: random.Random) -> list[str]:
    rows = [[rng.choice(NOUNS), rng.choice(TABLE_EMOJI), rng.choice(UNITS)] for _ in range(rng.randint(3, 6))]
    return ["| 手法 | 評価 | 値 |", "|---|:-:|--:|", *["| " + " | ".join(r) + " |" for r in rows]]


def long_words(rng: random.Random) -> list[str]:
    """Identifiers, paths and URLs that have no place to break."""
    ident = "_".join(rng.sample(IDENTS, 6)) + "_with_a_long_suffix_for_the_scheduler"
    url = (f"https://example.com/{rng.choice(IDENTS)}/{'-'.join(rng.sample(IDENTS, 5))}"
           f"?query={rng.randint(10**11, 10**12)}&token={'abcdef0123456789' * 3}")
    camel = "".join(w.capitalize() for w in rng.sample(IDENTS, 7)) + "Factory"
    return [f"{rng.choice(OPENERS)}、`{ident}` を呼ぶと {url} の{rng.choice(NOUNS)}が{rng.choice(VERBS)}{rng.choice(ENDINGS)}",
            f"クラス {camel} は `{camel}.{ident}()` から使う。"]


def code_block(rng: random.Random, kind: str) -> list[str]:
    body = CODE[kind](rng, rng.randint(4, 24))
    if rng.random() < 0.45:
        name = {"julia": f"src/{rng.choice(IDENTS)}.jl", "python": f"{rng.choice(IDENTS)}.py",
                "rust": f"src/{rng.choice(IDENTS)}.rs", "elixir": f"lib/{rng.choice(IDENTS)}.ex"}[kind]
        return [f"```{kind}:{name}", *body, "```"]
    return [f"```{kind}", *body, "```"]


def julia(rng: random.Random, n: int) -> list[str]:
    f, a, b = rng.sample(IDENTS, 3)
    lines = [f"function {f}({a}, {b}; η=1e-3)"]
    if rng.random() < UNICODE_CODE_SHARE:
        lines += unicode_lines(rng, "julia")
    for i in range(n - 2):
        lines.append(rng.choice([f"    {a} = {a} .- η .* {b}[{i + 1}]", f"    # {rng.choice(NOUNS)}を更新する",
                                 f"    s{i} = sum(abs2, {a}) / length({b})",
                                 f"    @assert size({a}) == size({b}) \"{rng.choice(NOUNS)}の形が合わない\""]))
    return lines + ["end"]


def python(rng: random.Random, n: int) -> list[str]:
    f, a, b = rng.sample(IDENTS, 3)
    lines = ["import numpy as np", "", f"def {f}({a}: np.ndarray, {b}: np.ndarray) -> float:"]
    for i in range(max(1, n - 4)):
        lines.append(rng.choice([f"    {a} = {a} - 1e-3 * {b}[{i}]", f"    # {rng.choice(NOUNS)}の計算",
                                 f"    total_{i} = float(np.mean(({a} - {b}) ** 2))"]))
    long = ", ".join(f"{x}={rng.randint(1, 999)}" for x in rng.sample(IDENTS, 8))
    return lines + [f"    return {f}_impl({a}, {b}, {long})"]


def rust(rng: random.Random, n: int) -> list[str]:
    f, a = rng.sample(IDENTS, 2)
    lines = [f"fn {f}({a}: &[f64]) -> f64 {{", "    let mut acc = 0.0_f64;"]
    if rng.random() < UNICODE_CODE_SHARE:
        lines += unicode_lines(rng, "rust")
    for i in range(max(1, n - 4)):
        lines.append(rng.choice([f"    acc += {a}[{i}] * {a}[{i}];", f"    // {rng.choice(NOUNS)}を足し込む"]))
    return lines + ["    acc.sqrt()", "}"]


def elixir(rng: random.Random, n: int) -> list[str]:
    module, f = rng.choice(IDENTS).capitalize(), rng.choice(IDENTS)
    lines = [f"defmodule {module} do", f"  def {f}(xs) do", "    xs"]
    for _ in range(max(1, n - 5)):
        lines.append(rng.choice(["    |> Enum.map(&(&1 * 2))", "    |> Enum.filter(&(&1 > 0))",
                                 "    |> Enum.sum()"]))
    return lines + ["  end", "end"]


CODE = {"julia": julia, "python": python, "rust": rust, "elixir": elixir}


def mermaid(rng: random.Random) -> list[str]:
    return ["```mermaid", *mermaid_source(rng).split("\n"), "```"]


MARKS = ["✅", "⚠️", "❌", "🚀", "💡"]
FILLS = ["#e3f2fd", "#fff3e0", "#e8f5e9", "#ffcdd2"]


def mermaid_source(rng: random.Random) -> str:
    """A diagram as the course writes them: mostly flowcharts with quoted labels, <br/>,
    emoji, edge labels and style lines; sequence, state and mind maps; a few of the rest."""
    kind = rng.random()
    for upto, make in ((0.45, course_flowchart), (0.6, course_sequence), (0.7, course_state),
                       (0.8, course_mindmap), (0.85, course_class), (0.9, course_timeline),
                       (0.95, course_pie), (1.0, course_gantt)):
        if kind < upto:
            return make(rng)
    raise AssertionError(kind)


def course_label(rng: random.Random, noun: str) -> str:
    label = noun
    if rng.random() < 0.4:
        label += f"<br/>{rng.choice(NOUNS)}を{rng.choice(VERBS)}"
    if rng.random() < 0.2:
        label = f"{rng.choice(MARKS)} {label}"
    if rng.random() < 0.15:
        label += rng.choice([" x₀→xₜ", " (p_θ)", " x[i]", " σ²"])
    return label


def course_flowchart(rng: random.Random) -> str:
    names = rng.sample(NOUNS, rng.randint(4, 8))
    lines = [f"graph {rng.choice(['TD', 'LR'])}"]
    for i, noun in enumerate(names):
        shape = '{{"{}？"}}' if i == 1 and rng.random() < 0.4 else '["{}"]'
        lines.append(f"    N{i}" + shape.format(course_label(rng, noun)))
    for i in range(1, len(names)):
        edge = rng.choice(["-->", "-->", "-.->", "==>", f'-->|"{rng.choice(VERBS)}"|', f"-->|{rng.choice(NOUNS)}|"])
        lines.append(f"    N{rng.randrange(i)} {edge} N{i}")
    lines += [f"    style N{i} fill:{rng.choice(FILLS)}" for i in rng.sample(range(len(names)), 2)]
    return "\n".join(lines)


def course_sequence(rng: random.Random) -> str:
    names = rng.sample(NOUNS, 3)
    lines = ["sequenceDiagram"] + [f"    participant {n}" for n in names]
    lines += [f"    {names[i % 3]}->>{names[(i + 1) % 3]}: {course_label(rng, rng.choice(VERBS))}".replace("<br/>", " ")
              for i in range(rng.randint(3, 6))]
    return "\n".join(lines)


def course_state(rng: random.Random) -> str:
    names = rng.sample(NOUNS, 5)
    return "\n".join(["stateDiagram-v2", f"    [*] --> {names[0]}"]
                     + [f"    {names[i]} --> {names[i + 1]}: {rng.choice(VERBS)}" for i in range(4)])


def course_mindmap(rng: random.Random) -> str:
    lines = ["mindmap", f"    root((第{rng.randint(1, 50)}回))"]
    for branch in rng.sample(NOUNS, 4):
        lines.append(f"        {branch}")
        lines += [f"            {leaf}" for leaf in rng.sample(NOUNS, 3)]
    return "\n".join(lines)


def course_class(rng: random.Random) -> str:
    names = rng.sample(IDENTS, 3)
    lines = ["classDiagram"]
    for name in names:
        lines += [f"    class {name.capitalize()} {{", f"        +{rng.choice(IDENTS)}: Tensor",
                  "        +forward(x) Tensor", "    }"]
    lines += [f"    {names[0].capitalize()} <|-- {names[1].capitalize()}",
              f"    {names[0].capitalize()} *-- {names[2].capitalize()}"]
    return "\n".join(lines)


def course_timeline(rng: random.Random) -> str:
    lines = ["timeline", f"    title {rng.choice(NOUNS)}の歴史"]
    lines += [f"    {2013 + i} : {rng.choice(NOUNS)}" for i in range(rng.randint(3, 6))]
    return "\n".join(lines)


def course_pie(rng: random.Random) -> str:
    return "\n".join([f"pie title {rng.choice(NOUNS)}の内訳"]
                     + [f'    "{n}" : {rng.randint(1, 50)}' for n in rng.sample(NOUNS, 4)])


def course_gantt(rng: random.Random) -> str:
    lines = ["gantt", "    dateFormat YYYY-MM-DD", f"    section {rng.choice(NOUNS)}"]
    lines += [f"    {n} :t{i}, 2026-0{i + 1}-01, {rng.randint(5, 30)}d" for i, n in enumerate(rng.sample(NOUNS, 4))]
    return "\n".join(lines)


def message(rng: random.Random, article: Article) -> list[str]:
    article.messages += 1
    head = ":::message alert" if rng.random() < 0.2 else ":::message"
    return [head, *[sentence(rng) for _ in range(rng.randint(1, 3))], ":::"]


def details(rng: random.Random, article: Article) -> list[str]:
    title = f"{rng.choice(NOUNS)}の導出"
    inner = paragraph(rng, article)
    if rng.random() < 0.3:
        math = display_math(rng)
        article.math_lines += len(math)
        inner += ["", *math]
    if rng.random() < 0.15:                          # a box in a box: the outer one has more colons
        return [f"::::details {title}", *inner, "", *message(rng, article), "::::"]
    return [f":::details {title}", *inner, ":::"]


def card(rng: random.Random) -> list[str]:
    if rng.random() < 0.7:
        return [f"@[card](https://arxiv.org/abs/{rng.randint(1500, 2412)}.{rng.randint(1000, 29999):05d})"]
    return [f"@[card](https://doi.org/10.{rng.randint(1000, 9999)}/{rng.choice(IDENTS)}.{rng.randint(1, 9999)})"]


def table(rng: random.Random) -> list[str]:
    if rng.random() < EMOJI_TABLE_SHARE:
        return emoji_table(rng)
    columns = rng.randint(6, 10)
    head = rng.sample(NOUNS, columns)
    rows = [[rng.choice(NOUNS) + f"{rng.randint(1, 99)}" for _ in range(columns)] for _ in range(rng.randint(3, 8))]
    align = [rng.choice(["---", ":--", ":-:", "--:"]) for _ in range(columns)]
    return ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|", *["| " + " | ".join(r) + " |" for r in rows]]


# -- articles -----------------------------------------------------------------------------

def quotas(total: int, articles: int, rng: random.Random) -> list[int]:
    """`total` spread over `articles`: an even share each, the remainder to random ones."""
    share = [total // articles] * articles
    for index in rng.sample(range(articles), total % articles):
        share[index] += 1
    return share


def scaled(lines: int) -> dict[str, int]:
    factor = lines / FULL_LINES
    counts = {k: round(v * factor) for k, v in FULL.items()}
    counts["articles"] = max(1, counts["articles"])
    return counts


def blocks_for(rng: random.Random, plan: dict[str, int], article: Article) -> list[list[str]]:
    """This article's construct blocks, shuffled (math in blocks worth of its line quota)."""
    blocks: list[list[str]] = [details(rng, article) for _ in range(plan["details"])]
    blocks += [message(rng, article) for _ in range(max(0, plan["message"] - article.messages))]
    blocks += [card(rng) for _ in range(plan["card"])]
    blocks += [mermaid(rng) for _ in range(plan["mermaid"])]
    blocks += [table(rng) for _ in range(plan["table"])]
    blocks += [["---"] for _ in range(plan["rule"])]
    blocks += [code_block(rng, kind) for kind in CODE_KINDS for _ in range(plan[kind])]
    blocks += [[katex_only_inline(rng)] for _ in range(plan["katex_only"])]
    blocks += [long_words(rng) for _ in range(plan["long_words"])]
    while article.math_lines < plan["math_lines"]:
        block = display_math(rng) if rng.random() < 0.85 else ["$$", *rng.choice(KATEX_ONLY_DISPLAY), "$$"]
        article.math_lines += len(block)
        if rng.random() < UNDER_TEXT_SHARE:       # `**目標**:` and the $$ on the very next line
            block = [rng.choice(UNDER_TEXT_LEADS), *block]
        blocks.append(block)
    rng.shuffle(blocks)
    return blocks


def write_article(rng: random.Random, index: int, plan: dict[str, int], budget: int) -> str:
    lecture, part = index // 2 + 1, index % 2 + 1
    article = Article()
    article.add("---", f'title: "第{lecture}回 {rng.choice(NOUNS)}と{rng.choice(NOUNS)} (Part {part})"',
                f'emoji: "{rng.choice(EMOJI)}"', 'type: "tech"', 'topics: ["machinelearning", "julia", "python"]',
                "published: true", "---")
    for block in blocks_for(rng, plan, article):
        if rng.random() < 0.12:
            article.add(heading(rng, rng.choice([2, 2, 3])))
        article.add(*paragraph(rng, article))
        article.add(*block)
    while len(article.lines) < budget - article.notes - 1:
        if rng.random() < 0.1:
            article.add(heading(rng, 2))
        article.add(*paragraph(rng, article))
    for number in range(1, article.notes + 1):
        article.lines.append(f"[^{number}]: {sentence(rng)}")
    return "\n".join(article.lines) + "\n"


def book_yaml(names: list[str]) -> str:
    parts = [names[i:i + 20] for i in range(0, len(names), 20)]
    lines = ["title: 合成講義コーパス", "slug: synthetic-course", "author: zennbook bench", "language: ja",
             "version: 1.0.0", "source_url: 'https://zenn.dev/zennbook-bench/articles/{slug}'",
             "license:", "  id: CC-BY-NC-SA-4.0", "  url: https://creativecommons.org/licenses/by-nc-sa/4.0/",
             "  holder: zennbook bench", "  year: 2026",
             "  notice: |", "    この合成コーパスは性能測定のために自動生成したものです。",
             "    CC BY-NC-SA 4.0 の条件で利用できます。",
             "  short: CC BY-NC-SA 4.0 · 合成コーパス", "parts:"]
    for number, chapters in enumerate(parts, start=1):
        lines += [f"  - title: 第{number}部", "    chapters:", *[f"      - {c}" for c in chapters]]
    return "\n".join(lines) + "\n"


def make_corpus(folder: Path, lines: int = FULL_LINES, seed: int = 0) -> Counter:
    """Write the corpus into `folder` (created); returns what it holds, counted."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts = scaled(lines)
    n = counts["articles"]
    plans = [dict(zip(counts, values)) for values in zip(*(quotas(counts[k], n, rng) for k in counts))]
    names = [f"lecture-{i // 2 + 1:02d}-part{i % 2 + 1}" for i in range(n)]
    for index, (name, plan) in enumerate(zip(names, plans)):
        text = write_article(rng, index, plan, lines // n)
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    (folder / "book.yaml").write_text(book_yaml(names), encoding="utf-8")
    return measure(folder)


def measure(folder: Path) -> Counter:
    """Count what a corpus folder holds, by reading it back."""
    found: Counter = Counter()
    for path in sorted(Path(folder).glob("*.md")):
        found["articles"] += 1
        in_math = False
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text   # after the front matter
        found["lines"] += text.count("\n")
        for line in body.split("\n"):
            if line == "$$":
                in_math = not in_math
                found["math_lines"] += 1
            elif in_math:
                found["math_lines"] += 1
            found.update(kind for kind, prefix in MARKERS if line.startswith(prefix))
    return found


MARKERS = (("under_text_math", "**目標**:"), ("message", ":::message"), ("details", ":::details"), ("details", "::::details"),
           ("card", "@[card]"), ("mermaid", "```mermaid"), ("julia", "```julia"), ("python", "```python"),
           ("rust", "```rust"), ("elixir", "```elixir"), ("footnote", "[^"), ("rule", "---"),
           ("h2", "## "), ("table", "|--"), ("table", "|:-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lines", type=int, default=FULL_LINES)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    counts = make_corpus(args.out, args.lines, args.seed)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
