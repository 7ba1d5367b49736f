"""The content-hash cache with a memory in front: the preview keeps every entry it reads or
writes, so a save re-reads from disk only what it has never seen. Entries still go to disk
(the next `build` or `serve` starts warm)."""
from __future__ import annotations

from ..cache import Cache


class MemoryCache(Cache):
    def __init__(self, root=None):
        super().__init__(root)
        self.kept: dict[tuple[str, str], object] = {}

    def get(self, kind: str, key: str):
        if (kind, key) in self.kept:
            self.hits += 1
            return self.kept[kind, key]
        value = super().get(kind, key)
        if value is not None:
            self.kept[kind, key] = value
        return value

    def put(self, kind: str, key: str, value) -> None:
        super().put(kind, key, value)
        self.kept[kind, key] = value
