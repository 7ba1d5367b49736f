"""End-to-end: whole books built by the real CLI in every format, checked as a reader sees them.

Text is compared, never bytes: pdftotext for the PDF, the EPUB unzipped and its XHTML parsed,
the HTML parsed. One build per book for the whole module (LaTeX is the slow part).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from tests.conftest import REPO, SEEDS, needs

pytestmark = needs("lualatex", "pdftotext")


def run_build(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=1200)


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def epub_documents(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}


def xhtml_text(root: etree._Element) -> str:
    return "".join(root.itertext())


def html_tree(path: Path):
    return lxml.html.fromstring(path.read_bytes())


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    # --strict: the sample book is our showcase, so it builds without one warning
    proc = run_build("--out", str(out), "--strict")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


@pytest.fixture(scope="module")
def footnote_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("footnotes")
    for slug, word in (("aa-first-article", "りんご"), ("bb-second-article", "みかん")):
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: {word}の章\n---\n\n本文{word}です[^1]。二つ目[^2]。\n\n"
            f"[^1]: 注{word}一\n[^2]: 注{word}二\n", encoding="utf-8")
    out = folder / "out"
    proc = run_build("--articles", str(folder), "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def seeds_book(tmp_path_factory):
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not present")
    folder = tmp_path_factory.mktemp("seeds")
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, folder / f"{seed.stem}.md")
    out = tmp_path_factory.mktemp("seeds-out")
    proc = run_build("--articles", str(folder), "--out", str(out))
    return folder, out, proc


def test_sample_book_all_formats_exist(sample):
    out, _ = sample
    for ext in ("pdf", "epub", "html"):
        assert (out / f"zennbook-sample.{ext}").stat().st_size > 10_000


def test_sample_pdf_text_and_license_on_every_page(sample):
    out, _ = sample
    pages = pdf_pages(out / "zennbook-sample.pdf")
    assert len(pages) > 20
    short = "CC BY-NC-SA 4.0 · 個人の学習目的に限る"
    without = [i + 1 for i, page in enumerate(pages) if short not in page]
    assert not without, f"license line missing on pages {without}"
    text = "\n".join(pages)
    for title in ("Zennの記事フォルダを一冊の本にする", "基礎編", "応用編", "目次"):
        assert title in text


def test_newline_is_a_line_break_in_every_output(sample):
    """Zenn: a newline inside a paragraph is a line break, never a space between Japanese."""
    out, _ = sample
    first, second = "本でも同じ位置で", "折り返されています"
    pdf = "\n".join(pdf_pages(out / "zennbook-sample.pdf"))
    assert re.search(f"{first}\n{second}", pdf), "PDF keeps the break"
    html = (out / "zennbook-sample.html").read_text(encoding="utf-8")
    assert re.search(f"{first}<br\\s*/?>\\s*{second}", html)
    docs = epub_documents(out / "zennbook-sample.epub")
    xhtml = "".join(etree.tostring(d, encoding="unicode") for d in docs.values())
    assert re.search(f"{first}<br\\s*/>\\s*{second}", xhtml)
    for text in (pdf, html, xhtml):
        assert f"{first} {second}" not in text and f"{first}{second}" not in text


def test_sample_html_has_every_chapter_and_license(sample):
    out, _ = sample
    tree = html_tree(out / "zennbook-sample.html")
    assert len(tree.xpath('//article[contains(@class, "chapter")]')) == 5
    assert tree.xpath('//meta[@name="license"]') and tree.xpath('//link[@rel="license"]')
    assert tree.xpath('//*[contains(@class, "license-banner")]')
    assert len(tree.xpath('//footer[contains(@class, "attribution")]')) == 5


def test_sample_epub_one_document_per_article(sample):
    out, _ = sample
    docs = epub_documents(out / "zennbook-sample.epub")
    chapters = [n for n in docs if "chapter-" in n]
    assert len(chapters) == 5
    with zipfile.ZipFile(out / "zennbook-sample.epub") as z:
        opf = z.read("EPUB/content.opf").decode()
        assert z.namelist()[0] == "mimetype"
    assert "CC BY-NC-SA 4.0" in opf and "<dc:language>ja</dc:language>" in opf
    assert "dcterms:modified" in opf


def test_footnotes_stay_with_their_article(footnote_book):
    out = footnote_book
    slug = footnote_book.parent.name
    tree = html_tree(next(out.glob("*.html")))
    articles = tree.xpath('//article[contains(@class, "chapter")]')
    assert len(articles) == 2
    for article, word, other in ((articles[0], "りんご", "みかん"), (articles[1], "みかん", "りんご")):
        text = article.text_content()
        assert f"注{word}一" in text and f"注{word}二" in text
        assert f"注{other}" not in text
        for ref in article.xpath('.//a[contains(@class, "footnote-ref")]/@href'):
            assert article.xpath(f'.//*[@id="{ref[1:]}"]'), f"{ref} resolves inside its article"
    docs = epub_documents(next(out.glob("*.epub")))
    chapter_texts = [xhtml_text(d) for n, d in sorted(docs.items()) if "chapter-" in n]
    assert "注りんご一" in chapter_texts[0] and "注みかん" not in chapter_texts[0]
    assert "注みかん一" in chapter_texts[1] and "注りんご" not in chapter_texts[1]
    pdf = "\n".join(pdf_pages(next(out.glob("*.pdf"))))
    for note in ("注りんご一", "注りんご二", "注みかん一", "注みかん二"):
        assert note in pdf
    assert slug


def test_seeds_build_into_every_format(seeds_book):
    folder, out, proc = seeds_book
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "verify: ok" in proc.stdout, "nothing of the seeds lost in any format"
    slug = re.sub(r"[^0-9a-z]+", "-", folder.name.lower()).strip("-")
    for ext in ("pdf", "epub", "html"):
        assert (out / f"{slug}.{ext}").exists(), proc.stderr[-3000:]
    html = (out / f"{slug}.html").read_text(encoding="utf-8")
    assert "機械学習、深層学習、GPTの学習マップ" in html, "Jekyll title mapped"
    assert "生成AIをゼロから理解し" in html, "plain-text transcript present"
