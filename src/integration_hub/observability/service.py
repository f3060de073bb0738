"""Summaries of provider metrics, and who may read which audit entries."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from integration_hub.accounts.service import AuthenticatedUser
from integration_hub.errors import PermissionDeniedError
from integration_hub.observability.models import AuditLogEntry
from integration_hub.observability.repository import (
    AuditFilter,
    AuditRepository,
    MetricsRepository,
)
from integration_hub.observability.rollup import (
    clamp_ratio,
    merge_histograms,
    minute_of,
    percentile,
)
from integration_hub.observability.schemas import (
    LatencySummary,
    OperationMetrics,
    ProviderMetrics,
)

_COUNTERS = (
    "calls",
    "errors",
    "retries",
    "rate_limited",
    "cache_hits",
    "cache_misses",
    "total_ms",
)


async def provider_metrics(
    session: AsyncSession, provider: str, *, window_minutes: int, now: datetime
) -> ProviderMetrics:
    """The provider's figures over the last ``window_minutes`` minutes.

    The window covers whole minutes, the current one included.
    """
    first_minute = minute_of(now.timestamp()) - (window_minutes - 1) * 60
    since = datetime.fromtimestamp(first_minute, UTC)
    repository = MetricsRepository(session)
    totals = await repository.totals_by_operation(provider, since)
    histograms = _histograms_by_operation(await repository.histograms(provider, since))

    operations = [
        OperationMetrics(
            operation=row["operation"],
            **_stats(row, histograms.get(row["operation"], {})),
        )
        for row in totals
    ]
    overall = {name: sum(row[name] for row in totals) for name in _COUNTERS}
    return ProviderMetrics(
        provider=provider,
        window_minutes=window_minutes,
        since=since,
        until=now,
        operations=operations,
        **_stats(overall, merge_histograms(histograms.values())),
    )


def _histograms_by_operation(
    rows: Sequence[Row[str, dict[str, int]]],
) -> dict[str, dict[str, int]]:
    grouped: dict[str, list[dict[str, int]]] = {}
    for operation, histogram in rows:
        grouped.setdefault(operation, []).append(histogram)
    return {op: merge_histograms(parts) for op, parts in grouped.items()}


def _stats(counts: Mapping[str, Any], histogram: Mapping[str, int]) -> dict[str, Any]:
    calls, errors = int(counts["calls"]), int(counts["errors"])
    hits, misses = int(counts["cache_hits"]), int(counts["cache_misses"])
    average = round(float(counts["total_ms"]) / calls, 3) if calls else None
    return {
        "calls": calls,
        "errors": errors,
        "success_rate": clamp_ratio(calls - errors, calls),
        "rate_limited": int(counts["rate_limited"]),
        "retries": int(counts["retries"]),
        "cache_hits": hits,
        "cache_misses": misses,
        "cache_hit_rate": clamp_ratio(hits, hits + misses),
        "latency_ms": LatencySummary(
            average=average,
            p50=_rounded(percentile(histogram, 0.50)),
            p95=_rounded(percentile(histogram, 0.95)),
            p99=_rounded(percentile(histogram, 0.99)),
        ),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


async def audit_page(
    session: AsyncSession,
    user: AuthenticatedUser,
    where: AuditFilter,
    *,
    before_id: int | None,
    limit: int,
) -> list[AuditLogEntry]:
    """A page of the entries ``user`` may see: their own, or everyone's for admins."""
    where = dataclasses.replace(where, user_id=_scope(user, where.user_id))
    return await AuditRepository(session).page(where, before_id=before_id, limit=limit)


def _scope(user: AuthenticatedUser, asked: uuid.UUID | None) -> uuid.UUID | None:
    if user.is_admin:
        return asked
    if asked is not None and asked != user.id:
        raise PermissionDeniedError("only admins may read other users' audit entries")
    return user.id
