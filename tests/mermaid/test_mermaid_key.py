"""diagram_key: a content hash that ignores what does not change the drawing."""
from zennbook.mermaid import diagram_key, normalize_source
from zennbook.mermaid.key import renderer_version


def test_key_ignores_line_ends_trailing_spaces_and_edge_blank_lines():
    a = "flowchart TD\n  A --> B\n"
    b = "\n\nflowchart TD  \r\n  A --> B\r\n\n"
    assert diagram_key(a) == diagram_key(b)


def test_key_keeps_indentation_and_content():
    mindmap = "mindmap\n  root\n    a\n    b\n"
    flat = "mindmap\n  root\n    a\n  b\n"
    assert diagram_key(mindmap) != diagram_key(flat)
    assert diagram_key("flowchart TD\n  A --> B") != diagram_key("flowchart TD\n  A --> C")


def test_key_is_sha256_hex():
    key = diagram_key("pie\n  \"a\" : 1")
    assert len(key) == 64 and int(key, 16) >= 0


def test_normalized_source_ends_with_one_newline():
    assert normalize_source("\n  graph TD\n  A-->B  \n\n") == "  graph TD\n  A-->B\n"


def test_renderer_version_names_the_locked_mermaid():
    # From package-lock.json, so keys do not depend on what node_modules holds.
    assert renderer_version().startswith("mermaid-11.")


def test_renderer_version_changes_with_every_file_that_shapes_the_svg_or_the_pdf(tmp_path, monkeypatch):
    from zennbook.mermaid import key
    shaping = {"SCRIPT": key.SCRIPT, "PAGE_SCRIPTS": key.PAGE_SCRIPTS, "PDF_MAKERS": key.PDF_MAKERS}
    names = {key.SCRIPT.name, *(p.name for p in (*key.PAGE_SCRIPTS, *key.PDF_MAKERS))}
    assert {"render.mjs", "pdfsvg.js", "page.js", "inert.js", "pdf.py", "emojitext.py"} <= names
    copies = {}
    for path in (key.SCRIPT, *key.PAGE_SCRIPTS, *key.PDF_MAKERS):
        copies[path] = tmp_path / path.name
        copies[path].write_bytes(path.read_bytes())
    monkeypatch.setattr(key, "SCRIPT", copies[shaping["SCRIPT"]])
    monkeypatch.setattr(key, "PAGE_SCRIPTS", tuple(copies[p] for p in shaping["PAGE_SCRIPTS"]))
    monkeypatch.setattr(key, "PDF_MAKERS", tuple(copies[p] for p in shaping["PDF_MAKERS"]))
    key.renderer_version.cache_clear()
    seen = {key.renderer_version()}
    for copy in copies.values():
        copy.write_bytes(copy.read_bytes() + b"\n")
        key.renderer_version.cache_clear()
        seen.add(key.renderer_version())
    key.renderer_version.cache_clear()
    assert len(seen) == len(copies) + 1
