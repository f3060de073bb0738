"""Writing rollups to integration_metrics: per instance, adding up across them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from integration_hub.context import HubContext
from integration_hub.observability.metrics import Metrics
from integration_hub.observability.models import IntegrationMetric
from integration_hub.observability.service import provider_metrics
from integration_hub.observability.tasks import flush_metrics, metrics_flushing

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 3, 12, 30, 15, tzinfo=UTC)


def fixed_metrics() -> Metrics:
    return Metrics(clock=NOW.timestamp)


def record(
    metrics: Metrics, count: int, *, duration_s: float, status: int = 200
) -> None:
    for _ in range(count):
        metrics.upstream_call(
            provider="google",
            operation="values.get",
            status=status,
            duration_s=duration_s,
        )


async def row_count(context: HubContext) -> int:
    async with context.sessions() as session:
        return int(await session.scalar(select(func.count(IntegrationMetric.id))) or 0)


class TestFlush:
    async def test_two_instances_add_up_on_one_database(
        self, context: HubContext
    ) -> None:
        """Each instance writes its own row; summaries add them together."""
        first, second = fixed_metrics(), fixed_metrics()
        record(first, 9, duration_s=0.008)
        record(second, 1, duration_s=0.8, status=503)
        second.retry(provider="google", operation="values.get", reason="transient")

        await flush_metrics(first, context.sessions)
        await flush_metrics(second, context.sessions)

        async with context.sessions() as session:
            summary = await provider_metrics(
                session, "google", window_minutes=5, now=NOW
            )
        assert await row_count(context) == 2
        assert summary.calls == 10
        assert summary.errors == 1
        assert summary.retries == 1
        assert summary.success_rate == 0.9
        assert summary.latency_ms.p50 == pytest.approx(5 + 5 * 5 / 9, abs=1e-3)
        assert summary.latency_ms.p99 == pytest.approx(500 + 500 * 0.9, abs=1e-3)

    async def test_flushing_again_overwrites_the_running_totals(
        self, context: HubContext
    ) -> None:
        """A second flush in the same minute neither loses nor doubles calls."""
        metrics = fixed_metrics()
        record(metrics, 2, duration_s=0.01)
        await flush_metrics(metrics, context.sessions)
        record(metrics, 3, duration_s=0.01)

        await flush_metrics(metrics, context.sessions)
        await flush_metrics(metrics, context.sessions)

        async with context.sessions() as session:
            summary = await provider_metrics(
                session, "google", window_minutes=1, now=NOW
            )
        assert await row_count(context) == 1
        assert summary.calls == 5
        assert summary.latency_ms.p50 is not None

    async def test_window_leaves_older_minutes_out(self, context: HubContext) -> None:
        """Only minutes inside the window are counted."""
        old = Metrics(clock=lambda: NOW.timestamp() - 600)
        record(old, 4, duration_s=0.01)
        recent = fixed_metrics()
        record(recent, 1, duration_s=0.01)
        await flush_metrics(old, context.sessions)
        await flush_metrics(recent, context.sessions)

        async with context.sessions() as session:
            narrow = await provider_metrics(
                session, "google", window_minutes=5, now=NOW
            )
            wide = await provider_metrics(session, "google", window_minutes=60, now=NOW)

        assert (narrow.calls, wide.calls) == (1, 5)

    async def test_background_flusher_writes_on_its_own_and_on_exit(
        self, context: HubContext
    ) -> None:
        """Rollups reach the database periodically and once more at shutdown."""
        metrics = Metrics()

        async with metrics_flushing(metrics, context.sessions, interval=0.05):
            record(metrics, 1, duration_s=0.01)
            for _ in range(100):
                if await row_count(context):
                    break
                await asyncio.sleep(0.02)
            assert await row_count(context) == 1
            metrics.cache(provider="google", operation="values.get", hit=True)

        async with context.sessions() as session:
            hits = await session.scalar(select(func.sum(IntegrationMetric.cache_hits)))
        assert hits == 1
