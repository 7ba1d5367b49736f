"""Content-hash caches: a rebuild redoes only what changed.

Every cached value is keyed by a hash of everything it was made from: the source bytes,
the book's configuration, the code that made it (our modules, filters and templates) and
the versions of the tools involved. Change any of them and the key changes; nothing is
ever invalidated by hand. Entries are written atomically, so a killed build leaves none
half-written.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

CODE_SUFFIXES = (".py", ".j2", ".sty", ".css", ".js", ".mjs", ".json")
# The Python libraries whose versions shape an output (the release manifest lists them too).
PACKAGES = ("pypandoc-binary", "panflute", "ftfy", "wordfreq", "regex", "markdown-it-py", "ebooklib",
            "Jinja2", "lxml", "segno", "Pillow", "fonttools", "uharfbuzz", "pikepdf", "tinycss2", "weasyprint",
            "pydyf")
DEFAULT_CACHE_DIR = Path(".zennbook-cache")


def sha256(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a regular file's bytes, read in chunks; "" when `path` is not a regular
    file (missing, a link, a FIFO: opened without following or blocking)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_atomically(path: Path, data: bytes | str) -> None:
    """`path` holds all of `data` or what it held before: written beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


def write_json(path: Path, data) -> None:
    """`data` as JSON (UTF-8, not escaped), written atomically."""
    write_atomically(path, json.dumps(data, ensure_ascii=False))


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Our code, filters and templates, and the versions of the libraries that shape output."""
    parts = []
    for name, path in package_files():
        parts += [name, path.read_bytes()]
    for package in PACKAGES:
        try:
            parts.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package} missing")
    return sha256(*parts)


def package_files() -> list[tuple[str, Path]]:
    """The package's own files (its filters and templates included), by their name inside
    the package: the same names, so the same keys, wherever it is installed."""
    root = Path(str(resources.files("zennbook")))
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=True):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for file in files:
            path = Path(folder) / file
            if path.suffix in CODE_SUFFIXES:
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


class Cache:
    """A folder of JSON entries, one file per key, grouped by kind."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or DEFAULT_CACHE_DIR)
        self.hits = 0
        self.misses = 0

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str):
        path = self.path(kind, key)
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value) -> None:
        self.put_json_text(kind, key, json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def put_json_text(self, kind: str, key: str, text: str) -> None:
        """Store a value already serialized as JSON (a pandoc AST: no second encoding)."""
        write_atomically(self.path(kind, key), text)

    def memo(self, kind: str, key: str, compute):
        """The cached value for key, or compute() stored under it."""
        value = self.get(kind, key)
        if value is None:
            value = compute()
            self.put(kind, key, value)
        return value
