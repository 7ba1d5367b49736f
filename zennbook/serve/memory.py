"""The content-hash cache with a memory in front: the preview keeps the entries it reads or
writes, so a save re-reads from disk only what it has never seen. Entries still go to disk
(the next `build` or `serve` starts warm).

The memory is bounded, least recently used first out: every render of the page touches the
entries of the book as it is now, so what a save left behind (an article's previous version,
its previous HTML) is what goes, and a long session does not grow without end.

Once the book is in, the serve process moves what it holds out of the cycle collector's way
(`settle`).
"""
from __future__ import annotations

import gc
import threading
from collections import OrderedDict

from ..cache import Cache

ENTRIES_PER_CHAPTER = 4       # its article, its page HTML, its code blocks' HTML, and room for one more
SPARE_ENTRIES = 64


class MemoryCache(Cache):
    def __init__(self, root=None, limit: int = SPARE_ENTRIES):
        super().__init__(root)
        self.kept: OrderedDict[tuple[str, str], object] = OrderedDict()
        self.limit = limit
        self.lock = threading.Lock()      # the book fills in one thread while a save is prepared in another

    def fit(self, chapters: int) -> None:
        """Room for a book of this many chapters."""
        self.limit = ENTRIES_PER_CHAPTER * chapters + SPARE_ENTRIES

    def get(self, kind: str, key: str):
        with self.lock:
            if (kind, key) in self.kept:
                self.hits += 1
                self.kept.move_to_end((kind, key))
                return self.kept[kind, key]
        value = super().get(kind, key)
        if value is not None:
            self.keep(kind, key, value)
        return value

    def put(self, kind: str, key: str, value) -> None:
        super().put(kind, key, value)
        self.keep(kind, key, value)

    def keep(self, kind: str, key: str, value) -> None:
        with self.lock:
            self.kept[kind, key] = value
            self.kept.move_to_end((kind, key))
            while len(self.kept) > self.limit:
                self.kept.popitem(last=False)


def settle() -> None:
    """The prepared book frozen out of the collector's sight. A full collection walks every
    object: 1.4 million after a cold start on the 114-article course, 0.6-1.1 s, and one came
    in the middle of a save every few saves. Frozen, they are no longer walked; what the
    saves make still is. A save leaves no cycles of frozen objects behind (12 saves: none
    found when unfrozen), so nothing is kept that would otherwise go."""
    gc.collect()
    gc.freeze()
