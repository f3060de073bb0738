"""Checks run before serving, so that a broken set-up fails with one clear line."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from integration_hub.config import Settings
from integration_hub.context import HubContext
from integration_hub.db.migrate import head_revision
from integration_hub.errors import ConfigurationError


async def preflight(settings: Settings) -> None:
    """Reach the database and Redis, and find the schema up to date."""
    context = await HubContext.open(settings)
    try:
        async with context.engine.connect() as connection:
            current = await connection.run_sync(_current_revision)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"HUB_DATABASE_URL: cannot use the database ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        await context.close()

    if current != head_revision():
        raise ConfigurationError(
            f"the database schema is at {current or 'nothing'}, not "
            f"{head_revision()}: run 'integration-hub migrate'"
        )


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
