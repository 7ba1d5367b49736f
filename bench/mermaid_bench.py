"""Benchmark: N varied mermaid diagrams, cold cache, one browser session vs serial mmdc.

    .venv/bin/python bench/mermaid_bench.py [--count 300] [--serial 10] [--epubcheck] [--course]

Prints the batch's total and per-diagram time (wall, and CPU over every process), the
warm (cached) re-run, the serial `mmdc` time per diagram (measured on --serial diagrams,
extrapolated to --count); checks every PDF with pdffonts (no Type 3, everything
embedded), counts the pictures in them and those under 300 dpi when the diagram is set
at the kdp-6x9 line width (as \\zbdiagram sets it; a tall one shrunk to the text height only
prints finer), and, with --epubcheck, checks every SVG with EPUBCheck. Exit 1 if any check fails.
--course takes the diagrams of the synthetic course (bench/corpus.py: quoted labels, <br/>,
emoji, mind maps...) instead of the default mix, which is kept as it was to compare runs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.corpus import mermaid_source  # noqa: E402
from zennbook.mermaid import render_diagrams  # noqa: E402
from zennbook.mermaid.tools import find_tools, mmdc_path  # noqa: E402

WORDS = ["開始", "終了", "判定", "読み込み", "前処理", "学習", "推論", "評価", "保存", "送信",
         "受信", "認証", "検証", "変換", "集計", "出力", "エンコーダ", "デコーダ", "潜在変数",
         "拡散過程", "逆過程", "損失関数", "勾配", "最適化", "データセット", "モデル", "サーバ",
         "クライアント", "キャッシュ", "ログ", "Input", "Output", "Batch", "GPU"]
SHAPES = ["[{}]", "({})", "{{{}}}", "[({})]", "(({}))", "[[{}]]", ">{}]"]


def words(rng: random.Random, n: int) -> list[str]:
    return [f"{w}{i}" for i, w in enumerate(rng.sample(WORDS, n))]


def flowchart(rng: random.Random) -> str:
    n = rng.randint(4, 12)
    labels = words(rng, n)
    lines = [f"flowchart {rng.choice(['TD', 'LR'])}"]
    lines += [f"  N{i}{rng.choice(SHAPES).format(label)}" for i, label in enumerate(labels)]
    for i in range(1, n):
        edge = rng.choice(["-->", "-.->", "==>", f"-->|{rng.choice(['はい', 'いいえ', '次へ'])}|"])
        lines.append(f"  N{rng.randrange(i)} {edge} N{i}")
    if n > 6 and rng.random() < 0.5:
        lines += ["  subgraph 処理群", f"    N{n - 1}", f"    N{n - 2}", "  end"]
    return "\n".join(lines)


def sequence(rng: random.Random) -> str:
    actors = words(rng, rng.randint(2, 5))
    lines = ["sequenceDiagram"] + [f"  participant {a}" for a in actors]
    for _ in range(rng.randint(3, 10)):
        a, b = rng.sample(actors, 2)
        lines.append(f"  {a}{rng.choice(['->>', '-->>', '-)'])}{b}: {rng.choice(WORDS)}を要求")
    if rng.random() < 0.5:
        lines.append(f"  Note over {actors[0]},{actors[1]}: 注記 {rng.randint(1, 99)}")
    return "\n".join(lines)


def class_diagram(rng: random.Random) -> str:
    names = [f"クラス{i}" for i in range(rng.randint(2, 5))]
    lines = ["classDiagram"]
    for name in names:
        lines += [f"  class {name} {{", f"    +{rng.choice(WORDS)}: int",
                  f"    +{rng.choice(WORDS)}() bool", "  }"]
    for i in range(1, len(names)):
        lines.append(f"  {names[rng.randrange(i)]} {rng.choice(['<|--', '*--', 'o--', '-->'])} {names[i]}")
    return "\n".join(lines)


def state(rng: random.Random) -> str:
    states = words(rng, rng.randint(3, 7))
    lines = ["stateDiagram-v2", f"  [*] --> {states[0]}"]
    for i in range(1, len(states)):
        lines.append(f"  {states[rng.randrange(i)]} --> {states[i]}: イベント{i}")
    lines.append(f"  {states[-1]} --> [*]")
    return "\n".join(lines)


def gantt(rng: random.Random) -> str:
    lines = ["gantt", f"  title 計画{rng.randint(1, 999)}", "  dateFormat YYYY-MM-DD"]
    for s in range(rng.randint(1, 3)):
        lines.append(f"  section 段階{s + 1}")
        for t in range(rng.randint(1, 4)):
            start = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            lines.append(f"  {rng.choice(WORDS)}{t} :t{s}{t}, {start}, {rng.randint(1, 20)}d")
    return "\n".join(lines)


def pie(rng: random.Random) -> str:
    slices = words(rng, rng.randint(2, 6))
    return "\n".join([f"pie title 内訳{rng.randint(1, 999)}"]
                     + [f'  "{s}" : {rng.randint(1, 100)}' for s in slices])


def er(rng: random.Random) -> str:
    tables = words(rng, rng.randint(2, 4))
    lines = ["erDiagram"]
    for i in range(1, len(tables)):
        lines.append(f"  {tables[rng.randrange(i)]} ||--o{{ {tables[i]} : 関連{i}")
    return "\n".join(lines)


KINDS = (flowchart, sequence, class_diagram, state, gantt, pie, er)


def diagrams(count: int, seed: int = 4, course: bool = False) -> list[str]:
    """`count` distinct diagrams, kinds in turn (or the course's mix), deterministic for a seed."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        source = mermaid_source(rng) if course else KINDS[len(out) % len(KINDS)](rng)
        if source not in out:
            out.append(source)
    return out


def bench_batch(sources: list[str], cache: Path) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds (this process + node + every Chromium process) and the result.

    The CPU figure hardly depends on what else runs on the machine: on an idle machine
    the wall time is about CPU / cores, as the work is spread over one page per core."""
    meter = ProcessTreeCpu()
    own = time.process_time()
    start = time.perf_counter()
    meter.start()
    try:
        result = render_diagrams(sources, cache, timeout_s=600)
    finally:
        meter.stop()
    return time.perf_counter() - start, meter.seconds() + time.process_time() - own, result


class ProcessTreeCpu(threading.Thread):
    """Polls /proc for our descendants' CPU time. Chromium's renderers are reaped by its
    zygote, so getrusage(RUSAGE_CHILDREN) never sees them; a poll misses at most the last
    tick of each process."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.ticks: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.sample()

    def stop(self) -> None:
        self.done.set()
        self.join()

    def seconds(self) -> float:
        return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        parents, cpu = {}, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = int(fields[11]) + int(fields[12])
        for pid, ticks in cpu.items():
            if _descends(pid, os.getpid(), parents):
                self.ticks[pid] = max(ticks, self.ticks.get(pid, 0))


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid in parents and pid > 1:
        pid = parents[pid]
        if pid == ancestor:
            return True
    return False


def bench_mmdc(sources: list[str], work: Path) -> float | None:
    """Seconds per diagram for mermaid-cli's own command, one process and browser each."""
    mmdc, tools = mmdc_path(), find_tools()
    if mmdc is None or isinstance(tools, str):
        return None
    config = work / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": tools.chromium,
                                  "args": ["--no-sandbox", "--disable-gpu"]}))
    start = time.perf_counter()
    for i, source in enumerate(sources):
        (work / f"{i}.mmd").write_text(source, encoding="utf-8")
        subprocess.run([str(mmdc), "-q", "-p", str(config), "-i", str(work / f"{i}.mmd"),
                        "-o", str(work / f"{i}.svg")], check=True, capture_output=True)
    return (time.perf_counter() - start) / len(sources)


def font_problems(result) -> list[str]:
    """PDFs whose fonts are Type 3 or not embedded, per pdffonts."""
    bad = []
    for key, diagram in result.diagrams.items():
        out = subprocess.run(["pdffonts", str(diagram.pdf)], capture_output=True, text=True).stdout
        rows = out.splitlines()[2:]
        if not rows or any("Type 3" in r or r.split()[-5] != "yes" for r in rows):
            bad.append(key)
    return bad


def text_problems(result) -> list[str]:
    """PDFs whose text (pdftotext) is not the SVG's text, character for character (spaces aside)."""
    from collections import Counter
    from lxml import etree
    bad = []
    for key, diagram in result.diagrams.items():
        root = etree.parse(str(diagram.svg)).getroot()
        drawn = "".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
        extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", str(diagram.pdf), "-"],
                                   capture_output=True, text=True).stdout
        if Counter(c for c in drawn if not c.isspace()) != Counter(c for c in extracted if not c.isspace()):
            bad.append(key)
    return bad


def epubcheck_errors(result, work: Path) -> list[str] | None:
    """EPUBCheck's errors for a minimal EPUB 3 holding every SVG as an image (None: no EPUBCheck)."""
    jar = Path("/usr/share/java/epubcheck.jar")
    if not (shutil.which("java") and jar.exists()):
        return None
    epub = work / "diagrams.epub"
    write_epub(epub, [d.svg for d in result.diagrams.values()])
    out = subprocess.run(["java", "-jar", str(jar), str(epub)], capture_output=True, text=True)
    return [line for line in (out.stdout + out.stderr).splitlines() if line.startswith(("ERROR", "FATAL"))]


def write_epub(path: Path, svgs: list[Path]) -> None:
    items = "".join(f'<item id="d{i}" href="d{i}.svg" media-type="image/svg+xml"/>' for i in range(len(svgs)))
    figures = "".join(f'<figure><img src="d{i}.svg" alt="図 {i}"/></figure>' for i in range(len(svgs)))
    opf = ('<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" '
           'version="3.0" unique-identifier="uid" xml:lang="ja"><metadata '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="uid">urn:uuid:'
           '00000000-0000-4000-8000-000000000000</dc:identifier><dc:title>図</dc:title>'
           '<dc:language>ja</dc:language><meta property="dcterms:modified">2024-01-01T00:00:00Z'
           '</meta></metadata><manifest><item id="nav" href="nav.xhtml" media-type='
           '"application/xhtml+xml" properties="nav"/><item id="c" href="c.xhtml" media-type='
           f'"application/xhtml+xml"/>{items}</manifest><spine><itemref idref="c"/></spine></package>')
    page = ('<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="ja"><head><title>図</title></head>'
            '<body>{}</body></html>')
    nav = '<nav epub:type="toc"><ol><li><a href="c.xhtml">図</a></li></ol></nav>'
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                 'opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
                 'media-type="application/oebps-package+xml"/></rootfiles></container>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", container)
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/nav.xhtml", page.format(nav))
        z.writestr("OEBPS/c.xhtml", page.format(figures))
        for i, svg in enumerate(svgs):
            z.write(svg, f"OEBPS/d{i}.svg")


def report_batch(sources: list[str], cache: Path) -> tuple[float, object]:
    load = os.getloadavg()[0]
    cold, cpu, result = bench_batch(sources, cache)
    warm, _, _ = bench_batch(sources, cache)
    n = len(sources)
    print(f"batch, cold cache: {n} diagrams in {cold:.1f} s = {cold / n * 1000:.0f} ms/diagram "
          f"({len(result.diagrams)} rendered, {len(result.errors)} errors)")
    print(f"  CPU used by every process: {cpu:.1f} s = {cpu / n * 1000:.0f} ms/diagram "
          f"({os.cpu_count()} cores; load average before the run: {load:.1f})")
    for key, message in list(result.errors.items())[:3]:
        print(f"  error {key[:12]}: {message.splitlines()[0]}")
    print(f"batch, warm cache: {warm * 1000:.0f} ms (no browser started)")
    return cold, result


def print_pictures(result) -> tuple[list[str], list[str]]:
    """Every picture the diagrams' PDFs draw, and those under 300 dpi once the diagram is set
    at the kdp-6x9 line width (the least fine it can print: a tall one is shrunk further)."""
    import pikepdf
    from zennbook.writers.latex import TEXT_WIDTH_PT
    from zennbook.writers.pdf.preflight import placed_images
    from zennbook.writers.pdf.presets import PRESETS
    line_pt = TEXT_WIDTH_PT[PRESETS["kdp-6x9"].text_paper]
    pictures, low = [], []
    for diagram in result.diagrams.values():
        scale = line_pt / diagram.width_pt
        with pikepdf.open(diagram.pdf) as pdf:
            for name, pixels, size in placed_images(pdf.pages[0].obj):
                dpi = pixels[0] / (size[0] * scale / 72) if size[0] else 0
                pictures.append(name)
                if dpi < 300:
                    low.append(f"{diagram.pdf.name} {name}: {pixels[0]}x{pixels[1]} px at {dpi:.0f} dpi")
    return pictures, low


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--serial", type=int, default=10, help="diagrams to time with mmdc")
    parser.add_argument("--epubcheck", action="store_true", help="also run EPUBCheck on every SVG (slow)")
    parser.add_argument("--course", action="store_true", help="the synthetic course's diagrams")
    args = parser.parse_args()
    tools = find_tools()
    if isinstance(tools, str):
        print(f"cannot benchmark: {tools}")
        return 1
    sources = diagrams(args.count, course=args.course)
    ok = True
    with tempfile.TemporaryDirectory(prefix="mermaid-bench-") as tmp:
        cold, result = report_batch(sources, Path(tmp) / "cache")
        ok = not result.errors
        if shutil.which("pdffonts"):
            bad = font_problems(result)
            ok = ok and not bad
            print(f"pdffonts: {len(result.diagrams) - len(bad)}/{len(result.diagrams)} PDFs with "
                  f"no Type 3 font and every font embedded")
            lost = text_problems(result)
            ok = ok and not lost
            print(f"pdftotext: {len(result.diagrams) - len(lost)}/{len(result.diagrams)} PDFs give back "
                  f"every character of their labels")
        pictures, low = print_pictures(result)
        ok = ok and not low
        print(f"pictures in the PDFs: {len(pictures)}, under 300 dpi at the kdp-6x9 line width: {len(low)}"
              + "".join(f"\n  {p}" for p in low[:5]))
        if args.epubcheck:
            errors = epubcheck_errors(result, Path(tmp))
            ok = ok and not errors
            print("epubcheck: not installed" if errors is None else
                  f"epubcheck: {len(errors)} error(s) for {len(result.diagrams)} SVGs"
                  + "".join(f"\n  {e[:200]}" for e in (errors or [])[:5]))
        work = Path(tmp) / "mmdc"
        work.mkdir()
        per = bench_mmdc(sources[:args.serial], work) if args.serial else None
        if per is not None:
            print(f"serial mmdc (one process and browser per diagram): {per:.2f} s/diagram over "
                  f"{args.serial} (SVG only); {len(sources)} would take ~{per * len(sources):.0f} s "
                  f"(x{per * len(sources) / cold:.0f} the batch)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
