"""Create or migrate the database schema with Alembic, from code (CLI, tests, `make run`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from ticketing.config import ROOT


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", "ticketing:migrations")
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database to `revision` (default: the newest)."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        # On SQLite a batch migration rebuilds a table (create, copy, drop, rename): with foreign
        # keys enforced, dropping a table that other rows point at fails, so a database with
        # data could not be migrated. They are off for the migration (the pragma works only
        # outside a transaction) and checked, then on again, before the connection is reused.
        driver = (
            connection.connection.driver_connection if engine.dialect.name == "sqlite" else None
        )
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if driver is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"the migration left a broken reference: {broken}")
        finally:
            if driver is not None:
                driver.execute("PRAGMA foreign_keys=ON")
