"""Watching the book's folders (watchfiles): on each save the changed chapters are prepared
again off the event loop, every open page is told to reload, and the proofs someone asked
for are made again. Folders, not files, are watched: an editor that saves by writing a new
file and renaming it over the old one is seen too."""
from __future__ import annotations

import asyncio

from watchfiles import awatch

from ..diagnostics import internal_error

STEP_MS = 50            # a burst of changes ends after this much quiet
DEBOUNCE_MS = 1000      # ... or after this long, whichever comes first


async def watch(preview, hub, proofs, stop: asyncio.Event, echo) -> None:
    while not stop.is_set():
        folders = preview.watched_folders()
        try:
            async for changes in awatch(*folders, stop_event=stop, recursive=False, step=STEP_MS,
                                        debounce=DEBOUNCE_MS):
                await changed(preview, hub, proofs, [path for _, path in changes], echo)
                if preview.watched_folders() != folders:
                    break       # an image folder came or went: watch the new set
        except Exception as exc:     # noqa: BLE001 -- a folder went away, or our bug: say so, watch again
            if preview.debug:
                raise
            echo(str(internal_error("watching the book's folders", exc)))
            await asyncio.sleep(1)


async def changed(preview, hub, proofs, paths: list[str], echo) -> None:
    update = await asyncio.to_thread(preview.refresh, paths)
    if update is None:
        return
    hub.publish("reload", update.event())
    proofs.after_save(update.slugs)
    what = ", ".join(update.slugs) or "the book file"
    stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in update.stages.items())
    echo(f"rebuilt {what} in {update.seconds:.2f}s ({stages}): {update.summary}")
