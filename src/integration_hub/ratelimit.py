"""The per-user budget of API requests a minute.

A sliding-window counter from ``limits``: two counters per user, so each check
costs one round trip to Redis (or a dict lookup in process) whatever the budget.
With Redis configured every instance counts against the same budget, through
the hub's own Redis connection pool.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from integration_hub.errors import RateLimitedError

REDIS_KEY_PREFIX = "hub:ratelimit"
_NAMESPACE = "inbound"

log = structlog.get_logger("integration_hub.ratelimit")


@dataclass(frozen=True)
class Budget:
    """What is left of a user's budget, as the RateLimit headers tell it."""

    limit: int
    remaining: int
    reset_after: float

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(max(0, round(self.reset_after))).encode()),
        ]


class InboundRateLimiter:
    def __init__(self, per_minute: int, redis: Redis | None) -> None:
        self.item: RateLimitItem = RateLimitItemPerMinute(per_minute)
        self._limiter = SlidingWindowCounterRateLimiter(_storage(redis))

    async def take(self, user_id: uuid.UUID) -> Budget | None:
        """Spend one request of the user's budget, or raise RateLimitedError.

        Answers None when the counters cannot be reached: the hub keeps serving
        rather than turning a Redis hiccup into an outage.
        """
        key = str(user_id)
        try:
            allowed = await self._limiter.hit(self.item, _NAMESPACE, key)
            stats = await self._limiter.get_window_stats(self.item, _NAMESPACE, key)
        except RedisError as exc:
            log.warning("ratelimit.unavailable", error_type=type(exc).__name__)
            return None

        budget = Budget(
            limit=self.item.amount,
            remaining=max(0, stats.remaining),
            reset_after=max(0.0, stats.reset_time - time.time()),
        )
        if not allowed:
            raise RateLimitedError(
                f"more than {budget.limit} requests a minute; "
                f"retry in {max(1, round(budget.reset_after))} s",
                limit=budget.limit,
                reset_after=budget.reset_after,
            )
        return budget


def _storage(redis: Redis | None) -> Storage:
    if redis is None:
        return MemoryStorage()

    # Reuse the hub's pool: one set of connections, closed with the hub. The URI
    # only names the client library; the pool decides where it connects.
    options: dict[str, Any] = {"connection_pool": redis.connection_pool}
    return RedisStorage(
        "async+redis://",
        implementation="redispy",
        key_prefix=REDIS_KEY_PREFIX,
        **options,
    )
