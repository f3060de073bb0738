"""The 100,000-row write: minimal upstream calls and an exact round trip."""

from __future__ import annotations

import json
import math

import pytest

from integration_hub.google.batching import parse_ranges, plan_writes
from tests.support.live import Hub

pytestmark = pytest.mark.anyio

API = "/api/v1/integrations/google/spreadsheets"
ROWS, COLUMNS = 100_000, 20


def form_rows() -> list[list[object]]:
    """Form-like answers: text, numbers, booleans, and text that looks like code."""
    rows: list[list[object]] = []
    for r in range(ROWS):
        row: list[object] = [f"answer {r}-{c}" for c in range(COLUMNS - 3)]
        row += [r * 1.5, r % 2 == 0, "=SUM(A1:A2)" if r % 1000 == 0 else f"+{r}"]
        rows.append(row)
    return rows


async def test_hundred_thousand_rows_in_the_fewest_calls(hub: Hub) -> None:
    """100,000 x 20 goes up in ceil(payload / 2 MB) writes plus one grow and one
    metadata read, and reads back exactly as sent."""
    await hub.connect("google")
    created = await hub.http.post(API, json={"title": "big"}, headers=hub.auth)
    sheet = created.json()["spreadsheet_id"]
    rows = form_rows()
    data = [{"range": "Sheet1!A1", "values": rows}]
    since = await hub.last_sequence()

    written = await hub.http.post(
        f"{API}/batch-write",
        content=json.dumps({"spreadsheet_id": sheet, "data": data}),
        headers={**hub.auth, "Content-Type": "application/json"},
        timeout=300,
    )

    assert written.status_code == 200, written.text
    body = written.json()
    plan = plan_writes(parse_ranges([("Sheet1!A1", rows)]), "RAW")
    payload = sum(len(b) for b in plan.bodies)
    assert body["requests_for_values"] == math.ceil(payload / 2_000_000)
    assert body["upstream_calls"] == body["requests_for_values"] + 2
    sent = [
        e
        for e in await hub.requests_since("google", since)
        if str(e["path"]).startswith("/sandbox/google/sheets/")
    ]
    assert len(sent) == body["upstream_calls"]

    read = await hub.http.get(
        f"{API}/{sheet}/values",
        params={"range": f"Sheet1!A1:T{ROWS}", "render": "UNFORMATTED_VALUE"},
        headers=hub.auth,
        timeout=300,
    )
    assert read.status_code == 200
    assert read.json()["values"] == rows
