"""Pacing: keep each provider scope under its published limits by waiting.

Every call names the budgets it spends (Sheets writes for this user and for the
whole project, Graph resource units for this user and the app). A moving window
never admits more than a limit's worth within any window length, so the
provider's fixed windows are never exceeded either. Counters live in Redis when
configured, so instances share them, and in process memory otherwise.

When a provider throttles anyway, the scope it named is paused until its
Retry-After has passed, for every caller on every instance.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from integration_hub.upstream.errors import TransientUpstreamError

PAUSE_PREFIX = "hub:pause:"
# The longest single sleep while waiting, so that paused scopes are re-read.
MAX_NAP = 1.0


@dataclass(frozen=True)
class Budget:
    """One limit a call spends from: ``amount`` per ``window`` seconds."""

    scope: str  # e.g. "google:sheets:write:user:<id>"
    amount: int
    window: float

    def item(self) -> RateLimitItem:
        return _WindowItem(self.amount, max(1, round(self.window)))


class _WindowItem(RateLimitItemPerSecond):
    """``amount`` per ``multiples`` seconds."""

    def __init__(self, amount: int, multiples: int) -> None:
        super().__init__(amount, multiples, namespace="HUB")


class Pacer:
    def __init__(self, redis_url: str | None, redis: Redis | None) -> None:
        # Counters share the hub's own Redis connection pool, closed with it.
        storage: Storage = (
            RedisStorage(
                _async_url(redis_url),
                implementation="redispy",
                connection_pool=redis.connection_pool,  # type: ignore[arg-type]
            )
            if redis_url and redis is not None
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._redis = redis
        self._paused: dict[str, float] = {}

    async def acquire(
        self, budgets: list[Budget], *, cost: int, deadline: float
    ) -> float:
        """Wait until every budget has room for ``cost``; return seconds waited.

        Raises a transient error when the wait would outlast ``deadline``
        (a ``time.monotonic`` instant), so callers fail in time instead of late.
        """
        started = time.monotonic()
        while True:
            pause = await self._pause_left(budgets)
            if pause <= 0 and await self._take(budgets, cost):
                return time.monotonic() - started
            wait = pause if pause > 0 else await self._time_to_room(budgets, cost)
            if time.monotonic() + wait > deadline:
                raise TransientUpstreamError(
                    f"{budgets[0].scope.split(':')[0]} quota is spent for the next "
                    f"{wait:.0f} s, beyond this call's deadline",
                    provider=budgets[0].scope.split(":")[0],
                    endpoint="pacing",
                    retry_after=wait,
                )
            await asyncio.sleep(min(max(wait, 0.01), MAX_NAP))

    async def pause(self, scope: str, seconds: float) -> None:
        """Hold ``scope`` back for ``seconds`` (the provider said so)."""
        until = time.time() + seconds
        self._paused[scope] = max(self._paused.get(scope, 0.0), until)
        if self._redis is not None:
            await self._redis.set(
                PAUSE_PREFIX + scope, str(until), px=max(1, int(seconds * 1000))
            )

    async def _take(self, budgets: list[Budget], cost: int) -> bool:
        # Test first so that a full budget does not burn capacity in the others.
        for budget in budgets:
            if not await self._limiter.test(budget.item(), budget.scope, cost=cost):
                return False
        for budget in budgets:
            if not await self._limiter.hit(budget.item(), budget.scope, cost=cost):
                return False
        return True

    async def _time_to_room(self, budgets: list[Budget], cost: int) -> float:
        waits = []
        for budget in budgets:
            stats = await self._limiter.get_window_stats(budget.item(), budget.scope)
            if stats.remaining < cost:
                waits.append(stats.reset_time - time.time())
        return max(waits, default=0.05)

    async def _pause_left(self, budgets: list[Budget]) -> float:
        now = time.time()
        left = max((self._paused.get(b.scope, 0.0) - now for b in budgets), default=0.0)
        if self._redis is not None:
            values = await self._redis.mget([PAUSE_PREFIX + b.scope for b in budgets])
            shared = [float(v) - now for v in values if v is not None]
            left = max([left, *shared])
        return left


def _async_url(url: str | None) -> str:
    assert url is not None
    return url if url.startswith("async+") else "async+" + url
