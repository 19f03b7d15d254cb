"""The production install's files: systemd units checked by `systemd-analyze verify`, the
nginx example checked by `nginx -t`, and `ticketing exec` that the units run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ticketing import deploy

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("rasa", "actions", "web", "worker")
OPENSSL_SELF_SIGNED = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]


def require(program: str, package: str) -> str:
    """The program's path; skipped without it, except on CI (make test installs it)."""
    path = shutil.which(program)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {program} (make deploy-tools: apt-get install {package})")
    pytest.skip(f"no {program}: make deploy-tools (apt-get install {package})")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ticketing", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def verify(*units: Path) -> subprocess.CompletedProcess[str]:
    analyze = require("systemd-analyze", "systemd")
    return subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    done = cli("deploy", "systemd", f"--out={tmp_path}", f"--prefix={ROOT}")
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([*(deploy.unit_name(p) for p in PROCESSES), "kefu.target"])
    checked = verify(*sorted(tmp_path.iterdir()))
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_each_unit_restarts_on_failure_with_limits_as_an_unprivileged_user(
    tmp_path: Path,
) -> None:
    units = deploy.systemd_units(PROCESSES, deploy.Install(ROOT, "kefu", "kefu"))
    for process in PROCESSES:
        lines = set(units[deploy.unit_name(process)].splitlines())
        assert {"Restart=on-failure", "User=kefu", "NoNewPrivileges=yes"} <= lines
        assert f"ExecStart={ROOT}/.venv/bin/python -m ticketing exec {process}" in lines
        assert f"MemoryMax={deploy.PROFILES[process].memory_max}" in lines
        assert any(line.startswith("StartLimitBurst=") for line in lines)
    assert "Wants=" + " ".join(map(deploy.unit_name, PROCESSES)) in units["kefu.target"]


def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    # The check above can fail: a command that is not there and a limit that is not one.
    unit = deploy.service_unit("web", deploy.Install(tmp_path / "nowhere"))
    path = tmp_path / "kefu-web.service"
    path.write_text(unit.replace("MemoryMax=1G", "MemoryMax=lots"))
    checked = verify(path)
    assert checked.returncode != 0
    assert "is not executable" in checked.stderr
    assert "Invalid memory limit" in checked.stderr


def test_a_bad_user_name_is_refused(tmp_path: Path) -> None:
    done = cli("deploy", "systemd", f"--out={tmp_path}", "--user=root\nExecStartPre=/bin/sh")
    assert done.returncode == 1
    assert "is not a user or group name" in done.stderr
    assert not list(tmp_path.iterdir())


def test_the_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    nginx = require("nginx", "nginx-light")
    done = cli("deploy", "nginx", "--server-name=kefu.shop.example.cn", f"--out={tmp_path}")
    assert done.returncode == 0, done.stderr
    config = (tmp_path / "kefu.conf").read_text()
    assert "server_name kefu.shop.example.cn;" in config
    assert "kefu.example.com" not in config
    for needed in ("proxy_set_header Upgrade $http_upgrade;", "proxy_buffering off;", "ssl"):
        assert needed in config
    # A throwaway certificate where the example expects the real one.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [*OPENSSL_SELF_SIGNED, "-subj", "/CN=x", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    live = "/etc/letsencrypt/live/kefu.shop.example.cn"
    config = config.replace(f"{live}/fullchain.pem", str(cert)).replace(
        f"{live}/privkey.pem", str(key)
    )
    (tmp_path / "kefu.conf").write_text(config)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/kefu.conf;\n}}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_a_bad_server_name_is_refused(tmp_path: Path) -> None:
    done = cli("deploy", "nginx", "--server-name=x; include /etc/passwd", f"--out={tmp_path}")
    assert done.returncode == 1
    assert "is not a host name" in done.stderr


def test_exec_becomes_the_procfile_process(tmp_path: Path) -> None:
    procfile = tmp_path / "Procfile"
    procfile.write_text("hello: GREETING=ni-hao sh -c 'echo $GREETING $$'\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "ticketing", "exec", "hello", f"--procfile={procfile}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "KEFU_RASA_TOKEN": "t" * 32},
    )
    out, _ = process.communicate(timeout=60)
    greeting, pid = out.split()
    assert greeting == "ni-hao"
    assert int(pid) == process.pid  # exec all the way: systemd watches the program itself


def test_exec_names_the_processes_it_knows(tmp_path: Path) -> None:
    done = cli("exec", "nothing")
    assert done.returncode == 1
    assert "no process nothing" in done.stderr and "web" in done.stderr
