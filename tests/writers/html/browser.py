"""Debian's Chromium, driven by Playwright, with every request of a page watched.

Never `playwright install`: the browser is /usr/bin/chromium, started with known flags.

    python -m tests.writers.html.browser PAGE.html OUT_DIR [DESKTOP_ID PHONE_ID]
        desktop and phone screenshots (the README's), at the given ids or at the top
"""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    return shutil.which("chromium")


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


@dataclass
class Watched:
    """What a page did while it was open: every request, console errors, uncaught errors,
    dialogs (alert/confirm/prompt: an article's script ran)."""
    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Every request but the page itself (data: URIs are part of the page, not requests
        that leave it; Chromium reports some of them)."""
        return [u for u in self.requests if u != self.url and not u.startswith("data:")]


def open_page(browser, path: Path, viewport: dict = DESKTOP, color_scheme: str = "light",
              media: str = "screen", timeout_ms: float = 30_000) -> Watched:
    context = browser.new_context(viewport=viewport, color_scheme=color_scheme,
                                  service_workers="block", device_scale_factor=1)
    page = context.new_page()
    watched = Watched(page, path.resolve().as_uri())

    def guard(route):
        url = route.request.url
        if url == watched.url:
            return route.continue_()
        watched.blocked.append(url)
        return route.abort()

    context.route("**/*", guard)
    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("websocket", lambda socket: watched.requests.append(socket.url))
    page.on("console", lambda message: watched.errors.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: watched.errors.append(f"pageerror: {error}"))
    page.on("dialog", lambda dialog: (watched.dialogs.append(dialog.message), dialog.dismiss()))
    page.emulate_media(media=media, color_scheme=color_scheme)
    page.set_default_timeout(timeout_ms)
    page.goto(watched.url, wait_until="load")
    return watched


def screenshots(html: Path, out_dir: Path, at: tuple[str, str] = ("", "")) -> list[Path]:
    """The README's two pictures, at desktop and phone width, scrolled to the ids `at`."""
    from playwright.sync_api import sync_playwright
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for name, viewport, anchor in (("html-desktop.png", DESKTOP, at[0]), ("html-phone.png", PHONE, at[1])):
            watched = open_page(browser, html, viewport)
            if anchor:
                watched.page.goto(f"{watched.url}#{anchor}")      # as a reader's link would
                watched.page.wait_for_timeout(200)
            target = out_dir / name
            watched.page.screenshot(path=str(target))
            if watched.errors or watched.foreign_requests():
                raise RuntimeError(f"{html}: {watched.errors + watched.foreign_requests()}")
            written.append(target)
            watched.page.context.close()
        browser.close()
    return written


if __name__ == "__main__":
    for shot in screenshots(Path(sys.argv[1]), Path(sys.argv[2]), tuple(sys.argv[3:5]) or ("", "")):
        print(shot, shot.stat().st_size)
