"""A production install's files: one systemd unit per Procfile process, a target that groups
them, and an example nginx configuration (TLS, WebSockets). `python -m ticketing deploy ...`
writes them; the templates beside this module are package data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template

HERE = Path(__file__).resolve().parent
SERVICE_TEMPLATE = HERE / "kefu-process.service.in"
TARGET_TEMPLATE = HERE / "kefu.target.in"
NGINX_EXAMPLE = HERE / "nginx-kefu.conf"
EXAMPLE_HOST = "kefu.example.com"


@dataclass(frozen=True)
class Profile:
    """What one process is and what it may use."""

    description: str
    memory_high: str
    memory_max: str
    tasks_max: int
    nofile: int
    restart_sec: int = 2


# Rasa holds its model (about 2 GB with spaCy); the web app holds every open chat socket.
PROFILES = {
    "rasa": Profile("Rasa server (the assistant)", "2500M", "3G", 256, 4096, restart_sec=5),
    "actions": Profile("Rasa action server", "768M", "1G", 256, 4096),
    "web": Profile("web app: desk API, agent console, chat gateway", "768M", "1G", 512, 65536),
    "worker": Profile("SLA and follow-up worker", "384M", "512M", 64, 1024),
}
DEFAULT_PROFILE = Profile("process", "768M", "1G", 256, 4096)
START_LIMIT_BURST = 5


@dataclass(frozen=True)
class Install:
    prefix: Path  # the checkout, with .venv and .venv-rasa installed
    user: str = "kefu"
    group: str = "kefu"
    env_file: Path = Path("/etc/kefu/kefu.env")


def unit_name(process: str) -> str:
    return f"kefu-{process}.service"


def service_unit(process: str, install: Install) -> str:
    profile = PROFILES.get(process, DEFAULT_PROFILE)
    return Template(SERVICE_TEMPLATE.read_text(encoding="utf-8")).substitute(
        name=process,
        description=profile.description,
        prefix=install.prefix,
        user=install.user,
        group=install.group,
        env_file=install.env_file,
        memory_high=profile.memory_high,
        memory_max=profile.memory_max,
        tasks_max=profile.tasks_max,
        nofile=profile.nofile,
        restart_sec=profile.restart_sec,
        burst=START_LIMIT_BURST,
    )


def target_unit(processes: Iterable[str]) -> str:
    services = " ".join(unit_name(p) for p in processes)
    return Template(TARGET_TEMPLATE.read_text(encoding="utf-8")).substitute(services=services)


def systemd_units(processes: Iterable[str], install: Install) -> dict[str, str]:
    """File name: content, for each process and the target."""
    names = list(processes)
    units = {unit_name(p): service_unit(p, install) for p in names}
    units["kefu.target"] = target_unit(names)
    return units


def nginx_config(server_name: str) -> str:
    return NGINX_EXAMPLE.read_text(encoding="utf-8").replace(EXAMPLE_HOST, server_name)


def write(files: dict[str, str], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
