"""Run Alembic migrations against the configured database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from integration_hub.db.engine import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    _run(url, lambda config: command.downgrade(config, revision))


def autogenerate(url: str, message: str) -> None:
    """Write a new revision from the difference between models and database."""
    _run(url, lambda config: command.revision(config, message, autogenerate=True))


def _run(url: str, operation: object) -> None:
    asyncio.run(_run_async(url, operation))


async def _run_async(url: str, operation: object) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_with_connection, operation)
    finally:
        await engine.dispose()


def _with_connection(connection: Connection, operation: object) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    assert callable(operation)
    operation(config)
