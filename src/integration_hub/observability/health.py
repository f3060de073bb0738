"""Health of the services the hub depends on, each with its latency."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel, Field
from redis.asyncio import Redis
from sqlalchemy import text

from integration_hub.connections.repository import ConnectionRepository
from integration_hub.context import HubContext

CHECK_TIMEOUT = 2.0

CheckStatus = Literal["ok", "down"]
OverallStatus = Literal["ok", "degraded", "down"]


class Check(BaseModel):
    status: CheckStatus
    latency_ms: float
    detail: str | None = None


class Health(BaseModel):
    status: OverallStatus
    checks: dict[str, Check]
    connections_needing_reauth: int | None = Field(
        description="Connections whose users must connect again (None: database down)."
    )


async def check_health(context: HubContext) -> Health:
    """The database is essential; Redis, when configured, degrades the hub."""
    checks = {"database": await _timed(lambda: _ping_database(context))}
    if context.redis is not None:
        redis = context.redis
        checks["redis"] = await _timed(lambda: _ping_redis(redis))

    if checks["database"].status == "down":
        overall: OverallStatus = "down"
    elif any(check.status == "down" for check in checks.values()):
        overall = "degraded"
    else:
        overall = "ok"
    needing_reauth = None if overall == "down" else await _needing_reauth(context)
    return Health(
        status=overall, checks=checks, connections_needing_reauth=needing_reauth
    )


async def _needing_reauth(context: HubContext) -> int | None:
    async with context.sessions() as session:
        return await ConnectionRepository(session).count_needing_reauth()


async def _ping_database(context: HubContext) -> None:
    async with context.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _ping_redis(redis: Redis) -> None:
    await redis.ping()


async def _timed(probe: Callable[[], Awaitable[None]]) -> Check:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT)
    except Exception as exc:
        return Check(
            status="down",
            latency_ms=_elapsed_ms(started),
            detail=f"{type(exc).__name__}: {exc}"[:200],
        )
    return Check(status="ok", latency_ms=_elapsed_ms(started))


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
