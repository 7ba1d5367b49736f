"""The preview's own script and style, put into the book's page (and the proof pages): the
diagnostics panel, the reload on each save, the scroll position kept. The page's policy
(CSP) lets only a script with this server's nonce run: nothing an article says can."""
from __future__ import annotations

from functools import lru_cache
from html import escape
from importlib import resources


SEARCH_SCRIPT = '<script id="zennbook-search">'


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return resources.files("zennbook.serve").joinpath(name).read_text(encoding="utf-8")


def content_policy(nonce: str) -> str:
    """Images inlined or from this server, inline styles (the page's own), our script only,
    requests to this server only."""
    return ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'self' data:; "
            f"script-src 'nonce-{nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")


def inject_overlay(html: str, nonce: str, version: int, script: str = "overlay.js") -> str:
    """The style (and the page's version: a reload missed while the page loaded is sent when
    it connects) at the end of <head>, the script at the end of <body>."""
    return overlay_tail(overlay_head(html, version), nonce, script)


def overlay_head(html: str, version: int) -> str:
    """The style and the version at the end of <head> (the page's first piece holds it)."""
    style = (f'<meta name="zennbook-serve-version" content="{version}">\n<link rel="icon" href="data:,">\n'
             f"<style>{asset('overlay.css')}</style>\n")
    head, closing, rest = html.partition("</head>")
    return head + style + closing + rest if closing else style + html


def overlay_tail(html: str, nonce: str, script: str = "overlay.js") -> str:
    """Our script at the end of <body> (the page's last piece holds it). The page's own
    search script (the template's one <script>; an article's raw HTML is text, so it can
    write no tag) runs under the same nonce."""
    code = f'<script nonce="{escape(nonce)}">{asset(script)}</script>\n'
    html = html.replace(SEARCH_SCRIPT, f'<script id="zennbook-search" nonce="{escape(nonce)}">', 1)
    body, closing, rest = html.rpartition("</body>")
    return body + code + closing + rest if closing else html + code
