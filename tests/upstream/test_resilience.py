"""The upstream layer against the sandbox's fault injection and quotas."""

from __future__ import annotations

import asyncio
import re
import time

import httpx2
import pytest

from integration_hub.app import create_app
from integration_hub.config import Settings
from tests.support.live import Hub
from tests.support.servers import free_port, serve_in_thread

pytestmark = pytest.mark.anyio

API = "/api/v1/integrations/google/spreadsheets"
API_PATHS = ("/sandbox/google/sheets/", "/sandbox/google/www/")


async def new_sheet(hub: Hub) -> str:
    await hub.connect("google")
    response = await hub.http.post(API, json={"title": "t"}, headers=hub.auth)
    assert response.status_code == 201, response.text
    return str(response.json()["spreadsheet_id"])


async def api_requests(hub: Hub, since: int) -> list[dict[str, object]]:
    entries = await hub.requests_since("google", since)
    return [e for e in entries if str(e["path"]).startswith(API_PATHS)]


def prometheus_total(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def write(hub: Hub, sheet: str, row: int) -> httpx2.Response:
    return await hub.http.post(
        f"{API}/batch-write",
        json={
            "spreadsheet_id": sheet,
            "data": [{"range": f"Sheet1!A{row}", "values": [[row]]}],
        },
        headers=hub.auth,
    )


class TestRetries:
    async def test_operations_survive_thirty_percent_failures(self, hub: Hub) -> None:
        """With 30% of calls failing 500/503, every operation still succeeds and
        every retry shows in the metrics."""
        sheet = await new_sheet(hub)
        await hub.behave("google", error_rate=0.3, error_statuses=[500, 503], seed=11)
        since = await hub.last_sequence()

        results = [await write(hub, sheet, row) for row in range(1, 31)]
        await hub.behave("google", error_rate=0.0)

        assert [r.status_code for r in results] == [200] * 30
        failures = [
            e for e in await api_requests(hub, since) if int(str(e["status"])) >= 500
        ]
        assert failures, "the fault injection should have failed some calls"
        metrics = (await hub.http.get("/metrics")).text
        assert prometheus_total(
            metrics, "hub_upstream_retries_total", provider="google"
        ) == len(failures)

    async def test_retry_after_is_waited_out(self, hub: Hub) -> None:
        """A 429 with Retry-After N is not retried before N seconds."""
        sheet = await new_sheet(hub)
        await hub.behave("google", throttle={"rate": 1.0, "retry_after": 2})
        since = await hub.last_sequence()

        async def lift() -> None:
            await asyncio.sleep(0.5)
            await hub.behave("google", throttle={"rate": 0.0, "retry_after": 1})

        response, _ = await asyncio.gather(write(hub, sheet, 1), lift())

        entries = await api_requests(hub, since)
        assert response.status_code == 200, response.text
        throttled = [e for e in entries if e["status"] == 429]
        assert len(throttled) == 1
        after = [
            e
            for e in entries
            if float(str(e["time"])) > float(str(throttled[0]["time"]))
        ]
        assert after
        assert float(str(after[0]["time"])) - float(str(throttled[0]["time"])) >= 2.0

    async def test_non_idempotent_append_is_not_retried(self, hub: Hub) -> None:
        """An append that failed is reported, not resent: it may have landed."""
        sheet = await new_sheet(hub)
        await hub.behave("google", error_rate=1.0, error_statuses=[503], seed=3)
        since = await hub.last_sequence()

        response = await hub.http.post(
            f"{API}/{sheet}/append", json={"values": [[1]]}, headers=hub.auth
        )
        await hub.behave("google", error_rate=0.0)

        appends = [
            e
            for e in await api_requests(hub, since)
            if str(e["path"]).endswith(":append")
        ]
        assert response.status_code == 503
        assert response.json()["error"] == "upstream_unavailable"
        assert len(appends) == 1


class TestPacing:
    async def test_300_writes_at_once_never_hit_the_quota(self, hub: Hub) -> None:
        """300 concurrent writes by one user are paced under the per-user quota:
        no 429 from the provider, spread over the windows."""
        sheet = await new_sheet(hub)
        await hub.behave(
            "google",
            quotas={
                "enabled": True,
                "window_seconds": 2,
                "write_per_user": 60,
                "read_per_user": 60,
            },
        )
        since = await hub.last_sequence()
        started = time.monotonic()

        results = await asyncio.gather(
            *(write(hub, sheet, row) for row in range(1, 301))
        )

        elapsed = time.monotonic() - started
        await hub.behave("google", quotas={"enabled": False})
        entries = await api_requests(hub, since)
        assert [r.status_code for r in results] == [200] * 300
        assert not [e for e in entries if e["status"] == 429]
        assert elapsed >= 2 * (300 // 60 - 1)

    async def test_two_instances_share_the_quota_through_redis(
        self, hub: Hub, live_settings: Settings, live_url: str
    ) -> None:
        """Two hub instances sharing Redis pace together: still no 429."""
        if live_settings.redis_url is None:
            pytest.skip("instances share pacing through Redis; this run has none")
        sheet = await new_sheet(hub)
        second_settings = live_settings.model_copy(
            update={
                "public_url": f"http://127.0.0.1:{free_port()}",
                "sandbox_url": live_url,
                "sandbox_enabled": False,
            }
        )
        await hub.behave(
            "google",
            quotas={
                "enabled": True,
                "window_seconds": 2,
                "write_per_user": 60,
                "read_per_user": 60,
            },
        )
        since = await hub.last_sequence()
        port = int(second_settings.public_url.rsplit(":", 1)[1])

        with serve_in_thread(create_app(second_settings), port=port) as second:
            async with httpx2.AsyncClient(base_url=second, timeout=60) as other:
                other_hub = Hub(other, hub.token)
                results = await asyncio.gather(
                    *(
                        write(h, sheet, row)
                        for row in range(1, 151)
                        for h in (hub, other_hub)
                    )
                )
        await hub.behave("google", quotas={"enabled": False})

        assert [r.status_code for r in results] == [200] * 300
        throttled = [e for e in await api_requests(hub, since) if e["status"] == 429]
        assert not throttled, [(e["path"], e["time"]) for e in throttled][:5]


class TestMetricsAgreeWithTheProvider:
    async def test_counts_match_the_sandbox_request_log(self, hub: Hub) -> None:
        """The metrics endpoint counts exactly the calls the sandbox received."""
        sheet = await new_sheet(hub)
        for row in range(1, 6):
            await write(hub, sheet, row)
        await hub.http.get(
            f"{API}/{sheet}/values", params={"range": "A1:A5"}, headers=hub.auth
        )

        sandbox = await api_requests(hub, 0)
        response = await hub.http.get(
            "/api/v1/integrations/metrics/google-sheets",
            params={"window": 60},
            headers=hub.auth,
        )

        assert response.status_code == 200, response.text
        body = response.json()
        total = body.get("calls", body.get("total_calls"))
        assert total == len(sandbox), body
        assert re.search(
            r"hub_upstream_requests_total", (await hub.http.get("/metrics")).text
        )
