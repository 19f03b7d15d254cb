"""The command line: `python -m ticketing init|db|user|team|customer|demo|worker|run`."""

from __future__ import annotations

import logging
import os
import re
import secrets
import shlex
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from honcho.environ import parse_procfile
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from ticketing import (
    accounts,
    audit,
    checks,
    demo,
    deploy,
    first_run,
    migrate,
    supervision,
    worker,
)
from ticketing.cli_common import database as _database
from ticketing.cli_common import fail, shown_url
from ticketing.cli_data import customer_app, reports_app, triage_app
from ticketing.clock import utcnow
from ticketing.config import ROOT, VAR_DIR, Settings, get_settings
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Category, Role, Ticket

log = logging.getLogger(__name__)

app = typer.Typer(
    name="python -m ticketing",
    help="Kefu (客服): the ticket desk's database, users, demo data and processes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)
user_app = typer.Typer(help="Desk users: agents, supervisors and admins.", no_args_is_help=True)
team_app = typer.Typer(help="Teams that tickets are routed to.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo footwear retailer (鞋履零售).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(team_app, name="team")
deploy_app = typer.Typer(help="Files for a production install.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(triage_app, name="triage")
app.add_typer(deploy_app, name="deploy")
app.add_typer(customer_app, name="customer")
app.add_typer(reports_app, name="reports")

PROCFILE = ROOT / "Procfile"
RASA_MODEL = Path("models/current.tar.gz")
RASA_TOKEN_FILE = VAR_DIR / "rasa_token"
# What `run` prints for each Procfile process it starts (the ports are the Procfile's).
PROCESS_URLS: dict[str, tuple[tuple[str, str], ...]] = {
    "web": (
        ("agent console", "http://127.0.0.1:8000/console"),
        ("supervisor dashboard", "http://127.0.0.1:8000/reports"),
        ("desk API (OpenAPI docs)", "http://127.0.0.1:8000/docs"),
    ),
    "rasa": (("Rasa server (token protected)", "http://127.0.0.1:5005"),),
    "actions": (("Rasa action server", "http://127.0.0.1:5055"),),
    "worker": (("SLA and follow-up worker", ""),),
}
# The web app with the chat gateway (bot.gateway.app) also serves a demo shop with the chat widget.
SHOP_URL = ("demo shop with the web chat", "http://127.0.0.1:8000/shop")


@app.callback()
def _setup() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


# --- db -----------------------------------------------------------------------------------------


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create the database at KEFU_DATABASE_URL, or migrate it to the newest schema."""
    settings = get_settings()
    with _database(settings) as engine:
        before = current_revision(engine)
        migrate.upgrade(engine, revision)
        after = current_revision(engine)
    where = shown_url(settings.database_url)
    if before == after:
        typer.echo(f"database {where} is at revision {after} already")
    else:
        typer.echo(f"database {where} migrated from {before or 'nothing'} to {after}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and whether it is the newest."""
    settings = get_settings()
    with _database(settings) as engine:
        revision = current_revision(engine)
    head = head_revision()
    where = shown_url(settings.database_url)
    if revision is None:
        typer.echo(f"database {where} has no schema yet: run `python -m ticketing db upgrade`")
    elif revision == head:
        typer.echo(f"database {where} is at revision {revision} (the newest)")
    else:
        typer.echo(f"database {where} is at revision {revision}; the newest is {head}")


# --- users and teams ----------------------------------------------------------------------------


def read_password(from_stdin: bool) -> str:
    """The new password: one line from stdin (like `docker login --password-stdin`) when asked
    for or when stdin is no terminal, else typed twice at a hidden prompt."""
    if from_stdin or not sys.stdin.isatty():
        text = sys.stdin.read()
        password = text.removesuffix("\n").removesuffix("\r")
        if "\n" in password or "\r" in password:
            raise fail("the password on stdin must be a single line")
        if not password:
            raise fail("no password on stdin")
        return password
    typed: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed


@app.command("init")
def init_command(
    admin: Annotated[str, typer.Option(help="The first admin's login name.")] = "admin",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the admin's password from stdin.")
    ] = False,
) -> None:
    """Set up a desk of your own: migrate the database, add the first admin (the password is
    asked for, or read from stdin), a default calendar and SLA policies. No demo data."""
    settings = get_settings()
    with _database(settings) as engine:
        before = current_revision(engine)
        migrate.upgrade(engine)
        summary = first_run.InitSummary()
        if before != current_revision(engine):
            summary.lines.append(f"database {shown_url(settings.database_url)} migrated")
        factory = make_session_factory(engine)
        with factory() as session:
            needs_admin = not first_run.has_admin(session)
        # Asked for only when there is no admin yet, so running init again asks nothing.
        password = read_password(password_stdin) if needs_admin else None
        with transaction(factory) as session:
            if password is None:
                summary.lines.append("an admin exists already: none added")
            else:
                first_run.create_admin(session, admin, password, summary)
            first_run.set_up_defaults(session, summary, utcnow().date())
    for line in summary.lines:
        typer.echo(line)
    typer.echo(
        "Start with `python -m ticketing run` and sign in at http://127.0.0.1:8000/console; "
        "change teams, calendars and SLA targets in the settings."
    )


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name: letters, digits, . _ -")],
    role: Annotated[Role, typer.Option(help="What the user may do.")] = Role.AGENT,
    team: Annotated[str | None, typer.Option(help="The user's team (see `team add`).")] = None,
    display_name: Annotated[
        str | None, typer.Option(help="The name customers and colleagues see.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add a desk user; the password is asked for at a hidden prompt, or read from stdin."""
    settings = get_settings()
    with _database(settings) as engine:
        factory = make_session_factory(engine)
        # Checked before asking for the password, so nobody types one for nothing.
        with factory() as session:
            if accounts.get_user(session, name) is not None:
                raise fail(f"user {name} exists already")
            if team is not None and accounts.get_team(session, team) is None:
                raise fail(f"no team {team}; add it with `python -m ticketing team add {team}`")
        password = read_password(password_stdin)
        with transaction(factory) as session:
            team_row = accounts.get_team(session, team) if team is not None else None
            user = accounts.create_user(
                session,
                name,
                password,
                role=role,
                display_name=display_name,
                team=team_row,
                actor=audit.CLI,
            )
            summary = f"added {user.role.value} {user.username}" + (
                f" in team {team}" if team else ""
            )
    typer.echo(summary)


@user_app.command("list")
def user_list() -> None:
    """List the desk users."""
    with _database(get_settings()) as engine, make_session_factory(engine)() as session:
        for user in accounts.list_users(session):
            team = user.team.name if user.team else "-"
            state = "" if user.is_active else "  (inactive)"
            typer.echo(
                f"{user.username:<16} {user.role.value:<11} {team:<14} {user.display_name}{state}"
            )


@team_app.command("add")
def team_add(
    name: Annotated[str, typer.Argument(help="The team's name, e.g. after-sales.")],
    description: Annotated[str, typer.Option(help="What the team handles.")] = "",
) -> None:
    """Add a team."""
    with _database(get_settings()) as engine, transaction(make_session_factory(engine)) as session:
        accounts.create_team(session, name, description)
    typer.echo(f"added team {name}")


@team_app.command("list")
def team_list() -> None:
    """List the teams."""
    with _database(get_settings()) as engine, make_session_factory(engine)() as session:
        routed = accounts.routes(session)
        for team in accounts.list_teams(session):
            line = f"{team.name:<16} {team.description}"
            categories = [c.value for c, t in routed.items() if t.id == team.id]
            if categories:
                line += f" [new tickets: {', '.join(categories)}]"
            typer.echo(line)


@team_app.command("route")
def team_route(
    category: Annotated[Category, typer.Argument(help="A ticket category.")],
    team: Annotated[str, typer.Argument(help="The team its new tickets go to; '-' for none.")],
) -> None:
    """Send new tickets of a category to a team."""
    with _database(get_settings()) as engine, transaction(make_session_factory(engine)) as session:
        team_row = None if team == "-" else accounts.get_team(session, team)
        if team != "-" and team_row is None:
            raise fail(f"no team {team}; add it with `python -m ticketing team add {team}`")
        accounts.route_category(session, category, team_row)
    typer.echo(f"new {category.value} tickets go to {team if team_row else 'no team'}")


# --- demo data ----------------------------------------------------------------------------------


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database has tickets.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Another seed gives another (fixed) data set.")] = 7,
) -> None:
    """Load the demo retailer: teams, users, SLA policies, customers and a month of tickets."""
    with _database(get_settings()) as engine, transaction(make_session_factory(engine)) as session:
        tickets = session.scalar(select(func.count(Ticket.id))) or 0
        if tickets and if_empty:
            typer.echo(f"the database has {tickets} tickets already: demo data not loaded")
            return
        summary = demo.load_demo(session, seed=seed)
    for line in summary.lines():
        typer.echo(line)
    typer.echo("")
    for line in demo.login_lines():
        typer.echo(line)


@app.command("worker")
def worker_command(
    interval: Annotated[
        float, typer.Option(min=0.1, max=15.0, help="Seconds between sweeps at most.")
    ] = 15.0,
) -> None:
    """Run the SLA worker: warnings, breaches, follow-up visits, churn flags, and the retention
    of chat transcripts (KEFU_RETENTION_DAYS) and of Telegram's update ids
    (KEFU_RECEIVED_UPDATE_RETENTION_DAYS, 7 days)."""
    settings = get_settings()
    days = settings.retention_days
    options = worker.WorkerOptions(
        interval=interval,
        retention=timedelta(days=days) if days else None,
        update_retention=timedelta(days=settings.received_update_retention_days),
    )
    worker.main(options, settings.database_url)


def rasa_token(settings: Settings) -> str:
    """The token Rasa's HTTP API wants: KEFU_RASA_TOKEN, or a random one kept in var/ so
    restarts keep it (as `Settings.secret()` does for the signing key)."""
    if settings.rasa_token:
        return settings.rasa_token
    if not RASA_TOKEN_FILE.exists():
        RASA_TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
        RASA_TOKEN_FILE.write_text(secrets.token_urlsafe(32))
        RASA_TOKEN_FILE.chmod(0o600)
    return RASA_TOKEN_FILE.read_text().strip()


@dataclass(frozen=True)
class Plan:
    """Which Procfile processes can start, and why the others cannot."""

    runnable: dict[str, str]
    skipped: dict[str, str]


def _executable(command: str) -> str | None:
    """The program a Procfile command runs, after any leading VAR=value assignments."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for word in words:
        name, assigns, _ = word.partition("=")
        if not (assigns and name.isidentifier()):
            return word
    return None


def plan_processes(procfile: Path, root: Path) -> Plan:
    """Read the Procfile; leave out a process whose program is not installed, and Rasa while
    there is no trained model."""
    processes: dict[str, str] = dict(parse_procfile(procfile.read_text()).processes)
    runnable: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for name, command in processes.items():
        program = _executable(command)
        if program is None:
            skipped[name] = "its command cannot be read"
        elif "/" in program and not (root / program).exists():
            skipped[name] = f"{program} is not installed (make install)"
        elif "/" not in program and shutil.which(program) is None:
            skipped[name] = f"{program} is not on the PATH"
        elif str(RASA_MODEL) in command and not (root / RASA_MODEL).exists():
            skipped[name] = f"there is no trained model at {RASA_MODEL} (make model)"
        else:
            runnable[name] = command
    return Plan(runnable, skipped)


def _demo_logins_apply(settings: Settings) -> bool:
    """Whether the database holds the demo users with the demo password (a real database
    gets no printed passwords)."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            user = demo.DEMO_USERS[-1]
            return accounts.authenticate(session, user.username, demo.DEMO_PASSWORD) is not None
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def process_env(settings: Settings) -> dict[str, str]:
    """The environment every Procfile process gets: ours, plus what Rasa's launcher
    (bot/assistant/serve.py) must be told, since it reads no .env file: the API token, the
    database its tracker store goes beside, the Redis its locks go to."""
    env = dict(os.environ)
    env["KEFU_RASA_TOKEN"] = rasa_token(settings)
    env["KEFU_DATABASE_URL"] = settings.database_url
    if settings.redis_url:
        env["KEFU_REDIS_URL"] = settings.redis_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


@app.command("run")
def run_command(
    procfile: Annotated[Path, typer.Option(help="The Procfile to run.")] = PROCFILE,
    state_dir: Annotated[
        Path | None,
        typer.Option(help="Where supervisord's socket and the logs go [default: var/supervisor]"),
    ] = None,
) -> None:
    """Start every process of the Procfile under supervisord: one that dies is restarted, one
    that keeps crashing is left down and reported; Ctrl-C stops them all."""
    settings = get_settings()
    if not procfile.exists():
        raise fail(f"no Procfile at {procfile}")
    root = procfile.resolve().parent
    plan = plan_processes(procfile, root)
    if not plan.runnable:
        raise fail("no process in the Procfile can start: " + "; ".join(plan.skipped.values()))
    env = process_env(settings)
    paths = supervision.default_paths(state_dir.resolve() if state_dir else None)

    typer.echo("Kefu is starting:")
    for name, command in plan.runnable.items():
        shown = PROCESS_URLS.get(name, ((f"{name} process", ""),))
        if name == "web" and "bot.gateway.app" in command:
            shown = (*shown, SHOP_URL)
        for label, url in shown:
            typer.echo(f"  {label:<32} {url}".rstrip())
    for name, why in plan.skipped.items():
        typer.echo(f"  not starting {name}: {why}")
    typer.echo("")
    if _demo_logins_apply(settings):
        for line in demo.login_lines():
            typer.echo(line)
        typer.echo("")
    typer.echo(f"Each process's output: {paths.log_dir}/<name>.log")
    typer.echo("A process that dies is restarted. Ctrl-C stops everything.")
    code = supervision.supervise(plan.runnable, root, env, paths, _say)
    raise typer.Exit(code)


def _say(line: str) -> None:
    typer.echo(f"{datetime.now().astimezone():%H:%M:%S} {line}")


@app.command("exec")
def exec_command(
    name: Annotated[str, typer.Argument(help="A process of the Procfile: rasa, web...")],
    procfile: Annotated[Path, typer.Option(help="The Procfile to read.")] = PROCFILE,
) -> None:
    """Become one Procfile process, in the foreground (what the systemd units run)."""
    if not procfile.exists():
        raise fail(f"no Procfile at {procfile}")
    commands: dict[str, str] = dict(parse_procfile(procfile.read_text()).processes)
    if name not in commands:
        raise fail(f"no process {name} in {procfile}; it has {', '.join(commands)}")
    env = process_env(get_settings())
    os.chdir(procfile.resolve().parent)
    argv = shlex.split(supervision.program_command(commands[name]))
    sys.stdout.flush()
    os.execve(argv[0], argv, env)  # noqa: S606 - /bin/sh running the Procfile's own line


@app.command("check")
def check_command() -> None:
    """Say whether this configuration (KEFU_* variables, .env) is fit for production."""
    findings = checks.run_checks(get_settings())
    for finding in findings:
        typer.echo(f"{'ok' if finding.ok else 'problem'}: {finding.text}")
    problems = sum(not f.ok for f in findings)
    if problems:
        typer.echo(f"{problems} problem{'s' if problems > 1 else ''}: not ready for production")
        raise typer.Exit(1)
    typer.echo("ready for production")


@deploy_app.command("systemd")
def deploy_systemd(
    out: Annotated[Path, typer.Option(help="Where to write the units, e.g. /etc/systemd/system")],
    prefix: Annotated[Path, typer.Option(help="The installed checkout.")] = ROOT,
    user: Annotated[str, typer.Option(help="The unprivileged user the processes run as.")] = "kefu",
    group: Annotated[str, typer.Option(help="Its group.")] = "kefu",
    env_file: Annotated[Path, typer.Option(help="The KEFU_* settings.")] = Path(
        "/etc/kefu/kefu.env"
    ),
    procfile: Annotated[Path, typer.Option(help="The Procfile to read.")] = PROCFILE,
) -> None:
    """Write a systemd unit per Procfile process, and kefu.target to start them all."""
    for what, value in (("user", user), ("group", group)):
        if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", value):
            raise fail(f"--{what} {value!r} is not a user or group name")
    processes = list(parse_procfile(procfile.read_text()).processes)
    install = deploy.Install(prefix.resolve(), user, group, env_file)
    for path in deploy.write(deploy.systemd_units(processes, install), out):
        typer.echo(f"wrote {path}")


@deploy_app.command("nginx")
def deploy_nginx(
    server_name: Annotated[str, typer.Option(help="The public host name, e.g. kefu.shop.cn")],
    out: Annotated[Path, typer.Option(help="Where to write kefu.conf")],
) -> None:
    """Write the example nginx configuration (TLS, WebSockets) for `server_name`."""
    if not re.fullmatch(r"(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}", server_name):
        raise fail(f"--server-name {server_name!r} is not a host name")
    for path in deploy.write({"kefu.conf": deploy.nginx_config(server_name)}, out):
        typer.echo(f"wrote {path}")


def main() -> None:
    app(prog_name="python -m ticketing")
