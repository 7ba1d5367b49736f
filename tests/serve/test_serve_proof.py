"""`/proof/<slug>`: the article in the print layout as page images, made in the background on
the first ask and made again after a save, its pages drawn as they are asked for (three LaTeX
runs in this file)."""
from __future__ import annotations

import io
import re
import subprocess
import threading
import time

from PIL import Image

from tests.conftest import needs
from tests.serve.conftest import ARTICLES, write_book
from zennbook.diagnostics import Diagnostics
from zennbook.proof import find_target, typeset
from zennbook.serve import proofs as proofs_module
from zennbook.serve.app import proof_html
from zennbook.serve.proofs import Proofs
from zennbook.serve.state import BookArgs, Preview

pytestmark = needs("lualatex", "pdftoppm")
PROOF_TIMEOUT_S = 240
PNG = b"\x89PNG\r\n\x1a\n"


def proof_when(served, slug: str, ready) -> str:
    deadline = time.monotonic() + PROOF_TIMEOUT_S
    while time.monotonic() < deadline:
        status, body = served.get(f"/proof/{slug}")
        assert status == 200
        if ready(body.decode()):
            return body.decode()
        time.sleep(0.5)
    raise AssertionError(f"no proof of {slug}: {body.decode()[-2000:]}")


def version(page: str) -> int:
    return int(re.search(r'name="zennbook-proof" content="[^"]*" data-version="(\d+)"', page).group(1))


def test_a_proof_is_made_on_demand_and_again_after_a_save(served):
    first = proof_when(served, "one", lambda page: 'class="zb-page"' in page and "made in" in page)
    status, image = served.get(f"/proof/one/1.png?v={version(first)}")
    assert status == 200 and image.startswith(PNG)
    assert served.get("/proof/one/99.png")[0] == 404

    (served.folder / "articles" / "one.md").write_text(
        ARTICLES["one"].replace("Original first paragraph.", "A much longer first paragraph. " * 40),
        encoding="utf-8")
    again = proof_when(served, "one", lambda page: version(page) > version(first) and "made in" in page)
    assert served.get("/proof/one/1.png")[1] != image
    assert "making" not in again


LONG = ARTICLES["one"] + "".join(f"\n## 節 {i}\n\n{'長い本文が続きます。' * 60}\n" for i in range(12))


def test_the_proof_draws_a_page_when_it_is_asked_for_page_one_before_the_last(tmp_path, monkeypatch):
    """The lazy proof: once the PDF is made, page 1 is drawn on its own, and the last page
    is not drawn until it is asked for."""
    monkeypatch.chdir(tmp_path)
    preview = Preview(BookArgs(book_path=write_book(tmp_path, {**ARTICLES, "one": LONG})), cache_dir=tmp_path / "cache")
    preview.start(first=None)
    done = threading.Event()
    proofs = Proofs(preview, lambda slug: done.set() if not proofs.kept[slug].building else None,
                    the_rest_after_s=None, warm_ahead=False)
    drawn, real = [], proofs_module.draw_page
    monkeypatch.setattr(proofs_module, "draw_page", lambda pdf, n, folder: drawn.append(n) or real(pdf, n, folder))
    try:
        proofs.ask("one")
        assert done.wait(PROOF_TIMEOUT_S)
        proof = proofs.kept["one"]
        assert proof.pages >= 3 and drawn == [] and proof.images == {}
        assert proofs.image("one", 1).startswith(PNG)
        assert drawn == [1] and proof.pages not in proof.images          # page 1 shown, the last not drawn
        width, height = proof.sizes[0]
        assert Image.open(io.BytesIO(proof.images[1])).size == (width, height)
        page = proof_html("one", preview.good["one"], proof)
        assert page.count('loading="lazy"') == proof.pages and f'width="{width}" height="{height}"' in page
        assert proofs.image("one", proof.pages + 1) is None
    finally:
        proofs.close()


def fonts_of(folder) -> list[str]:
    return sorted(p.name for p in (folder / ".zennbook-cache" / "proof" / "serve-test--one" / "fonts").iterdir())


def test_a_save_that_brings_no_character_new_to_the_book_keeps_the_font_cut_and_the_run_started_ahead(
        tmp_path, monkeypatch):
    """luaotfload compiles a font cut once per file name: a cut that stays is a third of a
    proof's LaTeX run saved, and lets the run started ahead (its preamble, fonts included,
    loaded) set the next proof. 鑑 is in chapter two only, until chapter one is saved with it."""
    monkeypatch.chdir(tmp_path)
    two = ARTICLES["two"] + "\n鑑賞の章。\n"
    preview = Preview(BookArgs(book_path=write_book(tmp_path, {**ARTICLES, "two": two})), cache_dir=tmp_path / "cache")
    preview.start(first=None)
    made = threading.Semaphore(0)
    proofs = Proofs(preview, lambda slug: None if proofs.kept[slug].building else made.release(), the_rest_after_s=None)
    try:
        proofs.ask("one")
        assert made.acquire(timeout=PROOF_TIMEOUT_S) and proofs.kept["one"].pages
        cut = fonts_of(tmp_path)
        article = tmp_path / "articles" / "one.md"
        article.write_text(ARTICLES["one"].replace("Original first paragraph.", "鑑の字が初めて来る段落。"), encoding="utf-8")
        proofs.after_save(preview.refresh([article]).slugs)
        assert made.acquire(timeout=PROOF_TIMEOUT_S) and proofs.kept["one"].version == 2
        folder = tmp_path / ".zennbook-cache" / "proof" / "serve-test--one"     # proof's own cache, as `proof` keeps it
        assert "鑑" in "".join(p.read_text(encoding="utf-8") for p in [folder / "proof.tex", *folder.glob("chapters/*.tex")])
        assert fonts_of(tmp_path) == cut
        # ... and the run started ahead (preamble loaded, waiting) set it: the same pages as a fresh run
        assert proofs.warm.used == 1
        warm_text = pdf_text(proofs.kept["one"].pdf)
        fresh = typeset(find_target(preview.book, "one"), Diagnostics(), characters=preview.characters())
        assert warm_text == pdf_text(fresh["pdf"]) and "鑑の字が初めて来る段落" in warm_text.replace("\n", "")
    finally:
        proofs.close()


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


SECTIONS = "".join(f"\n## 節 {i}\n\n" + "\n\n".join("長い本文が続きます。" * 40 for _ in range(5)) + "\n"
                   for i in range(12))


def same_pixels(a: bytes, b: bytes) -> bool:
    from PIL import ImageChops
    first, second = (Image.open(io.BytesIO(png)).convert("RGB") for png in (a, b))
    return first.size == second.size and ImageChops.difference(first, second).getbbox() is None


def test_after_a_save_the_first_pages_come_first_and_are_the_whole_proofs_pages(tmp_path, monkeypatch):
    """firstpages.py: a save near the start of a long chapter shows the pages up to a little
    past the edit before the whole proof, as the same pixels as the whole proof's pages; until
    the whole proof comes, the pages after them are the last proof's."""
    monkeypatch.chdir(tmp_path)
    long = ARTICLES["one"] + SECTIONS
    preview = Preview(BookArgs(book_path=write_book(tmp_path, {**ARTICLES, "one": long})), cache_dir=tmp_path / "cache")
    preview.start(first=None)
    made, first_pages = threading.Semaphore(0), []

    def told(slug):
        proof = proofs.kept[slug]
        if proof.exact is not None:     # drawn now: its PDF goes when the whole proof comes
            first_pages.append((proof, [proofs.image(slug, n) for n in range(1, proof.exact + 2)]))
        elif not proof.building:
            made.release()
    proofs = Proofs(preview, told, the_rest_after_s=None)
    try:
        proofs.ask("one")
        assert made.acquire(timeout=PROOF_TIMEOUT_S) and proofs.kept["one"].pages >= 10
        last = proofs.kept["one"]
        old_images = [proofs.image("one", n) for n in range(1, last.pages + 1)]
        article = tmp_path / "articles" / "one.md"
        article.write_text(long.replace("Original first paragraph.", "保存で書き換えた最初の段落。"), encoding="utf-8")
        proofs.after_save(preview.refresh([article]).slugs)
        assert made.acquire(timeout=PROOF_TIMEOUT_S)
        whole = proofs.kept["one"]
        assert len(first_pages) == 1, "no first pages were shown before the whole proof"
        first, images = first_pages[0]
        assert first.version == last.version + 1 and whole.version == first.version + 1
        assert 1 <= first.exact < whole.pages - 3 and first.pages == last.pages
        for number, image in enumerate(images[:-1], start=1):
            assert same_pixels(image, proofs.image("one", number)), f"page {number} is not the whole proof's"
        assert images[-1] == old_images[first.exact]          # the page after them: the last proof's
        assert "保存で書き換えた最初の段落" in pdf_text(whole.pdf).replace("\n", "")
        assert not first.pdf.exists() and not last.pdf.exists() and whole.pdf.exists()     # only the newest kept
    finally:
        proofs.close()
