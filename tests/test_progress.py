"""The progress line: drawn on a terminal's stderr only, never in CI, a pipe or on stdout."""
from __future__ import annotations

import io
import threading

import pytest
from click.testing import CliRunner

from zennbook.cli import main
from zennbook.diagnostics import Diagnostics
from zennbook.pipeline import BuildContext
from zennbook.progress import Progress, TerminalProgress, fit, for_cli, width_of

STAGES = ("read", "parse", "filters", "write")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def cells(text: str) -> list[str]:
    """One entry per terminal column: a wide (Japanese) character fills two."""
    return [c for char in text for c in ([char, ""] if width_of(char) == 2 else [char])]


def screen(raw: str) -> list[str]:
    """What a terminal shows: each `\\r` returns to the start of the line and overwrites it."""
    lines = []
    for line in raw.split("\n"):
        shown: list[str] = []
        for part in line.split("\r"):
            shown = cells(part) + shown[len(cells(part)):]
        lines.append("".join(shown).rstrip())
    return lines


def test_draws_stage_count_and_article_in_place():
    tty = FakeTTY()
    progress = TerminalProgress(tty, interval=0)
    progress.stage("read", 3)
    progress.step("articles/01-intro.md")
    assert tty.getvalue() == "\rread     1/3  articles/01-intro.md"
    progress.step("articles/02-長い記事.md")
    assert screen(tty.getvalue()) == ["read     2/3  articles/02-長い記事.md"]
    progress.step("articles/03-x.md")                     # narrower in columns, not in characters
    assert screen(tty.getvalue()) == ["read     3/3  articles/03-x.md"]
    progress.stage("write", 3)
    progress.step("pdf")
    assert screen(tty.getvalue()) == ["write    1/3  pdf"]   # the longer line is blanked out
    assert "\n" not in tty.getvalue()
    progress.done()
    assert screen(tty.getvalue()) == [""]
    progress.done()                                       # twice is harmless


def test_stage_of_unknown_size_and_empty_stage():
    tty = FakeTTY()
    progress = TerminalProgress(tty, interval=0)
    progress.stage("parse", 0)
    progress.step("never shown")
    assert tty.getvalue() == ""
    progress.stage("verify")
    progress.step("pdf, epub, html")
    assert screen(tty.getvalue()) == ["verify   pdf, epub, html"]


def test_track_steps_through_items():
    tty = FakeTTY()
    progress = TerminalProgress(tty, interval=0)
    assert list(progress.track("filters", ["a.md", "b.md"], str.upper)) == ["a.md", "b.md"]
    assert screen(tty.getvalue()) == ["filters  2/2  B.MD"]


def test_redraws_are_throttled_but_stage_and_last_item_shown():
    tty = FakeTTY()
    progress = TerminalProgress(tty, interval=3600)
    progress.stage("parse", 100)
    for i in range(100):
        progress.step(f"a{i}.md")
    assert tty.getvalue().count("\r") == 2                # the first and the last article only
    assert screen(tty.getvalue()) == ["parse    100/100  a99.md"]


def test_line_is_cut_to_the_terminal_width():
    assert fit("記事ab", 3) == ("記", 2)
    assert fit("abc", 10) == ("abc", 3)
    tty = FakeTTY()
    progress = TerminalProgress(tty, interval=0)
    progress.columns = lambda: 20
    progress.stage("read", 1)
    progress.step("articles/a-very-long-article-name.md")
    assert len(screen(tty.getvalue())[0]) == 19


def test_steps_from_threads():
    tty = FakeTTY()
    progress = TerminalProgress(tty, interval=0)
    progress.stage("parse", 200)
    workers = [threading.Thread(target=lambda: [progress.step("x.md") for _ in range(50)]) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert progress.count == 200
    assert screen(tty.getvalue()) == ["parse    200/200  x.md"]


def test_forced_on_a_pipe_writes_plain_lines():
    pipe = io.StringIO()
    progress = for_cli(True, pipe, environ={})
    progress.stage("read", 2)
    progress.step("a.md")
    progress.step("b.md")
    progress.done()
    assert "\r" not in pipe.getvalue()
    assert pipe.getvalue().splitlines() == ["read     1/2  a.md", "read     2/2  b.md"]


@pytest.mark.parametrize("wanted, stream, environ", [
    (None, io.StringIO(), {}),                # not a terminal
    (None, FakeTTY(), {"CI": "true"}),        # CI
    (None, FakeTTY(), {"CI": "1"}),
    (False, FakeTTY(), {}),                   # --quiet
])
def test_quiet_writes_nothing(wanted, stream, environ):
    progress = for_cli(wanted, stream, environ)
    assert type(progress) is Progress
    progress.stage("read", 1)
    progress.step("a.md")
    assert list(progress.track("parse", ["a.md"], str)) == ["a.md"]
    progress.done()
    assert stream.getvalue() == ""


@pytest.mark.parametrize("wanted, environ", [(None, {}), (None, {"CI": "false"}), (True, {"CI": "true"})])
def test_on_for_a_terminal_or_when_forced(wanted, environ):
    assert isinstance(for_cli(wanted, FakeTTY(), environ), TerminalProgress)


def test_build_context_default_is_silent():
    assert type(BuildContext(diagnostics=Diagnostics()).progress) is Progress


@pytest.fixture
def tiny_book(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                  # the article cache goes to tmp_path too
    monkeypatch.delenv("CI", raising=False)
    folder = tmp_path / "book"
    folder.mkdir()
    for slug, word in (("aa-first", "りんご"), ("bb-second", "みかん")):
        (folder / f"{slug}.md").write_text(f"---\ntitle: {word}の章\n---\n\n本文{word}です。\n", encoding="utf-8")
    return folder


def run_build(folder, *extra):
    args = ["build", "--articles", str(folder), "--no-license", "--format", "html", "--no-verify",
            "--out", str(folder.parent / "out"), *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_build_with_progress_shows_stages_on_stderr_only(tiny_book):
    result = run_build(tiny_book, "--progress")
    assert result.exit_code == 0, result.output
    for stage in STAGES:
        assert stage in result.stderr
    assert "book/aa-first.md" in result.stderr and "html" in result.stderr
    assert not any(line.startswith(STAGES) for line in result.stdout.splitlines())
    assert result.stdout.startswith("wrote ")
    assert (tiny_book.parent / "out").is_dir()


def test_build_without_a_terminal_shows_no_progress(tiny_book):
    result = run_build(tiny_book)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert not any(line.startswith(STAGES) for line in lines)
    assert "book/aa-first.md" not in result.output and "\r" not in result.output
    assert any(line.startswith("wrote ") for line in lines)


def test_quiet_wins_when_given_last(tiny_book):
    result = run_build(tiny_book, "--progress", "--quiet")
    assert result.exit_code == 0, result.output
    assert not any(line.startswith(STAGES) for line in result.stderr.splitlines())
