"""`build.py serve`: the socket, the first build, the server, Ctrl-C.

The port is taken before the first build (a second `serve` on the same port says so at
once and exits 1); loopback only unless --host says otherwise, with a warning then.
"""
from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import webbrowser
from pathlib import Path

import click
import uvicorn

from ..config import ConfigError
from ..diagnostics import Diagnostics
from ..reporting import print_diagnostics
from .app import LOOPBACK_NAMES, make_app
from .events import Hub
from .memory import settle
from .proofs import Proofs
from .state import BookArgs, Preview

EXIT_OK, EXIT_PROBLEMS = 0, 1
DEFAULT_HOST = "127.0.0.1"


class PortTaken(Exception):
    pass


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: any free one). PortTaken when it is in use."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(f"port {port} on {host} is taken (another serve?); give --port") from exc
        raise PortTaken(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def is_loopback(sock: socket.socket) -> bool:
    return ipaddress.ip_address(sock.getsockname()[0]).is_loopback


class PreviewServer(uvicorn.Server):
    """uvicorn's server; Ctrl-C also ends the open event streams, so it stops at once."""

    def __init__(self, config: uvicorn.Config, hub: Hub):
        super().__init__(config)
        self.hub = hub

    def handle_exit(self, sig, frame) -> None:
        self.hub.close()
        super().handle_exit(sig, frame)


def run_serve(args: BookArgs, host: str, port: int, open_browser: bool, debug: bool = False) -> int:
    try:
        sock = listening_socket(host, port)
    except PortTaken as exc:
        click.echo(f"serve: {exc}", err=True)
        return EXIT_PROBLEMS
    loopback = is_loopback(sock)
    if not loopback:
        click.echo(f"serve: WARNING: listening on {host}: anyone who can reach this machine can read "
                   "the book; the default, 127.0.0.1, is this machine only", err=True)
    preview = Preview(args, debug=debug)
    click.echo("serve: the first chapter (the others follow into the open page) ...", err=True)
    try:
        preview.start()
    except ConfigError:
        print_diagnostics(Diagnostics(items=preview.config_said))
        sock.close()
        return EXIT_PROBLEMS
    url = f"http://{'127.0.0.1' if loopback else host}:{sock.getsockname()[1]}/"
    serve_forever(preview, sock, LOOPBACK_NAMES if loopback else ["*"], url, open_browser)
    return EXIT_OK


def serve_forever(preview: Preview, sock: socket.socket, allowed_hosts: list[str], url: str,
                  open_browser: bool) -> None:
    hub = Hub()
    proofs = Proofs(preview, lambda slug: hub.publish("proof", {"slug": slug, "version": proofs.kept[slug].version}),
                    preview.debug)
    app = make_app(preview, hub, proofs, allowed_hosts, lambda line: click.echo(line, err=True), report_filled)
    server = PreviewServer(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                          timeout_graceful_shutdown=2), hub)
    click.echo(f"serving {url} (Ctrl-C to stop)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:      # uvicorn raises the signal again once it has stopped
        pass
    finally:
        sock.close()
    click.echo("stopped", err=True)


def report_filled(diagnostics: Diagnostics) -> None:
    """Every chapter is in the page: the book's diagnostics, as `build` prints them; what the
    book holds is settled out of the collector's way (the serve process only: tests that
    fill a preview in their own process keep the collector as it is)."""
    print_diagnostics(diagnostics)
    settle()            # a full collection (about a second on a course): before the server says it is done
    click.echo("serve: every chapter is in the page", err=True)


def serve_book(book_path: Path | None, articles_dir: Path | None, no_license: bool, host: str, port: int,
               open_browser: bool, debug: bool = False) -> int:
    return run_serve(BookArgs(book_path, articles_dir, no_license), host, port, open_browser, debug)
