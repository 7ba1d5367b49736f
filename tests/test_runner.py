"""The one runner (`pipeline.build`): what every verb gets from it.

- what an output's writer said is said again when the output is up to date;
- a verify verdict is kept with the output: a failed one is replayed, not re-read;
- a bug of ours on one article, or in one writer, is one located `[internal]` line, the
  rest of the book is built, exit 1; `--debug` shows the traceback instead;
- `release` maps a LaTeX failure to one line and exit 1, like `build`;
- `--jobs 1` runs one LuaLaTeX job at a time.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import zennbook.pipeline
import zennbook.verify
from tests.conftest import REPO, TEST_LICENSE, cli_build, needs
from zennbook.diagnostics import Code

BOOK = "title: Runner\nslug: runner\n" + TEST_LICENSE


@pytest.fixture
def book_dir(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "aa-first.md").write_text("---\ntitle: 一つ目\n---\n\n一つ目の章の本文です。\n", encoding="utf-8")
    (articles / "bb-second.md").write_text("---\ntitle: 二つ目\n---\n\n二つ目の章の本文です。\n", encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    return tmp_path


def build(book_dir: Path, *formats: str, extra: tuple[str, ...] = ()):
    return cli_build(book_dir / "book.yaml", book_dir / "out", *formats, extra=extra)


def test_what_a_writer_said_is_said_again_when_its_output_is_up_to_date(book_dir, monkeypatch):
    import zennbook.writers.html as html_writer
    real = html_writer.write_html

    def complaining(book, articles, out_path, context):
        context.diagnostics.error(Code.LATEX_ERROR, "a writer's own complaint", "articles/aa-first.md", 5)
        real(book, articles, out_path, context)
    monkeypatch.setattr(html_writer, "write_html", complaining)
    first = build(book_dir, "html")
    assert first.exit_code == 1 and "aa-first.md:5: ERROR: a writer's own complaint" in first.output
    monkeypatch.setattr(html_writer, "write_html", real)     # the output is up to date: not rewritten
    second = build(book_dir, "html")
    assert "up to date" in second.output
    assert second.exit_code == 1 and "aa-first.md:5: ERROR: a writer's own complaint" in second.output


def test_a_failed_verify_is_kept_with_the_output_and_not_read_again(book_dir, monkeypatch):
    real = zennbook.verify.VERIFIERS["html"]

    def failing(path, book, articles, source):
        check = real(path, book, articles, source)
        check.problems.append("planted problem")
        return check
    monkeypatch.setitem(zennbook.verify.VERIFIERS, "html", failing)
    first = build(book_dir, "html")
    assert first.exit_code == 1 and "html: ERROR: planted problem [verify.failed]" in first.output

    def never(*args):
        raise AssertionError("an output unchanged since its verify was read again")
    monkeypatch.setitem(zennbook.verify.VERIFIERS, "html", never)
    second = build(book_dir, "html")
    assert second.exit_code == 1, second.output
    assert "planted problem" in second.output and "unchanged since verified" in second.output


def test_a_bug_on_one_article_is_one_located_line_and_the_rest_is_built(book_dir, monkeypatch):
    real = zennbook.pipeline.run_filters

    def broken(book, article, diagrams):
        if article.slug == "bb-second":
            raise KeyError("planted bug")
        real(book, article, diagrams)
    monkeypatch.setattr(zennbook.pipeline, "run_filters", broken)
    result = build(book_dir, "html", "epub")
    assert result.exit_code == 1
    assert "bb-second.md: ERROR: internal error in the filters: KeyError: 'planted bug'" in result.output
    assert "[internal]" in result.output and "Traceback" not in result.output
    page = (book_dir / "out" / "runner.html").read_text(encoding="utf-8")
    assert "一つ目の章の本文です" in page and "二つ目の章の本文です" not in page
    assert (book_dir / "out" / "runner.epub").exists()


def test_a_bug_in_one_writer_leaves_the_other_formats_written(book_dir, monkeypatch):
    import zennbook.writers.epub as epub_writer

    def broken(*args, **kwargs):
        raise ZeroDivisionError("planted writer bug")
    monkeypatch.setattr(epub_writer, "write_epub", broken)
    result = build(book_dir, "epub", "html")
    assert result.exit_code == 1
    assert "ERROR: internal error in the epub writer: ZeroDivisionError: planted writer bug" in result.output
    assert "[internal]" in result.output
    assert (book_dir / "out" / "runner.html").exists() and not (book_dir / "out" / "runner.epub").exists()


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=900, env={**os.environ, **(env or {})})


def test_debug_shows_the_traceback_that_is_otherwise_one_line(book_dir):
    (book_dir / "sitecustomize.py").write_text(textwrap.dedent("""\
        import zennbook.pipeline as p
        real = p.run_filters
        def broken(book, article, diagrams):
            raise KeyError("planted bug")
        p.run_filters = broken
        """), encoding="utf-8")
    env = {"PYTHONPATH": f"{book_dir}{os.pathsep}{REPO}"}
    quiet = run_cli("build", "--book", "book.yaml", "--out", "out", "--format", "html", cwd=book_dir, env=env)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert "[internal]" in quiet.stderr and "--debug" in quiet.stderr
    loud = run_cli("--debug", "build", "--book", "book.yaml", "--out", "out", "--format", "html",
                   cwd=book_dir, env=env)
    assert loud.returncode != 0 and "Traceback" in loud.stderr and "planted bug" in loud.stderr


def fake_tool(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_a_latex_failure_during_release_is_one_located_line(book_dir):
    tools = book_dir / "tools"
    fake_tool(tools, "lualatex", "echo '! Emergency stop (simulated).' > book.log; exit 1")
    env = {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "SOURCE_DATE_EPOCH": "1767225600"}
    proc = run_cli("release", "--version", "1.0.0", "--book", "book.yaml", "--out", "dist", cwd=book_dir, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "ERROR: lualatex: failed on" in proc.stderr and "[tool.failed]" in proc.stderr
    assert "release: not made" in proc.stderr
    assert not (book_dir / "dist" / "SHA256SUMS").exists()


@needs("lualatex")
def test_jobs_1_runs_one_lualatex_job_at_a_time(book_dir):
    """A wrapper around the real lualatex notes when each run starts and ends."""
    for index in range(3, 7):
        (book_dir / "articles" / f"c{index}-more.md").write_text(
            f"---\ntitle: 章{index}\n---\n\n{index}番目の章の本文です。\n", encoding="utf-8")
    real = subprocess.run(["which", "lualatex"], capture_output=True, text=True, check=True).stdout.strip()
    log = book_dir / "runs.log"
    tools = book_dir / "tools"
    fake_tool(tools, "lualatex", f'echo "start $$" >> {log}\n{real} "$@"\nstatus=$?\n'
                                 f'echo "end $$" >> {log}\nexit $status')
    # The wrapper writes its log outside the job folder, which the jail forbids: this test is
    # about scheduling, so it runs the tools unjailed.
    env = {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "ZENNBOOK_SANDBOX": "off"}
    proc = run_cli("build", "--book", "book.yaml", "--out", "out", "--format", "pdf", "--jobs", "1",
                   "--no-verify", cwd=book_dir, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = log.read_text().split("\n")[:-1]
    assert len(events) >= 4
    running = peak = 0
    for event in events:
        running += 1 if event.startswith("start") else -1
        peak = max(peak, running)
    assert peak == 1, events
