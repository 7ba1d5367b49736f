"""A diagram is untrusted input: rendering it runs no script and fetches nothing, and the
SVG written holds no script, no handler and no reference to anything outside itself.

Hostile diagrams point at a real HTTP server on 127.0.0.1 that counts what reaches it, and
at a canary file beside the test. Script would set a marker (a global, the page's title,
a dialog); render.mjs reports any such sign (RenderResult.effects) and every load it refused.
"""
from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
from pathlib import Path

import pytest
from lxml import etree

from zennbook.mermaid import diagram_key, render_diagrams
from zennbook.mermaid.key import INERT_SCRIPT

SVG_NS = "http://www.w3.org/2000/svg"
CANARY = "ZBCANARYmermaid51"
PROBE = Path(__file__).with_name("inert_probe.mjs")
FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "set", "animate", "animateMotion",
             "animateTransform", "discard", "handler", "listener", "a", "feImage"}
RASTER = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
LOCAL_URL = re.compile(r"""\s*url\(\s*(["']?)#[\w.:-]*\1\s*\)\s*""")


class Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):                # noqa: N802 (the http.server name)
        Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def canary(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("outside")
    (folder / "canary.txt").write_text(f"{CANARY}\n", encoding="utf-8")
    return folder / "canary.txt"


def hostile_diagrams(url: str, canary: Path) -> dict[str, str]:
    return {
        "click-callback": 'flowchart LR\n  A[甲] --> B\n  click A callback "tip"\n  click B call alert("ZBMARK")',
        "click-href": f'flowchart LR\n  A[甲] --> B\n  click A "javascript:window.ZBMARK=1" "tip"\n'
                      f'  click B href "file://{canary}"',
        "click-web": f'flowchart LR\n  A[甲] --> B\n  click A href "{url}/click" _blank',
        "html-labels": f'flowchart LR\n  A["<img src=file://{canary} onerror=window.ZBMARK=1>"] --> '
                       f'B["<script>window.ZBMARK=1</script>"]\n  C["<img src={url}/label.png>"]',
        "init-loose": '%%{init: {"securityLevel": "loose", "htmlLabels": true, "flowchart": '
                      '{"htmlLabels": true}}}%%\nflowchart LR\n  A["<img src=x onerror=window.ZBMARK=1>"] --> B\n'
                      "  click A call alert(1)",
        "init-font": f'%%{{init: {{"fontFamily": "x; src: url({url}/font.woff)", "themeVariables": '
                     f'{{"fontFamily": "url({url}/font2.woff)"}}}}}}%%\nflowchart LR\n  A[字] --> B',
        "init-theme-css": f'%%{{init: {{"themeCSS": "@import url({url}/x.css); .node rect {{ fill: '
                          f'url({url}/p.png) }}"}}}}%%\nflowchart LR\n  A[字] --> B',
        "front-matter": f'---\nconfig:\n  securityLevel: loose\n  themeCSS: "@import url({url}/y.css);"\n'
                        f"  fontFamily: \"url({url}/z.woff)\"\n---\nflowchart LR\n  A[字] --> B",
        "sequence-links": f'sequenceDiagram\n  participant A\n  link A: Dash @ javascript:window.ZBMARK=1\n'
                          f'  links A: {{"x": "{url}/l"}}\n  A->>A: 自分へ',
        "class-links": 'classDiagram\n  class A\n  link A "javascript:window.ZBMARK=1" "t"\n  click A call alert(1)',
        "image-shape": f'flowchart LR\n  A@{{ img: "{url}/i.png", label: "画像", pos: "t", h: 60, constraint: "on" }}',
        "image-shape-file": f'flowchart LR\n  A@{{ img: "file://{canary}", label: "画像" }}',
        "markdown-label": 'flowchart LR\n  A["`**太字** <img src=x onerror=window.ZBMARK=1>`"] --> B',
        "katex-label": 'flowchart LR\n  A["$$\\\\href{javascript:window.ZBMARK=1}{x}$$"] --> B',
        "title": "flowchart LR\n  A[\"</title><script>document.title='ZBMARK'</script>\"] --> B",
        "style-url": f"flowchart LR\n  A --> B\n  style A fill:#f9f,stroke:#333\n  classDef c fill:#fff\n"
                     f"  class B c\n  linkStyle 0 stroke:url({url}/ls)",
    }


@pytest.fixture(scope="module")
def hostile(tools, server, canary, tmp_path_factory):
    Counting.hits.clear()
    sources = hostile_diagrams(server, canary)
    result = render_diagrams(list(sources.values()), tmp_path_factory.mktemp("hostile"), timeout_s=300)
    return sources, result


def test_no_request_reaches_the_network(hostile):
    _, result = hostile
    assert result.unavailable is None
    assert Counting.hits == [], Counting.hits


def test_the_loads_the_pages_tried_were_counted_and_refused(hostile, server):
    """The image shape asks for its image: the page's policy stops it, and it is reported."""
    _, result = hostile
    assert any(server in what for what in result.refused), result.refused


def test_no_script_ran(hostile):
    _, result = hostile
    assert result.effects == []
    assert not any(what.startswith("dialog:") for what in result.refused), result.refused


def test_every_svg_written_is_inert_and_holds_no_canary(hostile, server):
    sources, result = hostile
    drawn = [name for name, src in sources.items() if diagram_key(src) in result.diagrams]
    assert len(drawn) >= len(sources) - 3, f"most hostile diagrams still draw: {drawn}"
    for name in drawn:
        diagram = result.diagrams[diagram_key(sources[name])]
        data = diagram.svg.read_bytes()
        assert not inert_problems(data), (name, inert_problems(data))
        markup = attributes_and_css(data)     # label text may show the source, as on Zenn
        assert server not in markup and "javascript:" not in markup.lower(), name
        for output in (diagram.svg, diagram.pdf):
            assert CANARY.encode() not in output.read_bytes(), (name, output.name)


def test_a_diagram_cannot_unlock_its_config(hostile):
    """securityLevel, htmlLabels and fonts stay ours whatever a directive says: real SVG text,
    our font, no HTML label."""
    sources, result = hostile
    for name in ("init-loose", "init-font", "front-matter"):
        svg = result.diagrams[diagram_key(sources[name])].svg.read_text(encoding="utf-8")
        assert "Noto Sans CJK JP" in svg and "foreignObject" not in svg and "<img" not in svg, name
        assert "font-family:x" not in svg.replace(" ", ""), name


CRAFTED = {
    "script": '<svg viewBox="0 0 10 10"><script>alert(1)</script><rect width="1" height="1"/></svg>',
    "handlers": '<svg onload="alert(1)"><rect onclick="x()" onmouseover="y()" width="1" height="1"/>'
                '<text onfocus="z()">keep</text></svg>',
    "links": '<svg><a href="javascript:alert(1)"><text>keep</text></a>'
             '<a xlink:href="https://x.invalid/"><rect width="1" height="1"/></a></svg>',
    "foreign": '<svg><foreignObject><iframe src="https://x.invalid/"></iframe>'
               '<img src="file:///etc/passwd"></foreignObject><rect width="1" height="1"/></svg>',
    "images": '<svg><image href="file:///etc/passwd"/><image xlink:href="https://x.invalid/i.png"/>'
              '<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>'
              '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/></svg>',
    "use": '<svg><use href="https://x.invalid/s.svg#a"/><use href="#local"/>'
           '<text><textPath href="https://x.invalid/p#x">keep</textPath></text></svg>',
    "animation": '<svg><a><set attributeName="href" to="javascript:alert(1)"/>'
                 '<animate attributeName="href" values="javascript:alert(1)"/></a>'
                 '<rect width="1" height="1"><animate attributeName="x" to="5"/></rect></svg>',
    "css-import": '<svg><style>@import url(https://x.invalid/a.css); @import "https://x.invalid/b.css";'
                  " .a{fill:red}</style></svg>",
    "css-url": '<svg><style>.a{fill:url(https://x.invalid/p.png#x)} .b{fill:url(#ok)}'
               ' .c{background:image-set("https://x.invalid/i.png" 1x)}</style></svg>',
    "css-escapes": '<svg><style>.a{background:u\\72l(https://x.invalid/e.png)}'
                   ' .b{background:\\75rl(https://x.invalid/f.png)} .c{fill:red}</style></svg>',
    "css-font-face": "<svg><style>@font-face{font-family:X;src:url(https://x.invalid/f.woff)}"
                     " .a{font-family:X}</style></svg>",
    "css-nested": "<svg><style>@media screen{.a{fill:url(https://x.invalid/m.png)}}"
                  " @supports (fill:red){.b{cursor:url(https://x.invalid/c.cur),auto}}</style></svg>",
    "attributes": '<svg><rect fill="url(https://x.invalid/p#x)" filter="url(https://x.invalid/f.svg#f)"'
                  ' marker-end="url(#ok)" style="fill:url(https://x.invalid/s.png);stroke:red"'
                  ' cursor="url(https://x.invalid/c.cur), auto" width="1" height="1"/></svg>',
    "xml-base": '<svg xml:base="https://x.invalid/"><g xml:base="file:///"><use href="#a"/></g></svg>',
    "html-inside": "<svg><div><b>html</b></div><math><mi>x</mi></math><rect width='1' height='1'/></svg>",
    "fe-image": '<svg><filter id="f"><feImage href="https://x.invalid/i.png"/></filter></svg>',
}
KEPT = {"handlers": "keep", "links": "keep", "use": 'href="#local"', "css-import": "fill: red",
        "css-url": 'url("#ok")', "css-escapes": "fill: red", "attributes": 'marker-end="url(#ok)"',
        "images": "data:image/png;base64,iVBORw0KGgo="}


def test_make_inert_on_hand_written_svg(tools, tmp_path):
    """makeInert (inert.js) in Chromium, on what mermaid never writes but a future one might."""
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"modules": str(tools.modules), "chromium": tools.chromium,
                               "page_script": str(INERT_SCRIPT), "cases": CRAFTED}), encoding="utf-8")
    proc = subprocess.run([tools.node, str(PROBE), str(job)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for name, xml in out.items():
        assert not inert_problems(xml.encode()), (name, inert_problems(xml.encode()), xml)
        assert "x.invalid" not in xml and "javascript:" not in xml and "file:" not in xml, (name, xml)
    for name, kept in KEPT.items():
        assert kept in out[name], (name, out[name])


def inert_problems(data: bytes) -> list[str]:
    """What in an SVG could run or fetch: forbidden elements, foreign namespaces, handlers,
    links out, CSS that loads."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace != SVG_NS or qname.localname in FORBIDDEN:
            problems.append(f"element {qname.localname}")
        for name, value in el.attrib.items():
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or local == "base":
                problems.append(f"attribute {local}")
            elif local == "href" and not (value.startswith("#") or (qname.localname == "image" and RASTER.fullmatch(value))):
                problems.append(f"href {value[:40]}")
            elif local == "style":
                problems += css_problems(value)
            elif "url(" in value and not LOCAL_URL.fullmatch(value):
                problems.append(f"{local}={value[:40]}")
        if qname.localname == "style":
            problems += css_problems(el.text or "")
    return problems


def attributes_and_css(data: bytes) -> str:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    values = [v for el in root.iter() if isinstance(el.tag, str) for v in el.attrib.values()]
    values += [el.text or "" for el in root.iter(f"{{{SVG_NS}}}style")]
    return "\n".join(values)


def css_problems(css: str) -> list[str]:
    found = [f"@{rule}" for rule in ("import", "font-face") if f"@{rule}" in css.lower()]
    found += [f"url({u[:40]})" for u in re.findall(r"""url\(\s*["']?([^)"']*)""", css) if not u.startswith("#")]
    if "image-set" in css.lower() or "\\" in css:
        found.append("image-set or an escape")
    return found
