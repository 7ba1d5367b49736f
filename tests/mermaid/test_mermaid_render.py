"""render_diagrams for real: Debian's Chromium, mermaid from node_modules, librsvg/cairo.

Skipped, with the reason, when the renderer is unavailable (see conftest.tools).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from lxml import etree

from zennbook.mermaid import Failure, diagram_key, render_diagrams
from zennbook.mermaid import render as render_module
from zennbook.mermaid import tools as tools_module
from zennbook.mermaid.key import MERMAID_CONFIG, SCRIPT, normalize_source, svg_id

from mermaid_samples import BROKEN, FLOWCHART_JA, SEQUENCE_JA

SVG_NS = "{http://www.w3.org/2000/svg}"
needs_poppler = pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts (poppler-utils) missing")


def test_good_diagrams_render_and_the_broken_one_errors(batch):
    _, result = batch
    assert result.unavailable is None
    assert set(result.diagrams) == {diagram_key(FLOWCHART_JA), diagram_key(SEQUENCE_JA)}
    assert set(result.errors) == {diagram_key(BROKEN)}
    assert "Parse error" in result.errors[diagram_key(BROKEN)]
    # mermaid's message, not our machine's paths
    assert ".js:" not in result.errors[diagram_key(BROKEN)]


def test_svg_is_standalone_xml_with_the_japanese_labels(batch):
    _, result = batch
    svg = result.diagrams[diagram_key(FLOWCHART_JA)].svg
    root = etree.parse(str(svg)).getroot()       # raises on malformed XML
    assert root.tag == SVG_NS + "svg"
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0
    text = "".join(root.itertext())
    for label in ("開始", "入力は正しいか", "学習を実行", "終了", "はい", "いいえ"):
        assert label in text


def test_svg_is_real_svg_that_fetches_nothing(batch):
    _, result = batch
    for diagram in result.diagrams.values():
        root = etree.parse(str(diagram.svg)).getroot()
        assert not root.findall(f".//{SVG_NS}foreignObject")
        for elem in root.iter():
            for name, value in elem.attrib.items():
                if name.endswith("href"):
                    assert value.startswith("#"), value
                assert "http" not in value, (name, value)
        css = "".join(e.text or "" for e in root.iter(f"{SVG_NS}style"))
        assert "@import" not in css and "@font-face" not in css
        assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css))


def test_svg_avoids_what_epubcheck_and_librsvg_reject(batch):
    """The rules EPUBCheck's SVG 1.1 schema enforced on mermaid's raw output (the bench
    runs EPUBCheck itself: `bench/mermaid_bench.py --epubcheck`), and the baseline
    properties librsvg ignores (which would move the PDF's labels)."""
    _, result = batch
    for diagram in result.diagrams.values():
        root = etree.parse(str(diagram.svg)).getroot()
        assert root.get("role") in ("img", "document", "application")
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids))
        for elem in root.iter(f"{SVG_NS}*"):
            assert not {"name", "transform-origin", "dominant-baseline", "alignment-baseline"} & set(elem.attrib)
            if elem.tag == SVG_NS + "rect":
                assert elem.get("width") is not None and elem.get("height") is not None
            if elem.tag not in (SVG_NS + "line", SVG_NS + "linearGradient"):
                assert "x1" not in elem.attrib


def test_svg_ids_are_unique_per_diagram(batch):
    _, result = batch
    ids = {etree.parse(str(d.svg)).getroot().get("id") for d in result.diagrams.values()}
    assert ids == {svg_id(k) for k in result.diagrams}


@needs_poppler
def test_pdf_has_no_type3_and_every_font_embedded(batch):
    _, result = batch
    for diagram in result.diagrams.values():
        rows = _pdffonts(diagram.pdf)
        assert rows, "the PDF should carry the labels as real text"
        for row in rows:
            assert "Type 3" not in row["type"], row
            assert row["emb"] == "yes", row


@needs_poppler
def test_pdf_is_cropped_to_the_diagram_and_keeps_its_text(batch):
    _, result = batch
    diagram = result.diagrams[diagram_key(FLOWCHART_JA)]
    info = subprocess.run(["pdfinfo", str(diagram.pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width == pytest.approx(diagram.width_pt, abs=0.5)
    assert height == pytest.approx(diagram.height_pt, abs=0.5)
    assert "Pages:           1" in info
    text = subprocess.run(["pdftotext", str(diagram.pdf), "-"], capture_output=True, text=True).stdout
    assert "学習を実行" in text


def test_cache_hit_starts_no_browser(batch, monkeypatch):
    cache, first = batch

    def no_process(*args, **kwargs):
        raise AssertionError(f"a cached batch started a process: {args[0]}")

    monkeypatch.setattr(subprocess, "Popen", no_process)           # any process, ours or a library's
    monkeypatch.setattr(render_module, "find_tools", lambda: pytest.fail("looked for tools"))
    again = render_diagrams([SEQUENCE_JA, BROKEN, FLOWCHART_JA, FLOWCHART_JA], cache)
    assert again.diagrams == first.diagrams
    assert again.errors == first.errors      # a syntax error is cached too
    assert again.unavailable is None


def test_same_source_gives_the_same_bytes_whatever_else_is_in_the_batch(batch, tmp_path):
    # Releases must be byte-identical when rebuilt: ids and PDF metadata may not depend
    # on the batch's other diagrams, their order, or the time.
    _, first = batch
    alone = render_diagrams([SEQUENCE_JA], tmp_path)
    key = diagram_key(SEQUENCE_JA)
    assert alone.diagrams[key].svg.read_bytes() == first.diagrams[key].svg.read_bytes()
    assert alone.diagrams[key].pdf.read_bytes() == first.diagrams[key].pdf.read_bytes()


def test_lookup_gives_diagrams_and_failures(batch):
    _, result = batch
    table = result.lookup()
    assert table[diagram_key(FLOWCHART_JA)] == result.diagrams[diagram_key(FLOWCHART_JA)]
    assert isinstance(table[diagram_key(BROKEN)], Failure)
    assert not table[diagram_key(BROKEN)].unavailable


def test_batch_timeout_reports_every_diagram_and_caches_nothing(tools, tmp_path):
    sources = [FLOWCHART_JA + "  D --> E[タイムアウト]\n", SEQUENCE_JA + "  利用者->>サーバ: 再送\n"]
    result = render_diagrams(sources, tmp_path, timeout_s=0.5)
    assert result.diagrams == {}
    assert set(result.errors) == {diagram_key(s) for s in sources}
    assert all("timed out" in message for message in result.errors.values())
    assert not list(tmp_path.glob("*.json"))


def test_diagram_timeout_is_reported_and_the_batch_goes_on(tools, tmp_path):
    """render.mjs on its own: each diagram over its limit is reported, then `done`."""
    sources = {"mmd-a": "flowchart LR\n  A[一] --> B[二]\n", "mmd-b": "pie\n  \"甲\" : 1\n"}
    spec = {"modules": str(tools.modules), "chromium": tools.chromium, "config": MERMAID_CONFIG,
            "workers": 1, "diagram_timeout_s": 0.001, "batch_timeout_s": 60,
            "jobs": [{"id": i, "source": normalize_source(s), "svg": str(tmp_path / f"{i}.svg")}
                     for i, s in sources.items()]}
    jobfile = tmp_path / "job.json"
    jobfile.write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.run([tools.node, str(SCRIPT), str(jobfile)], capture_output=True,
                          text=True, timeout=90)
    messages = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {m["id"]: m["kind"] for m in messages if "id" in m} == {"mmd-a": "timeout", "mmd-b": "timeout"}
    assert messages[-1] == {"done": True, "refused": [], "effects": []}


@pytest.mark.parametrize("missing", ["node", "chromium"])
def test_missing_tool_makes_it_unavailable_without_raising(missing, tmp_path, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(tools_module.shutil, "which",
                        lambda name: None if name == missing else real_which(name))
    result = render_diagrams(["flowchart TD\n  A[未描画] --> B\n"], tmp_path)
    assert result.diagrams == {} and result.errors == {}
    assert missing in result.unavailable and "\n" not in result.unavailable
    assert isinstance(result.lookup()[diagram_key("flowchart TD\n  A[未描画] --> B\n")], Failure)


def test_missing_node_modules_makes_it_unavailable(tmp_path, monkeypatch):
    monkeypatch.setattr(tools_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(tools_module, "find_node_modules", lambda: None)
    result = render_diagrams(["graph TD\n  X --> Y\n"], tmp_path)
    assert "npm ci" in result.unavailable


def _pdffonts(pdf) -> list[dict]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cells = line.split()
        # name, type (several words), encoding, emb, sub, uni, object id (two numbers)
        rows.append({"name": cells[0], "type": " ".join(cells[1:-6]), "emb": cells[-5]})
    return rows
