"""The watcher (real watchfiles on a real folder): a save reaches the preview, and a bug of
ours in a rebuild is one line on the terminal, after which saves are still followed."""
from __future__ import annotations

import asyncio
from pathlib import Path

from zennbook.serve.events import Hub
from zennbook.serve.watcher import watch

WAIT_S = 20


class FailingOnce:
    """A preview whose first rebuild hits a bug of ours."""
    debug = False

    def __init__(self, folder: Path):
        self.folder, self.calls = folder, []

    def watched_folders(self):
        return {self.folder}

    def refresh(self, paths):
        self.calls.append(sorted(Path(p).name for p in paths))
        if len(self.calls) == 1:
            raise RuntimeError("boom")

    def finish_page(self):
        pass


class NoProofs:
    def after_save(self, slugs):
        pass


async def until(condition) -> None:
    for _ in range(WAIT_S * 20):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def test_a_bug_in_a_rebuild_is_said_and_the_next_save_is_followed(tmp_path):
    preview, said = FailingOnce(tmp_path), []

    async def scenario():
        stop = asyncio.Event()
        watching = asyncio.create_task(watch(preview, Hub(), NoProofs(), stop, said.append))
        await asyncio.sleep(0.5)                       # the watch is set up
        (tmp_path / "one.md").write_text("first", encoding="utf-8")
        await until(lambda: said)
        await asyncio.sleep(1.2)                       # the watch again, after a bug
        (tmp_path / "two.md").write_text("second", encoding="utf-8")
        await until(lambda: len(preview.calls) >= 2)
        stop.set()
        await asyncio.wait_for(watching, WAIT_S)

    asyncio.run(scenario())
    assert "internal error in watching the book's folders: RuntimeError: boom" in said[0]
    assert preview.calls[0] == ["one.md"] and "two.md" in preview.calls[-1]
