"""Sheets v4 driven by the real gspread and google-api-python-client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gspread
import pytest
from googleapiclient.errors import HttpError  # type: ignore[import-untyped, unused-ignore]

from tests.support.google_clients import drive_service, sheets_service


@pytest.fixture
def sheets(base_url: str, token: str) -> Iterator[Any]:
    service = sheets_service(base_url, token)
    yield service.spreadsheets()
    service.close()


@pytest.fixture
def spreadsheet_id(sheets: Any) -> str:
    created = sheets.create(body={"properties": {"title": "Book"}}).execute()
    spreadsheet_id: str = created["spreadsheetId"]
    return spreadsheet_id


def test_gspread_create_update_read_append(gc: gspread.Client) -> None:
    """gspread creates via Drive, writes, appends and reads back what it wrote."""
    spreadsheet = gc.create("Orders")
    sheet = spreadsheet.sheet1

    sheet.update([["name", "qty"], ["apple", 3]], "A1:B2")
    sheet.append_rows([["pear", 5], ["plum", 7]])

    assert sheet.get_all_values() == [
        ["name", "qty"],
        ["apple", "3"],
        ["pear", "5"],
        ["plum", "7"],
    ]
    assert gc.open_by_key(spreadsheet.id).title == "Orders"


def test_gspread_worksheets_format_and_share(gc: gspread.Client) -> None:
    """Adding a worksheet, formatting a range and sharing all go through."""
    spreadsheet = gc.create("Team")
    extra = spreadsheet.add_worksheet("My Data", rows=10, cols=5)
    extra.update([["x"]], "A1")
    extra.format("A1:B2", {"textFormat": {"bold": True}})
    spreadsheet.share("bob@example.com", perm_type="user", role="writer", notify=False)

    assert [w.title for w in spreadsheet.worksheets()] == ["Sheet1", "My Data"]
    emails = {p.get("emailAddress") for p in spreadsheet.list_permissions()}
    assert "bob@example.com" in emails
    assert extra.acell("A1").value == "x"


def test_user_entered_parses_numbers_dates_and_formulas(
    sheets: Any, spreadsheet_id: str
) -> None:
    """USER_ENTERED turns text into numbers, dates (serials) and formulas."""
    sheets.values().update(
        spreadsheetId=spreadsheet_id,
        range="Sheet1!A1:D1",
        valueInputOption="USER_ENTERED",
        body={"values": [["42", "2024-01-15", "=1+2", "TRUE"]]},
    ).execute()

    def get(option: str, dates: str = "SERIAL_NUMBER") -> Any:
        return (
            sheets.values()
            .get(
                spreadsheetId=spreadsheet_id,
                range="A1:D1",
                valueRenderOption=option,
                dateTimeRenderOption=dates,
            )
            .execute()["values"]
        )

    assert get("FORMATTED_VALUE") == [["42", "2024-01-15", "3", "TRUE"]]
    assert get("UNFORMATTED_VALUE") == [[42, 45306, 3, True]]
    assert get("FORMULA") == [[42, 45306, "=1+2", True]]
    assert get("UNFORMATTED_VALUE", "FORMATTED_STRING")[0][1] == "2024-01-15"


def test_raw_keeps_text(sheets: Any, spreadsheet_id: str) -> None:
    """RAW stores strings as typed, numbers stay numbers."""
    sheets.values().update(
        spreadsheetId=spreadsheet_id,
        range="A1",
        valueInputOption="RAW",
        body={"values": [["42", 42, "=1+2"]], "range": None},
    ).execute()

    got = (
        sheets.values()
        .get(
            spreadsheetId=spreadsheet_id,
            range="A1:C1",
            valueRenderOption="UNFORMATTED_VALUE",
        )
        .execute()
    )

    assert got["values"] == [["42", 42, "=1+2"]]


def test_output_drops_trailing_empties_and_supports_columns(
    sheets: Any, spreadsheet_id: str
) -> None:
    """ValueRanges drop trailing empty cells and rows; COLUMNS transposes."""
    sheets.values().update(
        spreadsheetId=spreadsheet_id,
        range="B2",
        valueInputOption="RAW",
        body={"values": [["a", "b"], ["c"]]},
    ).execute()

    rows = sheets.values().get(spreadsheetId=spreadsheet_id, range="A1:Z50").execute()
    columns = (
        sheets.values()
        .get(spreadsheetId=spreadsheet_id, range="A1:Z50", majorDimension="COLUMNS")
        .execute()
    )
    empty = sheets.values().get(spreadsheetId=spreadsheet_id, range="H1:H5").execute()

    assert rows["values"] == [[], ["", "a", "b"], ["", "c"]]
    assert columns["values"] == [[], ["", "a", "c"], ["", "b"]]
    assert "values" not in empty
    assert rows["range"] == "Sheet1!A1:Z50"


def test_batch_get_update_clear(sheets: Any, spreadsheet_id: str) -> None:
    """batchUpdate, batchGet (also R1C1), clear and batchClear work together."""
    result = (
        sheets.values()
        .batchUpdate(
            spreadsheetId=spreadsheet_id,
            body={
                "valueInputOption": "RAW",
                "data": [
                    {"range": "A1:B1", "values": [[1, 2]]},
                    {"range": "'Sheet1'!A3", "values": [["x"]]},
                ],
            },
        )
        .execute()
    )
    assert result["totalUpdatedCells"] == 3

    got = (
        sheets.values()
        .batchGet(spreadsheetId=spreadsheet_id, ranges=["A1:B1", "R3C1"])
        .execute()
    )
    assert [vr["values"] for vr in got["valueRanges"]] == [[["1", "2"]], [["x"]]]

    cleared = (
        sheets.values()
        .clear(spreadsheetId=spreadsheet_id, range="A1:A1", body={})
        .execute()
    )
    sheets.values().batchClear(
        spreadsheetId=spreadsheet_id, body={"ranges": ["A3"]}
    ).execute()
    after = sheets.values().get(spreadsheetId=spreadsheet_id, range="A1:B3").execute()

    assert cleared["clearedRange"] == "Sheet1!A1"
    assert after["values"] == [["", "2"]]


def test_update_beyond_grid_fails_with_googles_message(
    sheets: Any, spreadsheet_id: str
) -> None:
    """Writing under row 1000 of a new sheet fails with Google's exact text."""
    with pytest.raises(HttpError) as caught:
        sheets.values().update(
            spreadsheetId=spreadsheet_id,
            range="Sheet1!A1001",
            valueInputOption="RAW",
            body={"values": [["x"]]},
        ).execute()

    assert caught.value.resp.status == 400
    assert caught.value.reason == (
        "Range ('Sheet1'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


def test_append_grows_the_grid(sheets: Any, spreadsheet_id: str) -> None:
    """Appending past the last row adds rows instead of failing."""
    sheets.values().update(
        spreadsheetId=spreadsheet_id,
        range="A1000",
        valueInputOption="RAW",
        body={"values": [["last"]]},
    ).execute()

    appended = (
        sheets.values()
        .append(
            spreadsheetId=spreadsheet_id,
            range="Sheet1!A:A",
            valueInputOption="RAW",
            insertDataOption="INSERT_ROWS",
            body={"values": [["a"], ["b"]]},
        )
        .execute()
    )
    meta = sheets.get(spreadsheetId=spreadsheet_id).execute()

    assert appended["tableRange"] == "Sheet1!A1000"
    assert appended["updates"]["updatedRange"] == "Sheet1!A1001:A1002"
    assert meta["sheets"][0]["properties"]["gridProperties"]["rowCount"] == 1002


def test_value_input_option_is_required(sheets: Any, spreadsheet_id: str) -> None:
    """Leaving out valueInputOption is Google's 400 with its exact message."""
    with pytest.raises(HttpError) as caught:
        sheets.values().update(
            spreadsheetId=spreadsheet_id, range="A1", body={"values": [["x"]]}
        ).execute()

    assert caught.value.reason == "'valueInputOption' is required but not specified"


def test_unknown_body_field_is_rejected(
    http: Any, auth: dict[str, str], spreadsheet_id: str
) -> None:
    """An unknown field names its snake_case path like Google does."""
    body = {
        "requests": [
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": 0, "colour": 1},
                    "fields": "*",
                }
            }
        ]
    }
    answer = http.post(
        f"/sandbox/google/sheets/v4/spreadsheets/{spreadsheet_id}:batchUpdate",
        json=body,
        headers=auth,
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "colour" at '
        "'requests[0].update_sheet_properties.properties': Cannot find field."
    )


def test_cell_character_limit(sheets: Any, spreadsheet_id: str) -> None:
    """A cell over 50,000 characters is refused."""
    with pytest.raises(HttpError) as caught:
        sheets.values().update(
            spreadsheetId=spreadsheet_id,
            range="A1",
            valueInputOption="RAW",
            body={"values": [["x" * 50_001]]},
        ).execute()

    assert "50000 characters" in caught.value.reason


def test_batch_update_is_atomic(sheets: Any, spreadsheet_id: str) -> None:
    """One bad request in a batch leaves the spreadsheet untouched."""
    with pytest.raises(HttpError):
        sheets.batchUpdate(
            spreadsheetId=spreadsheet_id,
            body={
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {"deleteSheet": {"sheetId": 999}},
                ]
            },
        ).execute()

    titles = [
        s["properties"]["title"]
        for s in sheets.get(spreadsheetId=spreadsheet_id).execute()["sheets"]
    ]
    assert titles == ["Sheet1"]


def test_batch_update_requests_and_replies(sheets: Any, spreadsheet_id: str) -> None:
    """Structural and cell requests apply in order with one reply each."""
    requests = [
        {
            "addSheet": {
                "properties": {
                    "title": "Data",
                    "sheetId": 7,
                    "gridProperties": {"rowCount": 5, "columnCount": 3},
                }
            }
        },
        {"appendDimension": {"sheetId": 7, "dimension": "ROWS", "length": 5}},
        {
            "updateCells": {
                "start": {"sheetId": 7},
                "rows": [
                    {
                        "values": [
                            {"userEnteredValue": {"stringValue": "a"}},
                            {"userEnteredValue": {"numberValue": 2}},
                        ]
                    }
                ],
                "fields": "userEnteredValue",
            }
        },
        {
            "insertDimension": {
                "range": {
                    "sheetId": 7,
                    "dimension": "ROWS",
                    "startIndex": 0,
                    "endIndex": 1,
                }
            }
        },
        {
            "deleteDimension": {
                "range": {
                    "sheetId": 7,
                    "dimension": "COLUMNS",
                    "startIndex": 2,
                    "endIndex": 3,
                }
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": 7, "startRowIndex": 1, "endRowIndex": 2},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        },
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 7, "title": "Renamed"},
                "fields": "title",
            }
        },
        {
            "autoResizeDimensions": {
                "dimensions": {"sheetId": 7, "dimension": "COLUMNS"}
            }
        },
    ]
    result = sheets.batchUpdate(
        spreadsheetId=spreadsheet_id, body={"requests": requests}
    ).execute()

    assert len(result["replies"]) == len(requests)
    assert result["replies"][0]["addSheet"]["properties"]["sheetId"] == 7
    props = sheets.get(spreadsheetId=spreadsheet_id).execute()["sheets"][1][
        "properties"
    ]
    assert props["title"] == "Renamed"
    assert props["gridProperties"] == {"rowCount": 11, "columnCount": 2}
    got = (
        sheets.values()
        .get(spreadsheetId=spreadsheet_id, range="Renamed!A1:B3")
        .execute()
    )
    assert got["values"] == [[], ["a", "2"]]


def test_create_with_grid_data_and_get_with_ranges(sheets: Any) -> None:
    """Initial sheets with grid data are stored; get returns data for the ranges."""
    body = {
        "properties": {"title": "Seeded"},
        "sheets": [
            {
                "properties": {"title": "One"},
                "data": [
                    {
                        "rowData": [
                            {"values": [{"userEnteredValue": {"stringValue": "hi"}}]}
                        ]
                    }
                ],
            },
            {
                "properties": {
                    "title": "Two",
                    "gridProperties": {"rowCount": 3, "columnCount": 2},
                }
            },
        ],
    }
    created = sheets.create(body=body).execute()

    got = sheets.get(
        spreadsheetId=created["spreadsheetId"],
        ranges=["One!A1:B2"],
        includeGridData=True,
    ).execute()

    assert len(got["sheets"]) == 1
    cell = got["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell["formattedValue"] == "hi"


def test_drive_files_and_permissions(base_url: str, token: str) -> None:
    """Drive creates a spreadsheet file, reports webViewLink, lists and shares it."""
    drive = drive_service(base_url, token)
    request_closing = drive.close
    created = (
        drive.files()
        .create(
            body={
                "name": "Report",
                "mimeType": "application/vnd.google-apps.spreadsheet",
            }
        )
        .execute()
    )

    got = (
        drive.files().get(fileId=created["id"], fields="id,name,webViewLink").execute()
    )
    listed = drive.files().list(q="name = 'Report'", fields="files(id,name)").execute()
    permission = (
        drive.permissions()
        .create(fileId=created["id"], body={"type": "anyone", "role": "reader"})
        .execute()
    )
    drive.permissions().delete(
        fileId=created["id"], permissionId=permission["id"]
    ).execute()
    remaining = drive.permissions().list(fileId=created["id"]).execute()
    request_closing()

    assert got["webViewLink"].endswith(
        f"/spreadsheets/d/{created['id']}/edit?usp=drivesdk"
    )
    assert listed["files"] == [{"id": created["id"], "name": "Report"}]
    assert [p["role"] for p in remaining["permissions"]] == ["owner"]


def test_large_sheet_round_trip(sheets: Any) -> None:
    """100,000 rows x 20 columns are written and read back in reasonable time."""
    created = sheets.create(
        body={
            "sheets": [
                {
                    "properties": {
                        "gridProperties": {"rowCount": 100_000, "columnCount": 20}
                    }
                }
            ]
        }
    ).execute()
    rows = [[f"r{r}c{c}" for c in range(20)] for r in range(100_000)]

    sheets.values().update(
        spreadsheetId=created["spreadsheetId"],
        range="Sheet1!A1",
        valueInputOption="RAW",
        body={"values": rows},
    ).execute()
    got = (
        sheets.values()
        .get(spreadsheetId=created["spreadsheetId"], range="Sheet1")
        .execute()
    )

    assert len(got["values"]) == 100_000
    assert got["values"][-1][-1] == "r99999c19"
