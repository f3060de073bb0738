"""Queries on the metric rollups and the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from integration_hub.observability.models import AuditLogEntry, IntegrationMetric
from integration_hub.observability.rollup import PendingRollup

_ROLLUP_KEY = ("bucket_start", "provider", "operation", "instance")
_ROLLUP_VALUES = (
    "calls",
    "errors",
    "retries",
    "rate_limited",
    "cache_hits",
    "cache_misses",
    "total_ms",
    "latency_histogram",
)
_COUNTERS = _ROLLUP_VALUES[:-1]
# Keeps one statement's bind parameters far below PostgreSQL's limit of 32,767.
_ROWS_PER_STATEMENT = 500


class MetricsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save_rollups(
        self, instance: str, rollups: Sequence[PendingRollup]
    ) -> None:
        """Insert or overwrite this instance's rows with its running totals."""
        rows = [_row(instance, rollup) for rollup in rollups]
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            await self._upsert(rows[start : start + _ROWS_PER_STATEMENT])

    async def _upsert(self, rows: list[dict[str, Any]]) -> None:
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(IntegrationMetric).values(rows)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=list(_ROLLUP_KEY),
                set_={name: statement.excluded[name] for name in _ROLLUP_VALUES},
            )
        )

    async def totals_by_operation(
        self, provider: str, since: datetime
    ) -> list[dict[str, Any]]:
        """Counters summed over every instance and minute, one row per operation."""
        sums = [
            func.coalesce(func.sum(getattr(IntegrationMetric, name)), 0).label(name)
            for name in _COUNTERS
        ]
        statement = (
            select(IntegrationMetric.operation, *sums)
            .where(
                IntegrationMetric.provider == provider,
                IntegrationMetric.bucket_start >= since,
            )
            .group_by(IntegrationMetric.operation)
            .order_by(IntegrationMetric.operation)
        )
        result = await self.session.execute(statement)
        return [dict(row) for row in result.mappings()]

    async def histograms(
        self, provider: str, since: datetime
    ) -> Sequence[Row[str, dict[str, int]]]:
        """Each row's latency histogram; JSON does not sum in SQL on both engines."""
        statement = select(
            IntegrationMetric.operation, IntegrationMetric.latency_histogram
        ).where(
            IntegrationMetric.provider == provider,
            IntegrationMetric.bucket_start >= since,
            IntegrationMetric.calls > 0,
        )
        return (await self.session.execute(statement)).all()


def _row(instance: str, rollup: PendingRollup) -> dict[str, Any]:
    return {
        "bucket_start": rollup.key.bucket_start,
        "provider": rollup.key.provider,
        "operation": rollup.key.operation,
        "instance": instance,
        **rollup.values,
    }


@dataclass(frozen=True)
class AuditFilter:
    user_id: uuid.UUID | None = None
    action: str | None = None
    outcome: str | None = None
    connection_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, where: AuditFilter, *, before_id: int | None, limit: int
    ) -> list[AuditLogEntry]:
        """Entries matching ``where``, newest first, older than ``before_id``."""
        statement = select(AuditLogEntry).where(*_conditions(where, before_id))
        statement = statement.order_by(AuditLogEntry.id.desc()).limit(limit)
        return list(await self.session.scalars(statement))


def _conditions(where: AuditFilter, before_id: int | None) -> list[ColumnElement[bool]]:
    equal: list[tuple[InstrumentedAttribute[Any], object]] = [
        (AuditLogEntry.user_id, where.user_id),
        (AuditLogEntry.action, where.action),
        (AuditLogEntry.outcome, where.outcome),
        (AuditLogEntry.connection_id, where.connection_id),
    ]
    conditions = [column == value for column, value in equal if value is not None]
    if where.since is not None:
        conditions.append(AuditLogEntry.created_at >= where.since)
    if where.until is not None:
        conditions.append(AuditLogEntry.created_at < where.until)
    if before_id is not None:
        conditions.append(AuditLogEntry.id < before_id)
    return conditions
