"""The read-through cache: hits skip the provider, the hub's writes invalidate."""

from __future__ import annotations

import pytest

from tests.microsoft.support import DOCUMENTS, share_link, upload
from tests.support.live import Hub

pytestmark = pytest.mark.anyio

SHEETS = "/api/v1/integrations/google/spreadsheets"


def lookups(metrics: str, operation: str, result: str) -> float:
    prefix = "hub_upstream_cache_lookups_total{"
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith(prefix)
        and f'operation="{operation}"' in line
        and f'result="{result}"' in line
    )


async def calls_to(hub: Hub, provider: str, since: int, suffix: str) -> int:
    entries = await hub.requests_since(provider, since)
    return sum(
        1 for e in entries if str(e["path"]).endswith(suffix) and e["method"] == "GET"
    )


class TestReadThrough:
    async def test_spreadsheet_metadata_is_cached_until_the_hub_changes_it(
        self, hub: Hub
    ) -> None:
        """A second metadata read is a hit; adding a sheet invalidates it."""
        await hub.connect("google")
        sheet = (
            await hub.http.post(SHEETS, json={"title": "c"}, headers=hub.auth)
        ).json()
        sid = sheet["spreadsheet_id"]
        since = await hub.last_sequence()

        first = await hub.http.get(f"{SHEETS}/{sid}", headers=hub.auth)
        second = await hub.http.get(f"{SHEETS}/{sid}", headers=hub.auth)
        await hub.http.post(
            f"{SHEETS}/{sid}/sheets", json={"title": "New"}, headers=hub.auth
        )
        third = await hub.http.get(f"{SHEETS}/{sid}", headers=hub.auth)

        assert first.json()["upstream_calls"] == 1
        assert second.json()["upstream_calls"] == 0
        assert [s["title"] for s in third.json()["sheets"]] == ["Sheet1", "New"]
        assert await calls_to(hub, "google", since, sid) == 2
        metrics = (await hub.http.get("/metrics")).text
        assert lookups(metrics, "spreadsheets.get", "hit") >= 1
        assert lookups(metrics, "spreadsheets.get", "miss") >= 2

    async def test_permission_lists_are_cached_and_invalidated_by_sharing(
        self, hub: Hub
    ) -> None:
        """Listing twice asks Graph once; a new link makes the next list fresh."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "cached.txt", b"x")
        url = f"{DOCUMENTS}/{document['id']}/permissions"
        since = await hub.last_sequence()

        await hub.http.get(url, headers=hub.auth)
        await hub.http.get(url, headers=hub.auth)
        await share_link(hub, document["id"])
        after = (await hub.http.get(url, headers=hub.auth)).json()

        assert await calls_to(hub, "microsoft", since, "/permissions") == 2
        assert [p["link_type"] for p in after["items"] if p["web_url"]] == ["view"]
