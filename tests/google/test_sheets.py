"""Sheets operations end to end: hub over HTTP, sandbox over HTTP."""

from __future__ import annotations

import pytest

from tests.support.live import Hub

pytestmark = pytest.mark.anyio

API = "/api/v1/integrations/google/spreadsheets"


async def create(hub: Hub, **body: object) -> dict[str, object]:
    response = await hub.http.post(
        API, json={"title": "Responses", **body}, headers=hub.auth
    )
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def read(
    hub: Hub, spreadsheet_id: object, range_: str, **params: str
) -> list[list[object]]:
    response = await hub.http.get(
        f"{API}/{spreadsheet_id}/values",
        params={"range": range_, **params},
        headers=hub.auth,
    )
    assert response.status_code == 200, response.text
    values: list[list[object]] = response.json()["values"]
    return values


class TestCreate:
    async def test_create_with_header_and_rows_in_one_call(self, hub: Hub) -> None:
        """Small initial data rides along in the create call: one upstream call."""
        await hub.connect("google")

        created = await create(
            hub, sheets=["Answers", "Notes"], header=["name", "age"], rows=[["Ada", 36]]
        )

        assert created["upstream_calls"] == 1
        sheets = created["sheets"]
        assert isinstance(sheets, list)
        assert [s["title"] for s in sheets] == ["Answers", "Notes"]
        assert await read(hub, created["spreadsheet_id"], "Answers!A1:B2") == [
            ["name", "age"],
            ["Ada", 36],
        ]

    async def test_without_a_connection_is_404(self, hub: Hub) -> None:
        """Operations before connecting an account say what to do."""
        response = await hub.http.post(API, json={"title": "x"}, headers=hub.auth)

        assert response.status_code == 404
        assert "connect an account" in response.json()["detail"]

    async def test_endpoints_need_a_token(self, hub: Hub) -> None:
        """Every Sheets endpoint answers 401 without a token."""
        for method, path in [
            ("POST", API),
            ("POST", f"{API}/batch-write"),
            ("GET", f"{API}/x"),
            ("GET", f"{API}/x/values?range=A1"),
            ("POST", f"{API}/x/append"),
            ("POST", f"{API}/x/clear"),
            ("POST", f"{API}/x/sheets"),
            ("POST", f"{API}/x/share"),
        ]:
            response = await hub.http.request(method, path, json={})
            assert response.status_code == 401, path


class TestBatchWrite:
    async def test_formula_text_stays_text_by_default(self, hub: Hub) -> None:
        """RAW by default: '=HYPERLINK(...)' and '+1' from a form stay text."""
        await hub.connect("google")
        sheet = await create(hub)
        values = [['=HYPERLINK("http://x","y")', "+1", 42, True, "2024-01-05"]]

        written = await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": sheet["spreadsheet_id"],
                "data": [{"range": "Sheet1!A1", "values": values}],
            },
            headers=hub.auth,
        )

        assert written.status_code == 200, written.text
        assert (
            await read(hub, sheet["spreadsheet_id"], "Sheet1!A1:E1", render="FORMULA")
            == values
        )

    async def test_dates_keep_their_type_in_raw_writes(self, hub: Hub) -> None:
        """Date cells become dates (serials with a date format); a date-looking
        string stays the text it was sent as."""
        await hub.connect("google")
        sheet = await create(hub)
        values = [
            [{"date": "2024-01-05"}, {"datetime": "2024-01-05T10:30:00"}, "2024-01-05"],
            [{"date": "2024-01-06"}, 7, True],
        ]

        written = await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": sheet["spreadsheet_id"],
                "data": [{"range": "Sheet1!A1", "values": values}],
            },
            headers=hub.auth,
        )

        assert written.status_code == 200, written.text
        assert written.json()["upstream_calls"] == 3  # metadata, values, formats
        sid = sheet["spreadsheet_id"]
        assert await read(hub, sid, "Sheet1!A1:C2", render="UNFORMATTED_VALUE") == [
            [45296, 45296.4375, "2024-01-05"],
            [45297, 7, True],
        ]
        assert await read(hub, sid, "Sheet1!A1:B1", render="FORMATTED_VALUE") == [
            ["2024-01-05", "2024-01-05 10:30:00"]
        ]

    async def test_user_entered_keeps_formulas_when_asked(self, hub: Hub) -> None:
        """USER_ENTERED, only on request, stores formulas as formulas."""
        await hub.connect("google")
        sheet = await create(hub)

        await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": sheet["spreadsheet_id"],
                "data": [{"range": "Sheet1!A1", "values": [["=1+2"]]}],
                "value_input_option": "USER_ENTERED",
            },
            headers=hub.auth,
        )

        assert await read(hub, sheet["spreadsheet_id"], "Sheet1!A1") == [[3]]

    async def test_large_write_grows_the_grid_and_reads_back_exactly(
        self, hub: Hub
    ) -> None:
        """Rows beyond the 1000-row grid: one grow call, minimal writes, exact read."""
        await hub.connect("google")
        sheet = await create(hub)
        rows = [
            [f"r{r}c{c}" for c in range(20)] + [r, r % 3 == 0] for r in range(3_000)
        ]

        written = await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": sheet["spreadsheet_id"],
                "data": [{"range": "Sheet1!A1", "values": rows}],
            },
            headers=hub.auth,
        )

        body = written.json()
        assert written.status_code == 200, written.text
        assert body["grid_grown"] is True
        assert body["requests_for_values"] == 1
        assert body["upstream_calls"] == 3  # metadata, grow, one write
        assert await read(hub, sheet["spreadsheet_id"], "Sheet1!A1:V3000") == rows

    async def test_bad_range_is_422_saying_where(self, hub: Hub) -> None:
        """An A1 mistake is caught before any upstream call, with its position."""
        await hub.connect("google")

        response = await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": "x",
                "data": [{"range": "Sheet1!A1:B$", "values": [[1]]}],
            },
            headers=hub.auth,
        )

        assert response.status_code == 422
        assert "position 12" in response.json()["detail"]

    async def test_unknown_spreadsheet_is_404(self, hub: Hub) -> None:
        """A spreadsheet the provider does not know is a 404, not a 500."""
        await hub.connect("google")

        response = await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": "missing",
                "data": [{"range": "A1", "values": [[1]]}],
            },
            headers=hub.auth,
        )

        assert response.status_code == 404
        assert response.json()["error"] == "upstream_rejected"

    async def test_oversized_cell_is_422(self, hub: Hub) -> None:
        """A cell over 50,000 characters is refused before it is sent."""
        await hub.connect("google")

        response = await hub.http.post(
            f"{API}/batch-write",
            json={
                "spreadsheet_id": "x",
                "data": [{"range": "A1", "values": [["x" * 50_001]]}],
            },
            headers=hub.auth,
        )

        assert response.status_code == 422


class TestAroundWrites:
    async def test_append_read_clear_add_sheet_and_share(self, hub: Hub) -> None:
        """The everyday operations work against the sandbox and are audited."""
        await hub.connect("google")
        sheet = await create(hub, header=["a", "b"])
        sid = sheet["spreadsheet_id"]

        appended = await hub.http.post(
            f"{API}/{sid}/append", json={"values": [[1, 2], [3, 4]]}, headers=hub.auth
        )
        added = await hub.http.post(
            f"{API}/{sid}/sheets", json={"title": "More"}, headers=hub.auth
        )
        metadata = await hub.http.get(f"{API}/{sid}", headers=hub.auth)
        shared = await hub.http.post(
            f"{API}/{sid}/share",
            json={"type": "user", "email": "bob@example.com", "role": "writer"},
            headers=hub.auth,
        )
        values_before = await read(hub, sid, "Sheet1")
        cleared = await hub.http.post(
            f"{API}/{sid}/clear", json={"range": "Sheet1!A2:B3"}, headers=hub.auth
        )

        assert appended.json()["updated_rows"] == 2
        assert added.status_code == 201
        assert [s["title"] for s in metadata.json()["sheets"]] == ["Sheet1", "More"]
        assert shared.status_code == 201, shared.text
        assert values_before == [["a", "b"], [1, 2], [3, 4]]
        assert cleared.status_code == 200
        assert await read(hub, sid, "Sheet1") == [["a", "b"]]

    async def test_share_with_a_user_needs_an_email(self, hub: Hub) -> None:
        """Sharing with a user but no address is a 422."""
        await hub.connect("google")

        response = await hub.http.post(
            f"{API}/x/share", json={"type": "user", "role": "reader"}, headers=hub.auth
        )

        assert response.status_code == 422
