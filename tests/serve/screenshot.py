"""The README's picture of the preview: the sample book served from a copy in which one
article's front matter is broken and another names an embed Zenn does not have, with the
diagnostics panel open and the warning clicked (its element flashed on the page).

    .venv/bin/python -m tests.serve.screenshot docs/serve-preview.png
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.conftest import REPO
from tests.serve.conftest import start_serve
from tests.writers.html.browser import DESKTOP, launch

BROKEN = "02-math-and-code.md"
WARNED = "01-getting-started.md"


def sample_copy(folder: Path) -> Path:
    for name in ("articles", "images"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("book.yaml", "cards.yaml"):
        shutil.copy(REPO / name, folder / name)
    return folder / "book.yaml"


def break_articles(folder: Path) -> None:
    broken = folder / "articles" / BROKEN
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("title:", "title: [", 1), encoding="utf-8")
    warned = folder / "articles" / WARNED
    lines = warned.read_text(encoding="utf-8").split("\n")
    body = next(i for i, line in enumerate(lines) if line.startswith("## ") and i > 3)
    lines[body + 1:body + 1] = ["", "@[vimeo](https://vimeo.com/76979871)", ""]
    warned.write_text("\n".join(lines), encoding="utf-8")


def take(out: Path) -> Path:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="serve-shot-") as tmp:
        book = sample_copy(Path(tmp))
        served = start_serve(Path(tmp), "--book", str(book), "--port", "0")
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                page = browser.new_context(viewport=DESKTOP, device_scale_factor=1).new_page()
                page.goto(served.url, wait_until="load")
                break_articles(Path(tmp))
                page.locator("#zb-panel .zb-item.zb-error").first.wait_for()
                page.locator("#zb-panel .zb-item.zb-warning", has_text="vimeo").first.click()
                page.wait_for_timeout(400)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            served.stop()
    return out


if __name__ == "__main__":
    shot = take(Path(sys.argv[1]))
    print(shot, shot.stat().st_size)
