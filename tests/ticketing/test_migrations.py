"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, delete, func, inspect, select, text

from tests.factories import make_ticket, make_user
from ticketing import migrate
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Base, ReportRollupMark, SlaAgentDay, SlaVerdict
from ticketing.reports import rollup


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models changed without a migration: " + repr(differences)


def test_next_deadline_is_indexed(engine: Engine) -> None:
    indexes = inspect(engine).get_indexes("tickets")
    assert any(ix["column_names"] == ["next_deadline_at"] for ix in indexes)


def test_received_at_is_indexed_for_the_workers_pruning(engine: Engine) -> None:
    indexes = inspect(engine).get_indexes("received_updates")
    assert any(ix["column_names"] == ["received_at"] for ix in indexes)


def test_0150_gives_old_verdicts_their_tickets_assignee(tmp_path: Path) -> None:
    """Verdicts decided before 0150 get the assignee their ticket has at the upgrade (the one
    when they were decided is recorded nowhere), and their days are marked for the roll-up."""
    engine = make_engine(f"sqlite:///{tmp_path / 'kefu.db'}")
    migrate.upgrade(engine, "0140")
    factory = make_session_factory(engine)
    with factory.begin() as s:
        agent = make_user(s)
        held, unheld = make_ticket(s), make_ticket(s)
        held.assignee_id = agent.id
        s.flush()
        for ticket in (held, unheld):
            s.execute(
                text(
                    "INSERT INTO sla_verdicts (ticket_id, metric, clock, breached, due_at,"
                    " decided_at, priority, started_at) VALUES (:t, 'first_response', '1',"
                    " false, :at, :at, 'normal', :at)"
                ),
                {"t": ticket.id, "at": ticket.created_at},
            )
        s.execute(delete(ReportRollupMark))
        ids = (held.id, unheld.id, agent.id)
    migrate.upgrade(engine)
    with factory() as s:
        found = dict(s.execute(select(SlaVerdict.ticket_id, SlaVerdict.assignee_id)).all())
        assert found == {ids[0]: ids[2], ids[1]: None}
        assert s.scalar(select(func.count()).select_from(ReportRollupMark)) == 1
    rollup.refresh(factory)
    with factory() as s:
        rows = s.execute(select(SlaAgentDay.agent_key, SlaAgentDay.met)).all()
    assert sorted(tuple(r) for r in rows) == [(0, 1), (ids[2], 1)]
    engine.dispose()
