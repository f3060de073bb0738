"""The audit log: every operation appended, each entry hash-chained to the last.

An entry's hash covers its own fields and the previous entry's hash, and the
chain head row holds the newest hash and the length. Editing any entry breaks
its hash; deleting one breaks the next entry's link or the head.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integration_hub.db.base import utcnow
from integration_hub.errors import HubError
from integration_hub.observability.models import AuditChainHead, AuditLogEntry

GENESIS_HASH = "0" * 64
T = TypeVar("T")
_HEAD_ID = 1


@dataclass
class AuditEvent:
    action: str
    outcome: str
    user_id: uuid.UUID | None = None
    connection_id: uuid.UUID | None = None
    target: str | None = None
    status_code: int | None = None
    duration_ms: float | None = None
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def entry_hash(entry: AuditLogEntry) -> str:
    """The hash of an entry's content and its link to the previous entry."""
    content = {
        "created_at": entry.created_at.isoformat(),
        "user_id": str(entry.user_id) if entry.user_id else None,
        "connection_id": str(entry.connection_id) if entry.connection_id else None,
        "action": entry.action,
        "target": entry.target,
        "outcome": entry.outcome,
        "status_code": entry.status_code,
        "duration_ms": entry.duration_ms,
        "request_id": entry.request_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append(session: AsyncSession, event: AuditEvent) -> AuditLogEntry:
    """Append ``event`` inside the caller's transaction."""
    # Taking the head first is what serialises appenders (see the module doc).
    bumped = await session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == _HEAD_ID)
        .values(length=AuditChainHead.length + 1)
        .returning(AuditChainHead.head_hash)
    )
    prev_hash = bumped.scalar_one()

    entry = AuditLogEntry(
        created_at=utcnow(),
        user_id=event.user_id,
        connection_id=event.connection_id,
        action=event.action,
        target=event.target,
        outcome=event.outcome,
        status_code=event.status_code,
        duration_ms=None if event.duration_ms is None else round(event.duration_ms, 3),
        request_id=event.request_id,
        details=event.details,
        prev_hash=prev_hash,
    )
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    await session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == _HEAD_ID)
        .values(head_hash=entry.entry_hash)
    )
    return entry


@dataclass(frozen=True)
class Actor:
    """Who an operation is done for, as the audit log records it."""

    user_id: uuid.UUID
    request_id: str | None


async def audited(
    sessions: async_sessionmaker[AsyncSession],
    actor: Actor,
    action: str,
    target: str | None,
    connection_id: uuid.UUID | None,
    work: Callable[[], Awaitable[T]],
    details: dict[str, Any] | None = None,
) -> T:
    """Run ``work`` and append its outcome, status and duration, whatever happens."""
    started = time.perf_counter()
    outcome, status = "success", 200
    try:
        return await work()
    except HubError as exc:
        outcome, status = "failure", int(exc.status_code)
        raise
    except BaseException:
        outcome, status = "failure", 500
        raise
    finally:
        await record(
            sessions,
            AuditEvent(
                action=action,
                outcome=outcome,
                user_id=actor.user_id,
                connection_id=connection_id,
                target=target,
                status_code=status,
                duration_ms=(time.perf_counter() - started) * 1000,
                request_id=actor.request_id,
                details=details or {},
            ),
        )


async def record(sessions: async_sessionmaker[AsyncSession], event: AuditEvent) -> None:
    """Append ``event`` in a transaction of its own, committed at once."""
    async with sessions() as session, session.begin():
        await append(session, event)


@dataclass
class VerifyReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify(session: AsyncSession, *, batch_size: int = 1000) -> VerifyReport:
    """Walk the chain in order and report every entry that does not fit it."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0

    while True:
        batch = list(
            await session.scalars(
                select(AuditLogEntry)
                .where(AuditLogEntry.id > last_id)
                .order_by(AuditLogEntry.id)
                .limit(batch_size)
            )
        )
        for entry in batch:
            if entry.prev_hash != expected_prev:
                problems.append(
                    f"entry {entry.id}: link broken (an entry before it was "
                    "deleted or edited)"
                )
            if entry_hash(entry) != entry.entry_hash:
                problems.append(f"entry {entry.id}: content edited")
            expected_prev = entry.entry_hash
            checked += 1
        if len(batch) < batch_size:
            break
        last_id = batch[-1].id

    head = await session.get(AuditChainHead, _HEAD_ID)
    if head is None:
        problems.append("chain head missing")
    elif head.head_hash != expected_prev or head.length != checked:
        problems.append(
            f"chain head expects {head.length} entries ending {head.head_hash[:12]}, "
            f"found {checked} ending {expected_prev[:12]} (newest entries deleted)"
        )
    return VerifyReport(checked=checked, problems=problems)
