"""The hub's overhead per provider call, against calling the sandbox directly.

Both paths read the same small range from the same sandbox, one call at a time:
- direct: an HTTP client with a bearer token straight to the Sheets emulator;
- hub: the same read through GET .../google/spreadsheets/{id}/values, which adds
  API authentication, the inbound limit, connection lookup, the vault's cached
  token, pacing, the upstream client, metrics and the response.
Prints p50 and mean latency of each and their ratio, measured in the same run.

Run: .venv/bin/python bench/upstream_overhead.py [calls]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from _hub import bench_settings, connect, create_user, served

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 300


async def timed(client: httpx2.AsyncClient, url: str, **kwargs: object) -> list[float]:
    samples = []
    for _ in range(CALLS):
        started = time.perf_counter()
        response = await client.get(url, **kwargs)  # type: ignore[arg-type]
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return samples


async def run(base: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(base_url=base, timeout=60) as http:
        await connect(http, "google", token)
        sheet = (
            await http.post(
                "/api/v1/integrations/google/spreadsheets",
                json={"title": "overhead", "header": ["a", "b"], "rows": [[1, 2]]},
                headers=auth,
            )
        ).json()["spreadsheet_id"]
        minted = await http.post(
            "/sandbox/_admin/tokens",
            json={
                "provider": "google",
                "account": "demo.user@example.com",
                "scopes": ["https://www.googleapis.com/auth/spreadsheets"],
                "expires_in": 3600,
            },
        )
        direct_auth = {"Authorization": f"Bearer {minted.json()['access_token']}"}

        direct = await timed(
            http,
            f"/sandbox/google/sheets/v4/spreadsheets/{sheet}/values/Sheet1!A1:B2",
            headers=direct_auth,
        )
        through_hub = await timed(
            http,
            f"/api/v1/integrations/google/spreadsheets/{sheet}/values",
            params={"range": "Sheet1!A1:B2"},
            headers=auth,
        )

    d50, h50 = statistics.median(direct), statistics.median(through_hub)
    print(f"direct to sandbox: p50 {d50:.2f} ms, mean {statistics.mean(direct):.2f} ms")
    mean = statistics.mean(through_hub)
    print(f"through the hub:   p50 {h50:.2f} ms, mean {mean:.2f} ms")
    print(f"hub overhead: {h50 - d50:.2f} ms per call at p50, ratio {h50 / d50:.2f}x")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # Quotas out of the way: this measures the hub's own cost per call.
        settings = bench_settings(
            Path(folder),
            inbound_rate_limit_per_minute=1_000_000,
            sheets_reads_per_user=1_000_000,
            sheets_reads_per_project=1_000_000,
        )

        token = create_user(settings)
        with served(settings) as base:
            asyncio.run(run(base, token))


if __name__ == "__main__":
    main()
