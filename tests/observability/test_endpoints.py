"""The metrics endpoints: Prometheus text, and JSON summaries per provider."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from integration_hub.context import HubContext
from integration_hub.observability.metrics import Metrics
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

API = "/api/v1/integrations"
SUMMARIES = [f"{API}/metrics/google-sheets", f"{API}/metrics/microsoft-graph"]


def hub_metrics(app: FastAPI) -> Metrics:
    metrics: Metrics = app.state.hub.metrics
    return metrics


def record_google_calls(metrics: Metrics) -> None:
    for status, seconds in [(200, 0.02), (200, 0.04), (429, 0.01), (None, 2.0)]:
        metrics.upstream_call(
            provider="google",
            operation="values.get",
            status=status,
            duration_s=seconds,
        )
    metrics.upstream_call(
        provider="google", operation="values.update", status=200, duration_s=0.3
    )
    metrics.retry(provider="google", operation="values.get", reason="transient")
    metrics.cache(provider="google", operation="values.get", hit=True)
    metrics.cache(provider="google", operation="values.get", hit=False)
    metrics.cache(provider="google", operation="values.get", hit=True)
    metrics.cache(provider="google", operation="values.get", hit=True)


class TestPrometheus:
    async def test_serves_every_collector_without_a_token(
        self, app: FastAPI, client: httpx2.AsyncClient
    ) -> None:
        """/metrics needs no token and exposes the hub's collectors as text."""
        metrics = hub_metrics(app)
        record_google_calls(metrics)
        metrics.throttled(provider="google", scope="google:sheets", retry_after=3.0)
        metrics.limiter_wait(provider="google", scope="google:sheets", seconds=0.2)
        metrics.token_refresh(provider="microsoft", outcome="success")
        await client.get(f"{API}/health")

        response = await client.get("/metrics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        for name in [
            "hub_upstream_requests_total",
            "hub_upstream_request_duration_seconds_bucket",
            "hub_upstream_retries_total",
            "hub_upstream_throttled_total",
            "hub_upstream_limiter_wait_seconds_bucket",
            "hub_upstream_cache_lookups_total",
            "hub_token_refreshes_total",
            "hub_http_requests_total",
            "hub_http_request_duration_seconds_bucket",
        ]:
            assert name in text, name
        assert 'status="transport_error"' in text

    async def test_http_requests_are_labelled_by_route_template(
        self, app: FastAPI, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Raw paths never become labels: ids stay inside the route template."""
        token = await create_user(context, "alice")
        for _ in range(2):
            await client.get(
                f"{API}/connections/00000000-0000-0000-0000-000000000001",
                headers=bearer(token),
            )

        text = (await client.get("/metrics")).text

        assert (
            'hub_http_requests_total{method="GET",'
            'route="/api/v1/integrations/connections/{connection_id}",'
            'status="404"} 2.0'
        ) in text
        assert "00000000-0000-0000-0000-000000000001" not in text

    async def test_two_hubs_keep_separate_registries(self) -> None:
        """Each Metrics owns its registry, so several hubs never collide."""
        first, second = Metrics(), Metrics()

        first.token_refresh(provider="google", outcome="success")

        assert b'outcome="success"' in first.render()
        assert b'outcome="success"' not in second.render()

    async def test_connection_ids_in_pacing_scopes_are_folded(self) -> None:
        """A scope naming a connection becomes one series, not one per id."""
        metrics = Metrics()

        metrics.throttled(
            provider="google",
            scope="google:sheets:read:user:0b5c3c1e-6f0e-4a53-9a86-3f3f7b0f8d4e",
            retry_after=None,
        )

        assert b'scope="google:sheets:read:user:{id}"' in metrics.render()


class TestProviderSummaries:
    @pytest.mark.parametrize("path", SUMMARIES)
    async def test_requires_a_token(
        self, client: httpx2.AsyncClient, path: str
    ) -> None:
        """Without a token the summaries answer 401."""
        response = await client.get(path)

        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"

    async def test_counts_the_calls_just_recorded(
        self, app: FastAPI, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Calls not yet flushed are counted, in total and per operation."""
        token = await create_user(context, "alice")
        record_google_calls(hub_metrics(app))

        response = await client.get(SUMMARIES[0], headers=bearer(token))

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["provider"] == "google"
        assert body["window_minutes"] == 60
        assert (body["calls"], body["errors"], body["rate_limited"]) == (5, 2, 1)
        assert body["retries"] == 1
        assert body["success_rate"] == 0.6
        assert body["cache_hit_rate"] == 0.75
        assert body["latency_ms"]["p50"] == pytest.approx(37.5)
        assert body["latency_ms"]["p99"] == pytest.approx(2425.0)
        operations = {op["operation"]: op for op in body["operations"]}
        assert operations.keys() == {"values.get", "values.update"}
        assert operations["values.update"]["calls"] == 1
        assert operations["values.update"]["latency_ms"]["p50"] == pytest.approx(375.0)

    async def test_each_provider_sees_only_its_own_calls(
        self, app: FastAPI, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """microsoft-graph reports Microsoft calls only; no calls is no rates."""
        token = await create_user(context, "alice")
        record_google_calls(hub_metrics(app))

        response = await client.get(SUMMARIES[1], headers=bearer(token))

        body = response.json()
        assert body["provider"] == "microsoft"
        assert body["calls"] == 0
        assert body["success_rate"] is None
        assert body["latency_ms"]["p95"] is None
        assert body["operations"] == []

    @pytest.mark.parametrize("window", ["0", "10081", "soon"])
    async def test_rejects_a_window_out_of_range(
        self, client: httpx2.AsyncClient, context: HubContext, window: str
    ) -> None:
        """The window is 1 minute to a week."""
        token = await create_user(context, "alice")

        response = await client.get(
            SUMMARIES[0], params={"window": window}, headers=bearer(token)
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_error"
