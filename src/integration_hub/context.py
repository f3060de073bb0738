"""What one hub process shares: settings, database, Redis, metrics, limits."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from integration_hub.config import Settings
from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.vault import vault_for
from integration_hub.db.engine import create_engine, create_session_factory
from integration_hub.errors import ConfigurationError
from integration_hub.observability.metrics import Metrics
from integration_hub.ratelimit import InboundRateLimiter
from integration_hub.upstream.runtime import Upstream

REDIS_CONNECT_TIMEOUT = 2.0
REDIS_MAX_CONNECTIONS = 50
REDIS_POOL_TIMEOUT = 20.0


@dataclass
class HubContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis | None
    connections: ConnectionRuntime
    metrics: Metrics
    inbound_limiter: InboundRateLimiter
    upstream: Upstream

    @classmethod
    async def open(cls, settings: Settings) -> HubContext:
        """Connect to the database and, when configured, to Redis.

        A configured Redis that does not answer is a broken configuration: running
        on without it would split locks and rate limits between instances.
        """
        redis = await _connect_redis(settings.redis_url) if settings.redis_url else None
        engine = create_engine(settings.async_database_url)
        sessions = create_session_factory(engine)
        metrics = Metrics()
        runtime = ConnectionRuntime(
            settings, sessions, redis, vault_for(settings), metrics=metrics
        )
        limiter = InboundRateLimiter(settings.inbound_rate_limit_per_minute, redis)
        upstream = Upstream(settings, runtime, redis, metrics)
        return cls(
            settings, engine, sessions, redis, runtime, metrics, limiter, upstream
        )

    async def close(self) -> None:
        await self.upstream.close()
        await self.connections.close()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


async def _connect_redis(url: str) -> Redis:
    # A blocking pool: under a burst, callers queue for a connection instead of
    # failing with "too many connections".
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=REDIS_MAX_CONNECTIONS,
        timeout=REDIS_POOL_TIMEOUT,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
        socket_timeout=REDIS_CONNECT_TIMEOUT,
        health_check_interval=30,
    )
    redis = Redis.from_pool(pool)
    try:
        await redis.ping()
    except Exception as exc:
        await redis.aclose()
        raise ConfigurationError(
            f"HUB_REDIS_URL: cannot reach Redis ({type(exc).__name__}: {exc})"
        ) from exc
    return redis
