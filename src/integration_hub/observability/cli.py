"""The async work behind ``integration-hub audit ...``."""

from __future__ import annotations

from integration_hub.config import Settings
from integration_hub.db.engine import create_engine, create_session_factory
from integration_hub.observability.audit import VerifyReport, verify


async def verify_audit(settings: Settings) -> VerifyReport:
    engine = create_engine(settings.async_database_url)
    try:
        async with create_session_factory(engine)() as session:
            return await verify(session)
    finally:
        await engine.dispose()
