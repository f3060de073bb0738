from __future__ import annotations

import dataclasses

import httpx2
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from integration_hub.db.engine import create_engine

pytestmark = pytest.mark.anyio

HEALTH = "/api/v1/integrations/health"


class TestHealth:
    async def test_healthy_hub_answers_ok_without_a_token(
        self, app: FastAPI, client: httpx2.AsyncClient
    ) -> None:
        """Health needs no token and reports each dependency with its latency."""
        response = await client.get(HEALTH)

        body = response.json()
        assert response.status_code == 200
        assert body["status"] == "ok"
        assert body["checks"]["database"]["status"] == "ok"
        assert body["checks"]["database"]["latency_ms"] >= 0
        assert ("redis" in body["checks"]) == (app.state.hub.redis is not None)

    async def test_unreachable_database_is_down_and_503(
        self, app: FastAPI, client: httpx2.AsyncClient
    ) -> None:
        """Without its database the hub is down: 503."""
        hub = app.state.hub
        broken = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
        app.state.hub = dataclasses.replace(hub, engine=broken)

        response = await client.get(HEALTH)

        await broken.dispose()
        app.state.hub = hub
        assert response.status_code == 503
        assert response.json()["status"] == "down"
        assert response.json()["checks"]["database"]["detail"]

    async def test_unreachable_redis_degrades(
        self, app: FastAPI, client: httpx2.AsyncClient
    ) -> None:
        """A configured Redis that stops answering degrades the hub, still 200."""
        hub = app.state.hub
        broken = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
        app.state.hub = dataclasses.replace(hub, redis=broken)

        response = await client.get(HEALTH)

        await broken.aclose()
        app.state.hub = hub
        assert response.status_code == 200
        assert response.json()["status"] == "degraded"
        assert response.json()["checks"]["redis"]["status"] == "down"
