"""The command line's data commands: triage's training data from agents' corrections, a
customer's personal data (export, erasure), and the reports' roll-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ticketing import audit, personal_data
from ticketing.cli_common import database
from ticketing.config import get_settings
from ticketing.db import make_session_factory, transaction
from ticketing.reports import rollup
from ticketing.sla import backfill

triage_app = typer.Typer(help="Complaint triage's training data.", no_args_is_help=True)
reports_app = typer.Typer(help="The supervisor reports' daily roll-up.", no_args_is_help=True)
customer_app = typer.Typer(
    help="A customer's personal data: export it, erase it on request.", no_args_is_help=True
)


# --- triage -------------------------------------------------------------------------------------


@triage_app.command("export-corrections")
def triage_export_corrections(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
) -> None:
    """Add agents' category corrections, personal data masked, to the triage training data."""
    from ticketing import triage_corrections  # loads spaCy: only this command needs it

    with database(get_settings()) as engine, transaction(make_session_factory(engine)) as session:
        exported = triage_corrections.export_corrections(session, dry_run=dry_run)
    for example in exported.new:
        typer.echo(f"{example.category.value:<16} {example.lang:<8} {example.text}")
    where = triage_corrections.CORRECTIONS_PATH
    verb = "would add" if dry_run else "added"
    typer.echo(
        f"{verb} {len(exported.new)} corrections to {where} ({exported.already} known already);"
        " review the diff, then `make triage` retrains and"
        " `python -m ticketing.triage_corrections compare` shows the difference"
    )


# --- customers' personal data -------------------------------------------------------------------


@customer_app.command("export")
def customer_export(
    customer_id: Annotated[int, typer.Argument(min=1, help="The customer's id.")],
    output: Annotated[
        Path | None, typer.Option(help="Write the JSON to this file (default: standard output).")
    ] = None,
) -> None:
    """Everything kept about a customer, as JSON (recorded in the audit trail)."""
    settings = get_settings()
    with database(settings) as engine, transaction(make_session_factory(engine)) as session:
        data = personal_data.export_customer(session, customer_id)
        audit.record(
            session,
            "customer.export",
            actor=audit.CLI,
            target_type="customer",
            target_id=customer_id,
        )
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        output.chmod(0o600)
        typer.echo(f"customer {customer_id} exported to {output}", err=True)


@customer_app.command("erase")
def customer_erase(
    customer_id: Annotated[int, typer.Argument(min=1, help="The customer's id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Anonymise a customer in place, on their request (recorded in the audit trail)."""
    if not yes:
        typer.confirm(f"Erase customer {customer_id}'s personal data for good?", abort=True)
    settings = get_settings()
    with database(settings) as engine, transaction(make_session_factory(engine)) as session:
        erasure = personal_data.erase_customer(session, customer_id)
        audit.record(
            session,
            "customer.erase",
            actor=audit.CLI,
            target_type="customer",
            target_id=customer_id,
            after=erasure.counts(),
        )
    counts = ", ".join(f"{n} {what}" for what, n in erasure.counts().items())
    typer.echo(f"customer {customer_id} erased: {counts}")


# --- processes ----------------------------------------------------------------------------------


# --- reports ------------------------------------------------------------------------------------


@reports_app.command("rebuild")
def reports_rebuild() -> None:
    """Rebuild the SLA reports' daily roll-up from the stored verdicts (after an upgrade, or a
    bulk import that bypassed the application); the reports stay exact while it runs."""
    with database(get_settings()) as engine:
        days = rollup.rebuild(make_session_factory(engine))
    typer.echo(f"rebuilt the roll-up of {days} days")


@reports_app.command("backfill-verdicts")
def reports_backfill_verdicts() -> None:
    """Give the tickets resolved or closed before SLA verdicts were stored their verdicts, by
    replaying each one's SLA history through the clock (tickets with any verdict are left
    alone, so running it again does nothing); the roll-up marks the days it changes."""
    with database(get_settings()) as engine:
        tickets, verdicts = backfill.backfill(make_session_factory(engine))
    typer.echo(f"replayed {tickets} tickets: {verdicts} verdicts written")
