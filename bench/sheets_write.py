"""Writing 100,000 rows of 20 columns: the hub against gspread, same sandbox.

Prints rows per second and upstream calls for:
- the hub's batch-write (one API call; the hub cuts it into <= 2 MB requests);
- gspread's append_rows in batches of 1,000 (the usual advice);
- gspread's per-row append_row, timed on a sample and extrapolated, since
  100,000 single calls would take a very long time (and 28 minutes of quota).

Run: .venv/bin/python bench/sheets_write.py [rows]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx2
from _hub import bench_settings, connect, create_user, served
from tests.support.google_clients import gspread_client

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
COLUMNS = 20
PER_ROW_SAMPLE = 300


def rows_of(count: int) -> list[list[object]]:
    return [
        [f"answer {r}-{c}" for c in range(COLUMNS - 2)] + [r * 1.5, r % 2 == 0]
        for r in range(count)
    ]


async def sheet_api_calls(http: httpx2.AsyncClient, since: int) -> tuple[int, int]:
    log = (
        await http.get(
            "/sandbox/_admin/requests", params={"provider": "google", "since": since}
        )
    ).json()
    calls = [
        e
        for e in log["items"]
        if e["path"].startswith(("/sandbox/google/sheets/", "/sandbox/google/www/"))
    ]
    return len(calls), log["next_since"]


async def run(base: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    rows = rows_of(ROWS)
    async with httpx2.AsyncClient(base_url=base, timeout=600) as http:
        await connect(http, "google", token)
        _, since = await sheet_api_calls(http, 0)

        created = await http.post(
            "/api/v1/integrations/google/spreadsheets",
            json={"title": "hub"},
            headers=auth,
        )
        sheet = created.json()["spreadsheet_id"]
        _, since = await sheet_api_calls(http, since)
        started = time.perf_counter()
        response = await http.post(
            "/api/v1/integrations/google/spreadsheets/batch-write",
            content=json.dumps(
                {
                    "spreadsheet_id": sheet,
                    "data": [{"range": "Sheet1!A1", "values": rows}],
                }
            ),
            headers={**auth, "Content-Type": "application/json"},
        )
        hub_seconds = time.perf_counter() - started
        assert response.status_code == 200, response.text
        hub_calls, since = await sheet_api_calls(http, since)
        report("hub batch-write", ROWS, hub_seconds, hub_calls)

        minted = await http.post(
            "/sandbox/_admin/tokens",
            json={
                "provider": "google",
                "account": "demo.user@example.com",
                "scopes": [
                    "https://www.googleapis.com/auth/spreadsheets",
                    "https://www.googleapis.com/auth/drive",
                ],
                "expires_in": 3600,
            },
        )
        gc = gspread_client(base, minted.json()["access_token"])

        worksheet = gc.create("gspread-batches").sheet1
        _, since = await sheet_api_calls(http, since)
        started = time.perf_counter()
        for first in range(0, ROWS, 1000):
            worksheet.append_rows(rows[first : first + 1000], value_input_option="RAW")
        seconds = time.perf_counter() - started
        calls, since = await sheet_api_calls(http, since)
        report("gspread append_rows x1000", ROWS, seconds, calls)

        worksheet = gc.create("gspread-per-row").sheet1
        _, since = await sheet_api_calls(http, since)
        started = time.perf_counter()
        for row in rows[:PER_ROW_SAMPLE]:
            worksheet.append_row(row, value_input_option="RAW")
        seconds = time.perf_counter() - started
        calls, since = await sheet_api_calls(http, since)
        per_row = seconds / PER_ROW_SAMPLE
        print(
            f"{'gspread append_row (per row)':>28}: {1 / per_row:10.0f} rows/s, "
            f"{calls / PER_ROW_SAMPLE * ROWS:7.0f} upstream calls "
            f"(extrapolated from {PER_ROW_SAMPLE} rows: {per_row * ROWS:.0f} s, "
            f"and {ROWS / 60 / 60:.1f} h of a 60-writes-a-minute quota)"
        )
        print(
            "hub wall-clock speed against gspread batches, no quota: "
            f"{seconds_ratio(hub_seconds, ROWS)}"
        )


_results: dict[str, float] = {}
WRITES_PER_MINUTE = 60  # Sheets' per-user write quota


def report(label: str, rows: int, seconds: float, calls: int) -> None:
    """Rows per second here, and the floor the per-user write quota sets."""
    _results[label] = seconds
    quota_floor = (calls - 1) // WRITES_PER_MINUTE * 60
    print(
        f"{label:>28}: {rows / seconds:8.0f} rows/s, {calls:6d} upstream calls "
        f"({seconds:.1f} s here; >= {quota_floor} s under a 60/min quota)"
    )


def seconds_ratio(hub_seconds: float, _rows: int) -> str:
    batches = _results.get("gspread append_rows x1000")
    return "n/a" if batches is None else f"{batches / hub_seconds:.2f}x"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(Path(folder))

        token = create_user(settings)
        with served(settings) as base:
            asyncio.run(run(base, token))


if __name__ == "__main__":
    main()
