"""``integration-hub audit verify``, run as a user runs it, on a tampered log."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from integration_hub.cli import new_key_entry
from integration_hub.context import HubContext
from integration_hub.observability.audit import AuditEvent, record
from integration_hub.observability.models import AuditLogEntry

EXECUTABLE = str(Path(sys.executable).parent / "integration-hub")


def verify_cli(database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env = {
        **clean,
        "HUB_VAR_DIR": str(cwd / "var"),
        "HUB_DATABASE_URL": database_url,
        "HUB_ENCRYPTION_KEYS": new_key_entry(),
    }
    return subprocess.run(  # noqa: S603 -- our own executable, fixed arguments
        [EXECUTABLE, "audit", "verify"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def five_entries(context: HubContext) -> list[int]:
    for n in range(5):
        await record(
            context.sessions, AuditEvent(action=f"step.{n}", outcome="success")
        )
    async with context.sessions() as session:
        return list(await session.scalars(select(AuditLogEntry.id).order_by("id")))


async def edit_middle(context: HubContext, ids: list[int]) -> None:
    async with context.sessions() as session, session.begin():
        await session.execute(
            update(AuditLogEntry)
            .where(AuditLogEntry.id == ids[2])
            .values(outcome="failure")
        )


async def delete_middle(context: HubContext, ids: list[int]) -> None:
    async with context.sessions() as session, session.begin():
        await session.execute(delete(AuditLogEntry).where(AuditLogEntry.id == ids[2]))


async def delete_last(context: HubContext, ids: list[int]) -> None:
    async with context.sessions() as session, session.begin():
        await session.execute(
            delete(AuditLogEntry).where(
                AuditLogEntry.id == select(func.max(AuditLogEntry.id)).scalar_subquery()
            )
        )


Tamper = Callable[[HubContext, list[int]], Awaitable[None]]


class TestAuditVerify:
    @pytest.mark.anyio
    async def test_intact_log_passes(
        self, context: HubContext, database_url: str, tmp_path: Path
    ) -> None:
        """An untouched chain verifies: exit 0 and the number of entries."""
        await five_entries(context)

        result = verify_cli(database_url, tmp_path)

        assert result.returncode == 0, result.stderr
        assert "intact: 5 entries" in result.stdout

    @pytest.mark.anyio
    @pytest.mark.parametrize(
        ("tamper", "expected"),
        [
            (edit_middle, "entry {middle}: content edited"),
            (delete_middle, "entry {after}: link broken"),
            (delete_last, "newest entries deleted"),
        ],
        ids=["edited", "deleted-middle", "deleted-last"],
    )
    async def test_tampering_is_reported_with_a_non_zero_exit(
        self,
        context: HubContext,
        database_url: str,
        tmp_path: Path,
        tamper: Tamper,
        expected: str,
    ) -> None:
        """Edited and deleted entries are each named, and the command fails."""
        ids = await five_entries(context)
        await tamper(context, ids)

        result = verify_cli(database_url, tmp_path)

        assert result.returncode == 1
        assert expected.format(middle=ids[2], after=ids[3]) in result.stdout
        assert "audit log damaged" in result.stdout
        assert "Traceback" not in result.stderr
