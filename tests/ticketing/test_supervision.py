"""`python -m ticketing run` under supervisord: restarts, giving up on a crash loop, Ctrl-C."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ticketing import supervision
from ticketing.supervision import Paths

ROOT = Path(__file__).resolve().parents[2]


def test_the_config_runs_each_procfile_line_through_sh_and_escapes_percent(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    config = supervision.supervisord_config(
        {"web": "PORT=1 prog --fmt=%d", "rasa": "rasa run"}, tmp_path, paths
    )
    assert "programs=web,rasa" in config
    assert "[program:web]" in config and "[program:rasa]" in config
    web = next(line for line in config.splitlines() if line.startswith("command=/bin/sh"))
    assert shlex.split(web.removeprefix("command=").replace("%%", "%")) == [
        "/bin/sh",
        "-c",
        "exec env PORT=1 prog --fmt=%d",
    ]
    assert "startsecs=90" in config  # Rasa's model load counts as starting
    assert "killasgroup=true" in config


def test_exec_env_keeps_the_procfiles_assignments_and_the_process_id() -> None:
    command = supervision.program_command("GREETING=ni-hao sh -c 'echo $GREETING $$'")
    process = subprocess.run(shlex.split(command), capture_output=True, text=True, check=True)
    # The shell that prints is a child of nothing else: `exec` all the way down.
    assert process.stdout.split()[0] == "ni-hao"


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # A UNIX socket path must stay under ~100 bytes: pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="kefu-sv-") as name:
        yield Path(name)


def wait_for(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_dead_process_is_restarted_a_crash_loop_left_down_and_ctrl_c_stops_all(
    short_dir: Path,
) -> None:
    python = shlex.quote(sys.executable)
    procfile = short_dir / "Procfile"
    # `steady` forks a child that would outlive it, as Sanic's workers do.
    child = "import os, time; os.fork(); time.sleep(600)"
    procfile.write_text(
        f"steady: {python} -c {shlex.quote(child)}\ncrasher: {python} -c 'raise SystemExit(3)'\n"
    )
    state = short_dir / "state"
    paths = Paths(state)
    out = (short_dir / "run.out").open("w")
    argv = [sys.executable, "-m", "ticketing", "run", f"--procfile={procfile}"]
    run = subprocess.Popen(
        [*argv, f"--state-dir={state}"],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "KEFU_DATABASE_URL": f"sqlite:///{short_dir / 'none.db'}"},
    )
    output = (short_dir / "run.out").read_text
    try:
        wait_for("steady to start", lambda: supervision.pids(paths).get("steady", 0) > 0, 30)
        first = supervision.pids(paths)["steady"]
        # 1 + 2 + 3 + 4 s of backoff, then FATAL: reported, and not tried again.
        wait_for("the crash loop to be given up", lambda: "crasher keeps crashing" in output(), 40)
        states = supervision.process_states(paths) or {}
        assert states["crasher"]["statename"] == "FATAL"
        assert "crasher.log" in output()

        os.killpg(first, 0)  # its group: the process and the child it forked
        os.kill(first, signal.SIGKILL)
        wait_for(
            "steady to be restarted",
            lambda: supervision.pids(paths).get("steady", first) not in {0, first},
            15,
        )
        second = supervision.pids(paths)["steady"]
        wait_for("the restart to be told", lambda: "steady stopped unexpectedly" in output(), 5)
        wait_for("the orphan to be reaped", lambda: not group_alive(first), 5)

        started = time.monotonic()
        run.send_signal(signal.SIGINT)
        run.wait(timeout=15)
        assert time.monotonic() - started < 8
        with pytest.raises(ProcessLookupError):
            os.kill(second, 0)
        assert "every process has stopped" in output()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        out.close()


def test_supervisord_goes_with_a_killed_run(short_dir: Path) -> None:
    python = shlex.quote(sys.executable)
    procfile = short_dir / "Procfile"
    procfile.write_text(f"steady: {python} -c 'import time; time.sleep(600)'\n")
    paths = Paths(short_dir / "state")
    argv = [sys.executable, "-m", "ticketing", "run", f"--procfile={procfile}"]
    run = subprocess.Popen(
        [*argv, f"--state-dir={paths.state_dir}"], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        wait_for("steady to start", lambda: supervision.pids(paths).get("steady", 0) > 0, 30)
        steady = supervision.pids(paths)["steady"]
        run.kill()
        run.wait()
        wait_for("steady to be stopped", lambda: not group_alive(steady), 15)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
