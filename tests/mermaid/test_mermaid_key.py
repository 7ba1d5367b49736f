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
