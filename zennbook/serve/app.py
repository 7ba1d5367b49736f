"""The preview's web application (starlette). Everything it serves is held in memory:

    /                       the book's page, with the diagnostics panel
    /__serve/state          the diagnostics, grouped by article (JSON)
    /__serve/events         server-sent events: `reload` after a save, `proof` when one is made
    /__serve/chapter/<id>   one chapter of the page as it is now (swapped in place after a save),
                            or `toc`, the contents' list
    /proof/<slug>           that article in the print layout, as page images
    /proof/<slug>/<n>.png   page n of it

No path of the book's folder is served by name (a slug is looked up among the book's
chapters, never joined to a folder), so `..`, encoded slashes and symlinks lead nowhere, and
there is no folder to list. Only requests naming this server's host are answered (a page
elsewhere cannot reach it through a DNS name it controls).
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
from html import escape

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..proof import where
from .events import Hub
from .overlay import content_policy, inject_overlay
from .proofs import Proof, Proofs
from .state import Preview
from .watcher import watch

LOOPBACK_NAMES = ["127.0.0.1", "localhost"]


def make_app(preview: Preview, hub: Hub, proofs: Proofs, allowed_hosts: list[str], echo,
             report=lambda diagnostics: None) -> Starlette:
    """`report` is told the whole book's diagnostics once every chapter is in the page."""
    def headers(extra: dict | None = None) -> dict:
        return {"Content-Security-Policy": content_policy(preview.nonce), "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", **(extra or {})}

    async def page(request: Request) -> Response:
        return Response(await asyncio.to_thread(preview.page_now), media_type="text/html; charset=utf-8",
                        headers=headers())

    async def state(request: Request) -> Response:
        return Response(preview.state, media_type="application/json", headers=headers())

    async def chapter(request: Request) -> Response:
        found = preview.chapter(request.path_params["chapter"])
        if found is None:
            return not_found()
        return Response(found, media_type="text/html; charset=utf-8", headers=headers())

    async def events(request: Request) -> Response:
        first = []
        page_version = request.query_params.get("page", "")
        missed = preview.since(int(page_version)) if page_version.isdigit() else None
        if missed is not None:          # what came while the page loaded: swapped in, when it can be
            first.append(("reload", missed))
        slug = request.query_params.get("proof", "")
        if slug in proofs.kept and request.query_params.get("proofv") != str(proofs.kept[slug].version):
            first.append(("proof", {"slug": slug, "version": proofs.kept[slug].version}))
        return StreamingResponse(hub.stream(first), media_type="text/event-stream", headers=headers())

    async def proof_page(request: Request) -> Response:
        slug = chapter_slug(request)
        if slug is None:
            return not_found()
        html = proof_html(slug, preview.good.get(slug), proofs.ask(slug))
        return Response(inject_overlay(html, preview.nonce, preview.page_version, "proof.js"),
                        media_type="text/html; charset=utf-8", headers=headers())

    async def proof_image(request: Request) -> Response:
        slug = chapter_slug(request)
        image = await asyncio.to_thread(proofs.image, slug, request.path_params["number"]) if slug else None
        if image is None:
            return not_found()
        return Response(image, media_type="image/png", headers=headers())

    def chapter_slug(request: Request) -> str | None:
        slug = request.path_params["slug"]
        return slug if slug in preview.book.chapter_slugs else None

    @contextlib.asynccontextmanager
    async def lifespan(app):
        hub.attach(asyncio.get_running_loop())
        stop, stopped = asyncio.Event(), threading.Event()
        watching = asyncio.create_task(watch(preview, hub, proofs, stop, echo))
        # a thread of its own, not the loop's: Ctrl-C does not wait for a batch to finish
        threading.Thread(target=fill, args=(preview, hub, stopped, report), name="fill", daemon=True).start()
        try:
            yield
        finally:
            stop.set()
            stopped.set()
            hub.close()
            proofs.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(watching, 5)

    routes = [
        Route("/", page),
        Route("/__serve/state", state),
        Route("/__serve/events", events),
        Route("/__serve/chapter/{chapter}", chapter),
        Route("/proof/{slug}", proof_page),
        Route("/proof/{slug}/{number:int}.png", proof_image),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)])


def fill(preview: Preview, hub: Hub, stopped: threading.Event, report) -> None:
    """The chapters the first page left out, each batch pushed to the open pages (which
    stay where their reader is); then the whole book's diagnostics reported."""
    def told(update) -> None:
        hub.publish("reload", update.event(follow=False))
    diagnostics = preview.fill(told, stopped)
    if not stopped.is_set():
        report(diagnostics)


def not_found() -> Response:
    return PlainTextResponse("not found", status_code=404)


def proof_html(slug: str, article, proof: Proof) -> str:
    """The proof page: its state, its problems, its pages."""
    title = escape(article.title if article else slug)
    if proof.building and proof.exact is not None:
        status = f"pages 1–{proof.exact} are the new proof's; making the whole proof… (the pages after them are the last one)"
    elif proof.building:
        status = "making the proof…" if not proof.pages else "making a newer proof… (these pages are the last one)"
    else:
        status = f"made in {proof.seconds:.1f} s" if proof.pages else "no proof: see the problems below"
    problems = [escape(str(d)) for d in proof.diagnostics] + [escape(line) for line in layout_lines(proof.layout)]
    items = "".join(f"<li>{p}</li>" for p in problems) or "<li>no layout problems</li>"
    # each page keeps its size before its image comes: only the pages in view are asked for
    pages = "".join(f'<img class="zb-page" src="/proof/{escape(slug)}/{n}.png?v={proof.version}" alt="page {n}" '
                    f'width="{width}" height="{height}" loading="lazy" data-page="{n}">'
                    for n, (width, height) in enumerate(proof.sizes, start=1))
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
            f'<meta name="zennbook-proof" content="{escape(slug)}" data-version="{proof.version}">'
            f"<title>proof: {title}</title></head><body class=\"zb-proof\"><h1>{title}</h1>"
            f'<p class="zb-status">{escape(status)}</p><ul class="zb-problems">{items}</ul>'
            f'<div class="zb-pages" data-version="{proof.version}">{pages}</div>'
            f'<p><a href="/">← the book</a></p></body></html>')


def layout_lines(layout: dict) -> list[str]:
    """The layout report's problems, one line each (as `proof` prints them)."""
    lines = [f"{where(i)}: {i['kind']} runs {i['pt']:.1f}pt past the margin" for i in layout.get("overfull", [])]
    lines += [f"{where(i)}: {i['message']}" for i in layout.get("math", [])]
    lines += [f"{where(i)}: no glyph for {i['char']} in {i['font']}" for i in layout.get("missing_glyphs", [])]
    lines += [f"{where(i)}: link to '{i['target']}' leads nowhere" for i in layout.get("unresolved_references", [])]
    lines += [f"{where(i)}: LaTeX error: {i['message']}" for i in layout.get("errors", [])]
    return lines
