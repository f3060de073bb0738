"""The upstream layer's shared parts within one hub process."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

from integration_hub.config import Settings
from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.upstream.cache import ResponseCache
from integration_hub.upstream.client import MetricsSink, UpstreamClient
from integration_hub.upstream.pacing import Budget, Pacer

GOOGLE_PROJECT = "project"


class Upstream:
    """Pooled clients per provider, their pacer and the response cache."""

    def __init__(
        self,
        settings: Settings,
        connections: ConnectionRuntime,
        redis: Redis | None,
        metrics: MetricsSink,
    ) -> None:
        self.settings = settings
        self.pacer = Pacer(settings.redis_url, redis)
        self.cache = ResponseCache(redis, settings.cache_ttl_seconds)
        self.metrics = metrics
        self.google, self.microsoft = (
            UpstreamClient(
                provider,
                connections,
                self.pacer,
                metrics,
                retry_initial=settings.retry_initial_seconds,
                retry_max=settings.retry_max_seconds,
            )
            for provider in ("google", "microsoft")
        )

    async def close(self) -> None:
        await self.google.close()
        await self.microsoft.close()

    async def read_through(
        self,
        provider: str,
        operation: str,
        key: tuple[uuid.UUID, str, str],
        fetch: Callable[[], Awaitable[Any]],
    ) -> tuple[Any, bool]:
        """A cached provider read: the value, and whether it came from the cache.

        ``key`` is (connection, resource, variant); the hub's writes to the
        resource invalidate it. Concurrent misses in one process fetch once.
        """
        cache_key = self.cache.key(*key)
        async with self.cache.filling(cache_key):
            cached = await self.cache.get(cache_key)
            self.metrics.cache(
                provider=provider, operation=operation, hit=cached is not None
            )
            if cached is not None:
                return cached, True
            value = await fetch()
            await self.cache.set(cache_key, value)
        return value, False

    def sheets_budgets(self, connection_id: uuid.UUID, kind: str) -> list[Budget]:
        """Sheets counts reads and writes apart, per user and per project."""
        s = self.settings
        per_user = (
            s.sheets_reads_per_user if kind == "read" else s.sheets_writes_per_user
        )
        per_project = (
            s.sheets_reads_per_project
            if kind == "read"
            else s.sheets_writes_per_project
        )
        return [
            self._budget(f"google:sheets:{kind}:user:{connection_id}", per_user),
            self._budget(f"google:sheets:{kind}:{GOOGLE_PROJECT}", per_project),
        ]

    def drive_budgets(self, connection_id: uuid.UUID) -> list[Budget]:
        # Drive's own quotas are far above what the hub sends; pace it like
        # Sheets writes per user so a burst of shares stays polite.
        return [
            self._budget(
                f"google:drive:user:{connection_id}",
                self.settings.sheets_writes_per_user,
            )
        ]

    def graph_budgets(self, connection_id: uuid.UUID) -> list[Budget]:
        """Graph's OneDrive cost model: resource units per user and per app."""
        return [
            self._budget(
                f"microsoft:graph:user:{connection_id}",
                self.settings.graph_units_per_user,
            ),
            self._budget("microsoft:graph:app", self.settings.graph_units_per_app),
        ]

    def _budget(self, scope: str, published: int) -> Budget:
        amount = max(1, int(published * self.settings.pacing_headroom))
        settings = self.settings
        window = settings.pacing_window_seconds + settings.pacing_margin_seconds
        return Budget(scope, amount, window)
