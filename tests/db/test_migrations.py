"""Migrations, on whichever engine this run uses."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from integration_hub.db import migrate
from integration_hub.db.engine import create_engine
from integration_hub.db.models import Base
from tests.support.databases import execute_autocommit


@pytest.fixture
def empty_database_url(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[str]:
    """A database with no schema at all, on the engine of this run."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('mig') / 'm.db'}"
        return

    name = f"hub_mig_{uuid.uuid4().hex[:12]}"
    server = database_url.rsplit("/", 1)[0]
    admin = server + "/" + os.environ.get("HUB_TEST_ADMIN_DB", "test")
    asyncio.run(execute_autocommit(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        asyncio.run(execute_autocommit(admin, f'DROP DATABASE "{name}" WITH (FORCE)'))


def _inspect(url: str) -> tuple[set[str], str | None, list[object]]:
    async def run() -> tuple[set[str], str | None, list[object]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_read)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _read(connection: Connection) -> tuple[set[str], str | None, list[object]]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    diff = compare_metadata(context, Base.metadata)
    return tables, context.get_current_revision(), diff


class TestMigrations:
    def test_upgrade_creates_every_table_matching_the_models(
        self, empty_database_url: str
    ) -> None:
        """After upgrade, the schema is exactly what the models declare."""
        migrate.upgrade(empty_database_url)

        tables, revision, diff = _inspect(empty_database_url)

        assert tables == set(Base.metadata.tables)
        assert revision == migrate.head_revision()
        assert diff == []

    def test_downgrade_to_base_removes_everything_and_upgrades_again(
        self, empty_database_url: str
    ) -> None:
        """Downgrade to base leaves no table; upgrading again works."""
        migrate.upgrade(empty_database_url)

        migrate.downgrade(empty_database_url, "base")
        after_down, revision_down, _ = _inspect(empty_database_url)
        migrate.upgrade(empty_database_url)
        after_up, revision_up, _ = _inspect(empty_database_url)

        assert after_down == set()
        assert revision_down is None
        assert after_up == set(Base.metadata.tables)
        assert revision_up == migrate.head_revision()

    def test_every_row_owned_by_a_user_carries_its_user_id(self) -> None:
        """Tables holding user data reference hub_users through user_id."""
        shared = {"hub_users", "integration_metrics", "audit_chain_head"}

        for name, table in Base.metadata.tables.items():
            if name in shared:
                continue
            assert "user_id" in table.columns, name
            targets = {
                fk.column.table.name for fk in table.columns["user_id"].foreign_keys
            }
            assert targets == {"hub_users"}, name
