from __future__ import annotations

from sqlalchemy import text

from integration_hub.db.engine import create_engine


async def execute_autocommit(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE and DROP DATABASE)."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
