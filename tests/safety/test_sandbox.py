"""The second wall, tested as if the first had failed: Lua that reached LuaLaTeX tries to
read, write and delete outside its job folder, loop, eat memory and reach the network. Each
document goes through latex.compile_once, the function every PDF build uses. The same
probe run without the jail (ZENNBOOK_SANDBOX=off) does reach the canary: the probe is real."""
from __future__ import annotations

import socket
import textwrap
import threading
from pathlib import Path

import pytest

from tests.conftest import needs
from zennbook.diagnostics import Code
from zennbook.safety import sandbox
from zennbook.writers import latex

CANARY = "ZBSANDBOXCANARY41"
pytestmark = [needs("lualatex", "bwrap", "prlimit"),
              pytest.mark.skipif(sandbox.sandbox_problem() is not None, reason="no jail on this machine")]


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "canary.txt").write_text(CANARY, encoding="utf-8")
    (folder / "victim.txt").write_text("keep me", encoding="utf-8")
    return folder


def lua_document(job: Path, lua: str) -> None:
    """job/probe.tex: `lua` run by \\directlua; what it prints goes to the log as PROBE: lines."""
    job.mkdir(parents=True, exist_ok=True)
    (job / "probe.tex").write_text(textwrap.dedent(r"""
        \documentclass{article}
        \begin{document}
        \directlua{%s}
        x
        \end{document}
        """) % lua, encoding="utf-8")


def escape_probe(outside: Path) -> str:
    """Read the canary, write a file, delete one, open a socket; say what worked."""
    return " ".join(f"""
        local function say(s) texio.write_nl("PROBE:" .. s) end
        local f = io.open("{outside}/canary.txt", "r")
        if f then say("read " .. f:read("a")) f:close() else say("no read") end
        local w = io.open("{outside}/written.txt", "w")
        if w then w:write("x") w:close() say("wrote") else say("no write") end
        local ok = os.remove("{outside}/victim.txt")
        say(ok and "removed" or "no remove")
        local has_socket, lib = pcall(require, "socket")
        say(has_socket and "socket" or "no socket")
    """.split())


def probe_log(job: Path) -> str:
    return (job / "probe.log").read_text(encoding="utf-8", errors="replace")


def test_lua_cannot_read_write_or_delete_outside_the_job(tmp_path, outside, monkeypatch):
    job = tmp_path / "job"
    lua_document(job, escape_probe(outside))
    latex.compile_once(job, "probe", job / "probe.log")
    log = probe_log(job)
    assert "PROBE:no read" in log and CANARY not in log
    assert CANARY.encode() not in (job / "probe.pdf").read_bytes()
    assert "PROBE:no write" in log and not (outside / "written.txt").exists()
    assert "PROBE:no remove" in log and (outside / "victim.txt").read_text() == "keep me"
    assert "PROBE:no socket" in log

    monkeypatch.setenv(sandbox.SWITCH, "off")         # the control: the same Lua, no jail
    control = tmp_path / "control"
    lua_document(control, escape_probe(outside))
    latex.compile_once(control, "probe", control / "probe.log")
    assert f"PROBE:read {CANARY}" in probe_log(control)
    assert not (outside / "victim.txt").exists()


def test_endless_lua_loop_is_stopped_by_the_cpu_limit(tmp_path, monkeypatch):
    monkeypatch.setenv(sandbox.LIMITS_ENV, "lualatex.cpu_s=3,lualatex.wall_s=60")
    job = tmp_path / "job"
    lua_document(job, "while true do end")
    with pytest.raises(latex.LatexError) as caught:
        latex.compile_once(job, "probe", job / "probe.log")
    assert caught.value.code is Code.TOOL_LIMIT
    assert "CPU time limit (3 s)" in str(caught.value) and "probe.tex" in str(caught.value)


def test_unbounded_lua_allocation_is_stopped_by_the_memory_limit(tmp_path, monkeypatch):
    monkeypatch.setenv(sandbox.LIMITS_ENV, "lualatex.memory_mb=600")
    job = tmp_path / "job"
    lua_document(job, 'local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep("x", 1000000) .. i end')
    with pytest.raises(latex.LatexError) as caught:
        latex.compile_once(job, "probe", job / "probe.log")
    assert caught.value.code is Code.TOOL_LIMIT
    assert "memory limit (600 MB)" in str(caught.value)


def test_wall_clock_limit_kills_the_whole_group(tmp_path):
    quick = sandbox.Limits(wall_s=1, cpu_s=60, memory_mb=256, file_mb=16, processes=16)
    marker = tmp_path / "late"
    with pytest.raises(sandbox.LimitHit, match="time limit"):
        sandbox.run("lualatex", ["sh", "-c", f"(sleep 3; touch {marker}) & sleep 30"], job=tmp_path, limits=quick)
    threading.Event().wait(3.5)
    assert not marker.exists(), "a child of the killed tool lived on"


def test_the_jail_has_no_network(tmp_path, monkeypatch):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    connect = ["/usr/bin/python3", "-c",
               f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5); print('connected')"]
    try:
        jailed = sandbox.run("lualatex", connect, job=tmp_path)
        assert jailed.returncode != 0 and b"connected" not in jailed.stdout
        monkeypatch.setenv(sandbox.SWITCH, "off")     # the control: the host's listener is there
        assert b"connected" in sandbox.run("lualatex", connect, job=tmp_path).stdout
    finally:
        listener.close()


def test_only_the_job_folder_is_writable_and_little_is_visible(tmp_path):
    job, other = tmp_path / "job", tmp_path / "other"
    job.mkdir()
    other.mkdir()
    (tmp_path / "sibling.txt").write_text(CANARY, encoding="utf-8")
    script = (f"touch {job}/in; touch {other}/out; touch /usr/zb; echo $HOME; "
              f"cat {tmp_path}/sibling.txt ~/../sibling.txt; ls /root /home /etc; env")
    done = sandbox.run("lualatex", ["sh", "-c", script], job=job, reads=[other])
    lines = done.stdout.decode().splitlines()
    assert (job / "in").exists() and not (other / "out").exists() and not Path("/usr/zb").exists()
    assert lines[0] == str(job) and CANARY not in done.stdout.decode()
    assert "passwd" not in lines and "shadow" not in lines
    names = {line.split("=", 1)[0] for line in lines if "=" in line}
    assert names <= {"PATH", "LANG", "TMPDIR", "HOME", "PWD", "SHLVL", "_"}


def test_limits_are_data_the_project_environment_may_change(monkeypatch):
    assert sandbox.limits_for("pandoc") == sandbox.TOOL_LIMITS["pandoc"]
    monkeypatch.setenv(sandbox.LIMITS_ENV, "pandoc.wall_s=7, pandoc.memory_mb=99,pandoc.bogus=1,lualatex.cpu_s=-3,x")
    assert sandbox.limits_for("pandoc").wall_s == 7 and sandbox.limits_for("pandoc").memory_mb == 99
    assert sandbox.limits_for("lualatex") == sandbox.TOOL_LIMITS["lualatex"]
    monkeypatch.setenv(sandbox.LIMITS_ENV, "rsvg-convert.wall_s=0.5,rsvg-convert.cpu_s=0.4")
    assert sandbox.limits_for("rsvg-convert").wall_s == 0.5 and sandbox.limits_for("rsvg-convert").cpu_s == 1


def test_only_luatex_errors_count_as_out_of_memory(tmp_path):
    log = tmp_path / "book.log"
    log.write_text("Overfull \\hbox (3.0pt too wide) in paragraph at lines 4--5\n"
                   " []\\TU/zb(0)/m/n/10 error: not enough memory, said the article\n", encoding="utf-8")
    assert not latex.lua_out_of_memory(log)
    log.write_text("./probe.tex:4: error:  (lua): not enough memory\n", encoding="utf-8")
    assert latex.lua_out_of_memory(log)
