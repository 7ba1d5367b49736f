"""`build.py serve`: a live preview for authors.

    server   the socket (loopback by default), the first build, uvicorn, Ctrl-C
    state    the book kept in memory: the first page after one chapter, the others filled in;
             a save prepares again only the changed chapters
    pieces   the page held in pieces (each chapter, the contents): a save swaps one
    memory   the content-hash cache with a memory in front
    watcher  watchfiles on the book's folders -> refresh -> a reload event to every page
    events   server-sent events
    proofs   /proof/<slug>: the print layout, made in the background, its pages drawn when looked at
    app      the routes; everything served comes from memory
    overlay  the panel's script and style (overlay.js, overlay.css, proof.js), put into pages
"""
from .server import serve_book

__all__ = ["serve_book"]
