"""The second wall: external tools that read what articles made run jailed, with limits.

The first wall keeps dangerous input away from the tools (math whitelist, escaping, paranoid
file access). This one assumes it failed: a tool that runs code an article smuggled in
still sees only its job folder, the system's read-only files and nothing of the network,
and is stopped by a time, CPU, memory, file-size and process limit.

    run(tool, argv, job=folder)       run to the end (LuaLaTeX, pandoc, rsvg-convert)
    command(tool, argv, job=folder)   the jailed command, for a caller that streams (mermaid)

The jail is bubblewrap: no namespace shared with the host (no network), no capability, a
fresh /tmp, a minimal /dev and /proc, /usr and the tool's own files read-only, the job folder
the only thing writable, HOME pointing at it and an environment of a few names. The limits
are set by prlimit inside the jail (RLIMIT_NPROC then counts only the jail's processes), and
a wall-clock deadline kills the whole process group.

Where bubblewrap is missing or cannot make namespaces (some CI containers forbid them), or
ZENNBOOK_SANDBOX=off, tools run with the limits only and the build says so once
(`[tool.sandbox]`). The limits are data, one row per tool (TOOL_LIMITS); the project's own
environment may change them (ZENNBOOK_LIMITS="lualatex.wall_s=600,pandoc.memory_mb=2048"),
nothing an article writes can.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Code, Diagnostics

SWITCH = "ZENNBOOK_SANDBOX"                  # "off": no jail (debugging); limits still apply
LIMITS_ENV = "ZENNBOOK_LIMITS"
MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    wall_s: float           # wall clock, the whole process group killed past it
    cpu_s: int              # RLIMIT_CPU of each process (SIGXCPU, then SIGKILL 5 s later)
    memory_mb: int          # RLIMIT_DATA of each process: what it can allocate
    file_mb: int            # RLIMIT_FSIZE: the largest file it can write
    processes: int          # RLIMIT_NPROC inside the jail: threads count too


# RLIMIT_DATA, not RLIMIT_AS: V8 and GHC reserve terabytes of address space they never use.
TOOL_LIMITS: dict[str, Limits] = {
    "lualatex": Limits(wall_s=1800.0, cpu_s=1800, memory_mb=4096, file_mb=2048, processes=64),
    "pandoc": Limits(wall_s=300.0, cpu_s=300, memory_mb=4096, file_mb=512, processes=128),
    "rsvg-convert": Limits(wall_s=60.0, cpu_s=60, memory_mb=1024, file_mb=256, processes=64),
    "chromium": Limits(wall_s=1800.0, cpu_s=3600, memory_mb=8192, file_mb=512, processes=4096),
}

# Read-only for every tool (when they exist): the system, the dynamic linker's cache, the
# alternatives /usr/bin links through, and fontconfig with its caches.
SYSTEM_READS = ("/usr", "/etc/ld.so.cache", "/etc/alternatives", "/etc/fonts",
                "/var/cache/fontconfig", "/usr/local/share/fonts")
MERGED_USR = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
JAIL_TMP = Path("/tmp")

# How tools say they ran out of memory (LuaTeX's Lua, GHC, C++ new, V8, glibc).
OUT_OF_MEMORY = re.compile(r"not enough memory|out of memory|heap exhausted|bad_alloc|"
                           r"Cannot allocate memory|allocation failed|memory exhausted", re.I)


class LimitHit(Exception):
    """A tool stopped by one of its limits; the message says which."""


@dataclass(frozen=True)
class Command:
    """A command ready for subprocess: argv (jail and limits included), env, cwd."""
    argv: list[str]
    env: dict[str, str]
    cwd: str
    limits: Limits
    jailed: bool


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: bytes
    stderr: bytes


# -- the limits --------------------------------------------------------------------------------

def limits_for(tool: str) -> Limits:
    """The tool's row of TOOL_LIMITS with the project's overrides (ZENNBOOK_LIMITS)."""
    limits = TOOL_LIMITS[tool]
    changes = {}
    for entry in os.environ.get(LIMITS_ENV, "").split(","):
        name, _, value = entry.strip().partition("=")
        row, _, field = name.partition(".")
        if row == tool and field in Limits.__dataclass_fields__ and is_number(value):
            whole = Limits.__dataclass_fields__[field].type == "int"
            changes[field] = max(1, round(float(value))) if whole else float(value)
    return dataclasses.replace(limits, **changes)


def is_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def prlimit_args(limits: Limits, jailed: bool) -> list[str]:
    cpu, data, size = limits.cpu_s, limits.memory_mb * MB, limits.file_mb * MB
    args = ["prlimit", f"--cpu={cpu}:{cpu + 5}", f"--data={data}", f"--fsize={size}", "--core=0"]
    if jailed:      # outside a user namespace the count is of all the user's processes
        args.append(f"--nproc={limits.processes}")
    return [*args, "--"]


# -- the jail ----------------------------------------------------------------------------------

def sandbox_problem() -> str | None:
    """Why tools run unjailed (None: they are jailed)."""
    if os.environ.get(SWITCH, "").lower() == "off":
        return f"{SWITCH}=off"
    return jail_problem(shutil.which("bwrap"), shutil.which("prlimit"))


@lru_cache(maxsize=4)
def jail_problem(bwrap: str | None, prlimit: str | None) -> str | None:
    """Try the jail once per process (and per bwrap found): None when it works."""
    if prlimit is None:
        return "prlimit not found (util-linux)"
    if bwrap is None:
        return "bubblewrap (bwrap) not found"
    probe = [bwrap, *jail_args(None, ()), "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, stdin=subprocess.DEVNULL, env=BASE_ENV)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap cannot run ({exc})"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"bwrap cannot make namespaces here ({said[-1][:160] if said else done.returncode})"
    return None


def note_sandbox(diagnostics: Diagnostics) -> None:
    """The build's one warning when tools run without the jail (never an error)."""
    problem = sandbox_problem()
    if problem:
        diagnostics.warning(Code.TOOL_SANDBOX, f"external tools run without the sandbox: {problem}; "
                                               "time and memory limits still apply")


def jail_args(job: Path | None, reads: Iterable[Path]) -> list[str]:
    """bwrap's arguments: nothing shared, `reads` read-only, only `job` writable."""
    args = ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", str(JAIL_TMP)]
    for name in MERGED_USR:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    binds = [(path, "--ro-bind") for path in outermost(visible([*map(Path, SYSTEM_READS), *reads]))]
    if job is not None:
        binds += [(path, "--bind") for path in visible([job])]
    for path, how in sorted(binds, key=lambda bind: len(bind[0].parts)):   # parents first
        args += [how, str(path), str(path)]
    if job is not None:
        args += ["--chdir", str(job)]
    return args


def visible(paths: Iterable[Path]) -> list[Path]:
    """The paths that exist, each as named and, when a link leads elsewhere, as resolved:
    a tool may meet either name."""
    found = []
    for path in paths:
        path = Path(os.path.abspath(path))
        if path.exists():
            found += [path, path.resolve()]
    return list(dict.fromkeys(found))


def outermost(paths: list[Path]) -> list[Path]:
    """Without the paths inside another one of the list (a program in /usr/bin)."""
    return [path for path in paths if not any(other != path and other in path.parents for other in paths)]


# -- running -----------------------------------------------------------------------------------

def command(tool: str, argv: list[str], job: Path | None = None, reads: Iterable[Path] = (),
            env: dict[str, str] | None = None, limits: Limits | None = None) -> Command:
    """`argv` as it runs: in the jail (when the machine allows it) under `tool`'s limits.
    `job`: the one writable folder, also HOME and the working folder (none: a fresh /tmp)."""
    limits = limits or limits_for(tool)
    program = shutil.which(argv[0]) or argv[0]       # as the host finds it: the jail's PATH is short
    argv = [program, *argv[1:]]
    home = str(job) if job is not None else str(JAIL_TMP)
    full_env = {**BASE_ENV, **(env or {}), "HOME": home}
    full_env["PATH"] = f"{os.path.dirname(program)}:{full_env['PATH']}"
    if sandbox_problem():
        limiter = prlimit_args(limits, False) if shutil.which("prlimit") else []
        return Command([*limiter, *argv], full_env, home if job is not None else os.getcwd(), limits, False)
    jail = [shutil.which("bwrap"), *jail_args(job, [*reads, Path(program)]), "--"]   # the one probed
    return Command([*jail, *prlimit_args(limits, True), *argv], full_env, home if job else "/", limits, True)


def run(tool: str, argv: list[str], job: Path | None = None, reads: Iterable[Path] = (),
        env: dict[str, str] | None = None, input: bytes | None = None,
        limits: Limits | None = None) -> Finished:
    """Run `argv` to its end, jailed and limited (see `command`). Raises LimitHit when a
    limit stopped it, FileNotFoundError when the program is not installed."""
    if shutil.which(argv[0]) is None:
        raise FileNotFoundError(argv[0])
    ready = command(tool, argv, job, reads, env, limits)
    proc = subprocess.Popen(ready.argv, env=ready.env, cwd=ready.cwd, start_new_session=True,
                            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stdout, stderr = proc.communicate(input, timeout=ready.limits.wall_s)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.communicate()
        raise LimitHit(f"{tool}: stopped by its time limit ({ready.limits.wall_s:g} s)") from None
    finally:
        if proc.poll() is None:         # interrupted (Ctrl-C): nothing of it outlives us
            kill_group(proc)
    check_limits(tool, ready.limits, proc.returncode, stderr)
    return Finished(proc.returncode, stdout, stderr)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def check_limits(tool: str, limits: Limits, returncode: int, said: bytes) -> None:
    """Raise LimitHit when the exit says a limit stopped the tool. A signal shows as a
    negative code unjailed and as 128 + signal through bwrap."""
    signal_number = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    if signal_number == signal.SIGXCPU:
        raise LimitHit(f"{tool}: stopped by its CPU time limit ({limits.cpu_s} s)")
    if signal_number == signal.SIGKILL:     # the hard CPU limit, or the kernel short of memory
        raise LimitHit(f"{tool}: killed (CPU time limit {limits.cpu_s} s, memory limit {limits.memory_mb} MB)")
    if signal_number == signal.SIGXFSZ:
        raise LimitHit(f"{tool}: stopped by its file size limit ({limits.file_mb} MB)")
    if returncode != 0 and out_of_memory(said):
        raise memory_hit(tool, limits)


def out_of_memory(text: bytes | str) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return bool(OUT_OF_MEMORY.search(text))


def memory_hit(tool: str, limits: Limits) -> LimitHit:
    return LimitHit(f"{tool}: stopped by its memory limit ({limits.memory_mb} MB)")
