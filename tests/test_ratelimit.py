"""The per-user inbound budget: 429 with RateLimit headers once it is spent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest

from integration_hub.app import create_app
from integration_hub.config import Settings
from integration_hub.context import HubContext
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

LIMIT = 3
ME = "/api/v1/integrations/me"


@asynccontextmanager
async def hub_client(settings: Settings) -> AsyncIterator[httpx2.AsyncClient]:
    """A fresh hub app (its own process state) with a budget of LIMIT a minute."""
    limited = settings.model_copy(update={"inbound_rate_limit_per_minute": LIMIT})
    app = create_app(limited)
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://hub.test"
        ) as client:
            yield client


@pytest.fixture
async def client(
    settings: Settings, context: HubContext
) -> AsyncIterator[httpx2.AsyncClient]:
    async with hub_client(settings) as client:
        yield client


class TestInboundLimit:
    async def test_successful_responses_carry_the_budget(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Each answer tells the limit, what is left and when it resets."""
        token = await create_user(context, "alice")

        first = await client.get(ME, headers=bearer(token))
        second = await client.get(ME, headers=bearer(token))

        assert first.status_code == 200
        assert first.headers["RateLimit-Limit"] == str(LIMIT)
        assert first.headers["RateLimit-Remaining"] == str(LIMIT - 1)
        assert second.headers["RateLimit-Remaining"] == str(LIMIT - 2)
        assert 0 <= int(first.headers["RateLimit-Reset"]) <= 120

    async def test_over_the_limit_answers_429_with_retry_after(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """The request after the budget is spent is refused with 429."""
        token = await create_user(context, "alice")
        for _ in range(LIMIT):
            assert (await client.get(ME, headers=bearer(token))).status_code == 200

        refused = await client.get(ME, headers=bearer(token))

        assert refused.status_code == 429
        assert refused.json()["error"] == "rate_limited"
        assert refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.headers["RateLimit-Limit"] == str(LIMIT)
        assert refused.headers["RateLimit-Remaining"] == "0"
        assert int(refused.headers["RateLimit-Reset"]) >= 1

    async def test_users_have_separate_budgets(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """One user spending their budget leaves another's untouched."""
        alice = await create_user(context, "alice")
        bob = await create_user(context, "bob")
        for _ in range(LIMIT + 1):
            await client.get(ME, headers=bearer(alice))

        response = await client.get(ME, headers=bearer(bob))

        assert response.status_code == 200
        assert response.headers["RateLimit-Remaining"] == str(LIMIT - 1)

    async def test_every_authenticated_route_counts_whatever_it_answers(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Unknown routes and raw responses spend the budget and carry headers."""
        token = await create_user(context, "alice")

        missing = await client.get(
            "/api/v1/integrations/nowhere", headers=bearer(token)
        )

        assert missing.status_code == 404
        assert missing.headers["RateLimit-Remaining"] == str(LIMIT - 1)

    async def test_health_and_metrics_are_exempt(
        self, client: httpx2.AsyncClient
    ) -> None:
        """Health checks and scrapes are never limited and carry no budget."""
        for _ in range(LIMIT + 2):
            health = await client.get("/api/v1/integrations/health")
            scrape = await client.get("/metrics")

        assert (health.status_code, scrape.status_code) == (200, 200)
        assert "RateLimit-Limit" not in health.headers
        assert "RateLimit-Limit" not in scrape.headers

    async def test_instances_share_one_budget_through_redis(
        self, settings: Settings, context: HubContext
    ) -> None:
        """With Redis configured, two hub instances count against one budget."""
        if settings.redis_url is None:
            pytest.skip("instances share budgets through Redis; none configured")
        token = await create_user(context, "alice")

        async with hub_client(settings) as first, hub_client(settings) as second:
            statuses = [
                (await instance.get(ME, headers=bearer(token))).status_code
                for instance in (first, second, first, second)
            ]

        assert statuses == [200, 200, 200, 429]
