"""Writing this process's metric rollups to the database, every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integration_hub.observability.metrics import Metrics
from integration_hub.observability.repository import MetricsRepository

log = structlog.get_logger("integration_hub.metrics")


async def flush_metrics(
    metrics: Metrics, sessions: async_sessionmaker[AsyncSession]
) -> int:
    """Write every rollup that changed since its last write; answer how many."""
    async with metrics.flush_lock:
        pending = metrics.rollups.pending()
        if pending:
            async with sessions() as session, session.begin():
                await MetricsRepository(session).save_rollups(metrics.instance, pending)
        metrics.rollups.mark_written(pending, metrics.clock())
    return len(pending)


@contextlib.asynccontextmanager
async def metrics_flushing(
    metrics: Metrics,
    sessions: async_sessionmaker[AsyncSession],
    interval: float,
) -> AsyncIterator[None]:
    """Flush in the background while inside, and once more on the way out."""
    task = asyncio.create_task(
        _flush_every(metrics, sessions, interval), name="metrics-flush"
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await _flush_logged(metrics, sessions)


async def _flush_every(
    metrics: Metrics, sessions: async_sessionmaker[AsyncSession], interval: float
) -> None:
    while True:
        await asyncio.sleep(interval)
        await _flush_logged(metrics, sessions)


async def _flush_logged(
    metrics: Metrics, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # A failed flush loses nothing: the totals stay pending until one succeeds.
    try:
        await flush_metrics(metrics, sessions)
    except Exception as exc:
        log.warning(
            "metrics.flush_failed",
            error_type=type(exc).__name__,
            pending=len(metrics.rollups),
        )
