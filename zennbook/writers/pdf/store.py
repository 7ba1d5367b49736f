"""The unit build's cache: entries point at job folders; folders no entry uses are collected."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ...cache import Cache
from .jobs import JOB

# -- the cache: entries point at job folders --------------------------------------------------------

class Store(Cache):
    """The cache of one build, remembering what it read (a stamp is looked up several times)."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.seen: dict[tuple[str, str], object] = {}

    def get(self, kind: str, key: str):
        if (kind, key) not in self.seen:
            self.seen[(kind, key)] = super().get(kind, key)
        return self.seen[(kind, key)]

    def put(self, kind: str, key: str, value) -> None:
        super().put(kind, key, value)
        self.seen[(kind, key)] = value


def lookup(store: Cache, kind: str, key: str) -> dict | None:
    """A cached entry whose job's PDF is still there (a collected job makes it a miss)."""
    entry = store.get(kind, key)
    if entry is None or not (store.root / "jobs" / entry["job"] / f"{JOB}.pdf").exists():
        return None
    return entry


def collect_garbage(root: Path, name: str, used: set[str], keep_seconds: float = 3600) -> int:
    """Record the jobs this output is made of; remove job folders no output is made of that
    are older than `keep_seconds` (a build running next to this one may have just made them)."""
    books = root / "books"
    books.mkdir(parents=True, exist_ok=True)
    record = books / f"{name}.json"
    fd, temporary = tempfile.mkstemp(dir=books, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(sorted(used), handle)
    os.replace(temporary, record)
    referenced: set[str] = set()
    for manifest in books.glob("*.json"):
        try:
            referenced.update(json.loads(manifest.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return 0                              # unreadable: collect nothing this time
    removed = 0
    now = time.time()
    for folder in (root / "jobs").iterdir() if (root / "jobs").exists() else ():
        if folder.name not in referenced and now - folder.stat().st_mtime > keep_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
