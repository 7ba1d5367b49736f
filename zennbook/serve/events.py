"""Server-sent events: every open page hears each reload and each finished proof.

One queue per open page; `publish` may be called from any thread (the watcher's rebuild and
the proof worker run outside the event loop). `close` ends every stream, so that Ctrl-C does
not wait for the pages to hang up.
"""
from __future__ import annotations

import asyncio
import json

PING_EVERY_S = 15.0
CLOSED = None


class Hub:
    def __init__(self):
        self.queues: set[asyncio.Queue] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def publish(self, event: str, data: dict) -> None:
        """Thread-safe: the message is queued for every open page on the loop's thread."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._put, (event, data))

    def close(self) -> None:
        self.closed = True
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._put, CLOSED)

    def _put(self, message) -> None:
        for queue in self.queues:
            queue.put_nowait(message)

    async def stream(self, first: list[tuple[str, dict]]):
        """One page's events: `first` at once (what it missed while loading), then each
        published message, with a comment now and then so proxies keep the line open."""
        queue: asyncio.Queue = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield "retry: 1000\n\n"
            for event, data in first:
                yield message(event, data)
            while not self.closed:
                try:
                    item = await asyncio.wait_for(queue.get(), PING_EVERY_S)
                except asyncio.TimeoutError:
                    yield ": ping\n\n"
                    continue
                if item is CLOSED:
                    return
                yield message(*item)
        finally:
            self.queues.discard(queue)


def message(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
