"""A proof's next LuaLaTeX run, started ahead: right after a proof is made, a LuaLaTeX job
loads the proof's preamble (the class, luatexja, the fonts: about a third of a 47-page
proof's run) and waits on its standard input at `\\begin{document}`. The next save of the
article then only has to set the pages: the body is written, the job is told to go.

It is used only when it can give exactly what a fresh run gives: the new proof's preamble
and font settings are the ones the job loaded, and it read the same .aux (it works under a
name of its own, `proof-next`, so that a fresh run still finds the last .aux). Otherwise, or
when it has died, it is stopped and the proof runs fresh (zennbook/proof.py). A folder may
have one waiting job per job name: the proof's, and its first pages' (firstpages.py), which
start from the proof's preamble and .aux.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from ..safety import sandbox
from ..writers import texcache
from ..writers.latex import needs_rerun, run_lualatex
from ..writers.latex.run import latex_env, lualatex_command, run_lualatex_jailed

BEGIN = "\\begin{document}\n"
FINISH_TIMEOUT_S = 600


def next_name(job: str) -> str:
    """The waiting job's own name (a fresh run of `job` still finds the last .aux)."""
    return f"{job}-next"


def body_name(job: str) -> str:
    return f"{job}-body.tex"


def wait_then_read(job: str) -> str:
    """The job waits for one line on its standard input (Lua's, so TeX's no-terminal mode
    does not matter), then reads the body written meanwhile."""
    return "\\directlua{io.read('l')}\\input{" + body_name(job) + "}\n"


@dataclass
class Waiting:
    process: subprocess.Popen
    preamble: str
    fonts: str


class WarmLatex:
    """One waiting job per proof folder and job name (the preview's proofs); `compile` is
    proof.py's `run_lualatex`, using the waiting job when it can."""

    def __init__(self):
        self.waiting: dict[tuple[Path, str], Waiting] = {}
        self.lock = threading.Lock()
        self.used = 0                      # runs the waiting job gave (the tests look)

    def compile(self, build_dir: Path, job: str, max_passes: int = 2, settle_toc: bool = False,
                epoch: int | None = None) -> tuple[Path, int]:
        waiting = self.take(build_dir, job)
        preamble, _, body = (build_dir / f"{job}.tex").read_text(encoding="utf-8").partition(BEGIN)
        if waiting is not None and waiting.preamble == preamble and waiting.fonts == font_settings(build_dir) \
                and waiting.process.poll() is None and self.finish(waiting, build_dir, body, job):
            self.used += 1
            log = build_dir / f"{job}.log"
            if max_passes > 1 and needs_rerun(log, False):        # a label moved: one fresh pass more
                return run_lualatex(build_dir, job, max_passes - 1, settle_toc, epoch)[0], 2
            return log, 1
        if waiting is not None:
            stop(waiting.process)
        return run_lualatex(build_dir, job, max_passes, settle_toc, epoch)

    def finish(self, waiting: Waiting, build_dir: Path, body: str, job: str) -> bool:
        """The body set by the waiting job; False when it gave no PDF (a fresh run says why)."""
        (build_dir / body_name(job)).write_text(body, encoding="utf-8")
        try:
            waiting.process.communicate(b"go\n", timeout=FINISH_TIMEOUT_S)
        except (subprocess.TimeoutExpired, OSError):
            stop(waiting.process)
            return False
        if not (build_dir / f"{next_name(job)}.pdf").exists():
            return False
        for suffix in (".pdf", ".log", ".aux"):
            os.replace(build_dir / f"{next_name(job)}{suffix}", build_dir / f"{job}{suffix}")
        return True

    def start(self, build_dir: Path, job: str, epoch: int | None = None, like: str | None = None) -> None:
        """The next run of `job` in `build_dir`, started now: its preamble loaded, waiting.
        `like`: the job whose preamble and .aux it starts from (default: its own)."""
        self.discard(build_dir, job)
        like = like or job
        preamble, begin, _ = (build_dir / f"{like}.tex").read_text(encoding="utf-8").partition(BEGIN)
        if not begin or shutil.which("lualatex") is None:
            return
        waiting_job = next_name(job)
        (build_dir / f"{waiting_job}.tex").write_text(preamble + BEGIN + wait_then_read(job), encoding="utf-8")
        (build_dir / f"{waiting_job}.pdf").unlink(missing_ok=True)
        if (build_dir / f"{like}.aux").exists():
            shutil.copyfile(build_dir / f"{like}.aux", build_dir / f"{waiting_job}.aux")
        warm = texcache.warm_font_cache(build_dir / "fonts", run_lualatex_jailed)
        texcache.seed_font_cache(build_dir)
        ready = sandbox.command("lualatex", lualatex_command(waiting_job), job=build_dir,
                                reads=[*texcache.tex_reads(), *([warm] if warm else [])],
                                env=latex_env(epoch, build_dir, warm))
        process = subprocess.Popen(ready.argv, env=ready.env, cwd=ready.cwd, start_new_session=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with self.lock:
            self.waiting[build_dir, job] = Waiting(process, preamble, font_settings(build_dir))

    def take(self, build_dir: Path, job: str) -> Waiting | None:
        with self.lock:
            return self.waiting.pop((build_dir, job), None)

    def discard(self, build_dir: Path, job: str) -> None:
        waiting = self.take(build_dir, job)
        if waiting is not None:
            stop(waiting.process)

    def close(self) -> None:
        with self.lock:
            every, self.waiting = list(self.waiting.values()), {}
        for waiting in every:
            stop(waiting.process)


def font_settings(build_dir: Path) -> str:
    """zbfonts.tex: the cut fonts the job loads (their names carry the cut's key)."""
    try:
        return (build_dir / "zbfonts.tex").read_text(encoding="utf-8")
    except OSError:
        return ""


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        sandbox.kill_group(process)
