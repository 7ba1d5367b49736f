"""Hostile URLs and SVG in a whole book, built by the real CLI in all three formats: no live
link the URL policy refuses anywhere (every href, src and xlink:href of the HTML and the
EPUB; every annotation and action of the PDF), no canary, and located warnings."""
from __future__ import annotations

import base64
import re
import subprocess
import sys
import textwrap
import zipfile

import lxml.html
import pikepdf
import pytest
from lxml import etree

from tests.conftest import REPO, needs
from tests.hostile.harness import BOOK_YAML, CANARY, HostileBook, canary_png
from zennbook.safety.pdf import unsafe_actions
from zennbook.safety.urls import link_target

RASTER = re.compile(r"data:image/(png|jpeg);base64,")
HOSTILE_TARGETS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java%0ascript:alert(1)", "javascript&#58;alert(1)",
    "javascript&colon;alert(1)", "&#x6A;avascript:alert(1)", "javascript%3Aalert(1)",
    "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd",
    "run:/usr/bin/xcalc", "launch:calc.exe", "http://user:pw@evil.example/", "\\\\host\\share",
    "../outside/canary.txt", "x-unknown:thing", "https://example.com/" + "a/" * 4500,
]
EVIL_SVG = textwrap.dedent(f"""\
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20" onload="alert(1)">
    <script>alert('{CANARY}')</script>
    <style>@import url("file:///outside/canary.css"); rect {{ fill: url(file:///canary.svg#x) }}</style>
    <a xlink:href="javascript:alert(2)"><rect width="10" height="10" fill="red"/></a>
    <image href="../../outside/canary.png" width="5" height="5"/>
    <image href="data:image/png;base64,{base64.b64encode(canary_png()).decode()}" width="5" height="5"/>
    <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">{CANARY}</div></foreignObject>
    <animate attributeName="href" to="javascript:alert(3)"/>
    <set attributeName="onclick" to="alert(4)"/>
    </svg>
    """)


def article(targets: list[str]) -> str:
    lines = ["---", "title: 危険なリンク", "---", ""]
    for index, url in enumerate(targets):
        lines += [f"[link{index}]({url}) <{url}>", "", f"![image{index}]({url})", ""]
    lines += ["@[card](javascript:alert(5))", "", "@[card](https://example.com/card)", "",
              "@[youtube](dQw4w9WgXcQ)", "", "[mail](mailto:a@example.com?subject=x&body=javascript:alert(1))", "",
              "[self](#見出し) [other](./aa-good.md)", "", "## 見出し", "",
              "safe https://example.com/linkified here", ""]
    return "\n".join(lines)


def allowed_href(value: str) -> bool:
    """Allowed by the policy as a link, or a file of the EPUB itself (no '..', no scheme)."""
    target = link_target(value)
    if target is None:
        return False
    return target.kind in ("web", "mail", "fragment") or re.fullmatch(r"(?!.*\.\.)[\w./-]+(#.*)?", value) is not None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = HostileBook(tmp_path_factory.mktemp("urls"),
                       BOOK_YAML + 'source_url: "https://zenn.dev/someone/articles/{slug}"\ncards: cards.yaml\n')
    (book.root / "cards.yaml").write_text(
        '"javascript:alert(6)": {title: 悪いカード}\n"https://example.com/card": {title: 良いカード}\n',
        encoding="utf-8")
    book.article("bb-evil.md", article(HOSTILE_TARGETS))
    return book.build("html", "epub", "pdf")


@pytest.fixture(scope="module")
def built_svg(tmp_path_factory):
    """An article SVG image full of SVG attack vectors (the PDF takes no SVG images yet)."""
    book = HostileBook(tmp_path_factory.mktemp("svg"))
    (book.articles / "evil.svg").write_text(EVIL_SVG, encoding="utf-8")
    book.article("bb-evil.md", "---\ntitle: 悪いSVG\n---\n\n![evil svg](evil.svg)\n")
    return book.build("html", "epub")


def test_the_book_builds_clean_with_located_warnings(built):
    built.assert_clean()
    built.assert_located("bb-evil.md", "link.unsafe", "WARNING")
    built.assert_located("cards.yaml", "link.unsafe", "WARNING")
    assert re.search(r"bb-evil\.md:\d+: WARNING: link to 'run:/usr/bin/xcalc'", built.stderr), built.stderr[-3000:]
    assert built.stderr.count("'run:/usr/bin/xcalc' removed") == 1          # once per URL per article


def urls_in_markup(data: bytes, html: bool) -> list[str]:
    root = lxml.html.fromstring(data) if html else etree.fromstring(data)
    found = []
    for elem in root.iter(etree.Element):
        for name, value in elem.attrib.items():
            local = etree.QName(name).localname if name.startswith("{") else name
            if local in ("href", "src", "cite", "action", "formaction", "poster", "srcset"):
                found.append(value)
    return found


def test_every_url_of_the_html_page_is_allowed(built):
    data = built.output("html").read_bytes()
    urls = urls_in_markup(data, html=True)
    assert urls
    bad = [u[:80] for u in urls if not u.startswith("data:image/") and not allowed_href(u)]
    assert bad == []


@pytest.mark.parametrize("which", ["built", "built_svg"])
def test_every_url_of_the_epub_is_allowed(which, request):
    built = request.getfixturevalue(which)
    built.assert_clean()
    with zipfile.ZipFile(built.output("epub")) as archive:
        for name in archive.namelist():
            if not name.endswith((".xhtml", ".svg", ".opf", ".ncx")):
                continue
            member = archive.read(name)
            bad = [u[:80] for u in urls_in_markup(member, html=False)
                   if not allowed_href(u) and not (name.endswith(".svg") and RASTER.match(u))]
            assert bad == [], name
            if name.endswith(".svg"):
                assert b"script" not in member and b"foreignObject" not in member and b"onload" not in member


def test_the_svg_in_the_html_page_is_sanitized(built_svg):
    built_svg.assert_clean()
    data = built_svg.output("html").read_bytes()
    svgs = [base64.b64decode(m) for m in re.findall(rb"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", data)]
    assert svgs, "the article's SVG is not on the page"
    for svg in svgs:
        assert b"script" not in svg and b"onload" not in svg and b"javascript" not in svg and b"@import" not in svg


@needs("lualatex")
def test_no_pdf_annotation_or_action_can_run_or_fetch(built):
    with pikepdf.open(built.output("pdf")) as pdf:
        assert unsafe_actions(pdf) == []
        uris = []
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A")
                assert "/AA" not in annot
                if action is not None and action.get("/S") == "/URI":
                    uris.append(str(action.URI))
                elif action is not None:
                    assert action.get("/S") in ("/GoTo", None), action
        assert uris and all(link_target(u) and link_target(u).kind in ("web", "mail") for u in uris), uris


def test_the_pdf_scan_finds_what_hyperref_makes_of_unsafe_links(tmp_path):
    """The second wall's check can fail: a PDF with Launch, JavaScript, GoToR and a bad URI."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    actions = [pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/usr/bin/xcalc")),
               pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")),
               pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("file:///etc/passwd")),
               pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("javascript:alert(1)")),
               pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.com/"))]
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                             Rect=[0, 0, 10, 10], A=action)) for action in actions]))
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("x"))
    from zennbook.safety.pdf import remove_unsafe_actions
    assert len(unsafe_actions(pdf)) >= 5
    remove_unsafe_actions(pdf)
    assert unsafe_actions(pdf) == []
    assert str(pdf.pages[0].Annots[4].A.URI) == "https://example.com/"


@pytest.mark.parametrize("yaml_line, code", [
    ('source_url: "javascript:alert(1)//{slug}"', "config.url"),
    ('source_url: "{slug:>300000000}"', "config.format"),
    ('source_url: "https://zenn.dev/{user}/articles/{slug}"', "config.format"),
    ('source_url: "https://zenn.dev/{slug!r}"', "config.format"),
    ('source_url: "https://zenn.dev/{"', "config.format"),
])
def test_book_yaml_urls_and_formats_are_errors_that_check_reports(tmp_path, yaml_line, code):
    book = HostileBook(tmp_path, BOOK_YAML + yaml_line + "\n")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--book", str(book.root / "book.yaml")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert re.search(rf"book\.yaml: ERROR: .*\[{re.escape(code)}\]", proc.stderr), proc.stderr[-2000:]


def test_a_javascript_license_url_is_an_error(tmp_path):
    yaml_text = re.sub(r"url: \S+", 'url: "javascript:alert(1)"', BOOK_YAML, count=1)
    book = HostileBook(tmp_path, yaml_text)
    result = book.build("html")
    assert result.returncode == 1 and not result.outputs()
    result.assert_located("book.yaml", "config.url", "ERROR")
