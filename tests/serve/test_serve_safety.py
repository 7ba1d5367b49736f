"""What the preview serves and to whom: only the rendered book and its proofs, from memory;
no path of the book's folder by name (`..`, encoded, symlinks); loopback only by default;
a taken port says so and exits 1; Ctrl-C stops it cleanly with pages still connected."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.serve.conftest import ARTICLES, serve_command, start_serve, write_book

SECRET = "SECRET-OUTSIDE-THE-BOOK-7f3a"
TRAVERSALS = [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt", "/..%2Fouter%2Fsecret.txt",
    "/proof/..%2f..%2fsecret.txt", "/proof/%2e%2e/%2e%2e/secret.txt", "/proof/one/..%2f..%2fsecret.txt",
    "/proof/leak/1.png", "/articles/one.md", "/articles/leak.md", "/book.yaml", "/articles/", "/proof/",
    "/__serve/", "//etc/passwd", "/%2fetc%2fpasswd", "/..%5c..%5csecret.txt", "/.zennbook-cache/",
]


@pytest.fixture
def leaky(tmp_path):
    """A book whose articles folder holds a symlink to a file outside the book."""
    outside = tmp_path / "outer"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"---\ntitle: leak\n---\n\n{SECRET}\n", encoding="utf-8")
    folder = tmp_path / "book"
    book = write_book(folder, {**ARTICLES, "leak": "placeholder"})
    (folder / "articles" / "leak.md").unlink()
    os.symlink(outside / "secret.txt", folder / "articles" / "leak.md")
    running = start_serve(folder, "--book", str(book), "--port", "0")
    yield running
    running.stop()


def test_no_request_reaches_a_file_outside_the_rendered_book(leaky):
    status, page = leaky.get("/")
    assert status == 200 and "Original first paragraph." in page.decode()
    for path in ["/", "/__serve/state", "/proof/leak", *TRAVERSALS]:
        status, body = leaky.get(path)
        assert SECRET.encode() not in body, path
        if path in TRAVERSALS:
            assert status in (400, 404), (path, status)
    _, state = leaky.get("/__serve/state")
    assert b"articles/leak.md" in state and b"input." in state     # refused, and said so


def test_a_page_of_another_host_name_is_refused(served):
    """A web page elsewhere cannot reach the preview through a DNS name that points here."""
    status, _ = served.get("/", headers={"Host": "attacker.example"})
    assert status == 400
    assert served.get("/", headers={"Host": f"localhost:{served.port}"})[0] == 200


def listening_addresses(port: int) -> list[str]:
    """The local addresses of the sockets listening on `port` (Linux's /proc/net/tcp{,6})."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_it_listens_on_loopback_only_by_default(served):
    assert served.host == "127.0.0.1"
    assert listening_addresses(served.port) == ["0100007F"]        # 127.0.0.1, and nothing else


def test_another_host_is_served_with_a_warning(book):
    running = start_serve(book.parent, "--book", str(book), "--port", "0", "--host", "0.0.0.0")
    try:
        assert listening_addresses(running.port) == ["00000000"]
    finally:
        code, said = running.stop()
    assert "WARNING: listening on 0.0.0.0" in said and code == 0


def test_a_taken_port_is_said_and_exits_1(book):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        done = subprocess.run(serve_command("--book", str(book), "--port", str(port)), cwd=book.parent,
                              capture_output=True, text=True, timeout=60)
    finally:
        holder.close()
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is taken" in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_stops_it_cleanly_with_a_page_still_listening(served):
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    connection.request("GET", "/__serve/events")
    events = connection.getresponse()
    assert events.status == 200 and events.readline().startswith(b"retry:")
    code, said = served.stop()
    assert code == 0, said
    assert "stopped" in said and "Traceback" not in said
    connection.close()


def test_a_page_older_than_the_book_is_told_to_reload_when_it_connects(served):
    """A save while the page was loading is not lost: its version is behind, it reloads."""
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    connection.request("GET", "/__serve/events?page=0")
    events = connection.getresponse()
    lines = [events.readline() for _ in range(4)]
    connection.close()
    assert b"event: reload\n" in lines
