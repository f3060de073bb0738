"""The Sheets v4 host: spreadsheets create, get and batchUpdate, plus values."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_hub.sandbox.google.access import check_params, json_body, query_bool
from integration_hub.sandbox.google.errors import (
    GoogleApiError,
    api_crash_handler,
    api_error_handler,
    api_http_exception_handler,
    bad_request,
)
from integration_hub.sandbox.google.grid_data import grid_data
from integration_hub.sandbox.google.schemas import check_sheets, int32
from integration_hub.sandbox.google.sheets_batch import apply_requests, set_cell
from integration_hub.sandbox.google.sheets_common import (
    bounded_in_grid,
    caller,
    check_cell_limit,
    open_spreadsheet,
    resolve,
)
from integration_hub.sandbox.google.sheets_values import value_routes
from integration_hub.sandbox.google.workbook import (
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    SPREADSHEET_MIME,
    Sheet,
    Spreadsheet,
)
from integration_hub.sandbox.google.world import GoogleWorld


def sheets_app(world: GoogleWorld) -> Starlette:
    async def create(request: Request) -> Response:
        check_params(request, ())
        token = caller(world, request, write=True)
        body = check_sheets(await json_body(request), "Spreadsheet")
        title = body.get("properties", {}).get("title") or "Untitled spreadsheet"
        sheets = _initial_sheets(body.get("sheets", []))
        record = world.files.create(token.account, title, SPREADSHEET_MIME, sheets)
        assert record.spreadsheet is not None
        _apply_properties(record.spreadsheet, body.get("properties", {}))
        check_cell_limit(record.spreadsheet, 0)
        return JSONResponse(spreadsheet_json(record.spreadsheet, None, True))

    async def get(request: Request) -> Response:
        check_params(
            request, ("ranges", "includeGridData", "excludeTablesInBandedRanges")
        )
        opened = open_spreadsheet(
            world, request, request.path_params["sid"], write=False
        )
        ranges = request.query_params.getlist("ranges")
        with_data = query_bool(request, "includeGridData")
        return JSONResponse(spreadsheet_json(opened.spreadsheet, ranges, with_data))

    async def batch_update(request: Request) -> Response:
        check_params(request, ())
        opened = open_spreadsheet(
            world, request, request.path_params["sid"], write=True
        )
        body = check_sheets(await json_body(request), "BatchUpdateSpreadsheetRequest")
        draft = opened.spreadsheet.clone()
        replies = apply_requests(draft, body.get("requests", []))
        # Only a batch that fully succeeded becomes visible.
        opened.record.spreadsheet = draft
        opened.record.name = draft.title
        world.files.touch(opened.record)

        answer: dict[str, Any] = {
            "spreadsheetId": draft.spreadsheet_id,
            "replies": replies,
        }
        if body.get("includeSpreadsheetInResponse"):
            ranges = body.get("responseRanges") or None
            with_data = bool(body.get("responseIncludeGridData"))
            answer["updatedSpreadsheet"] = spreadsheet_json(draft, ranges, with_data)
        return JSONResponse(answer)

    routes = [
        Route("/v4/spreadsheets", create, methods=["POST"]),
        Route("/v4/spreadsheets/{sid}:batchUpdate", batch_update, methods=["POST"]),
        Route("/v4/spreadsheets/{sid}", get, methods=["GET"]),
        *value_routes(world),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={
            GoogleApiError: api_error_handler,
            HTTPException: api_http_exception_handler,
            Exception: api_crash_handler,
        },
    )


def _initial_sheets(given: list[dict[str, Any]]) -> list[Sheet] | None:
    if not given:
        return None
    draft = Spreadsheet("", "", [])
    for index, body in enumerate(given):
        props = body.get("properties", {})
        grid = props.get("gridProperties", {})
        sheet_id = (
            int32(props["sheetId"])
            if "sheetId" in props
            else (0 if index == 0 else draft.new_sheet_id())
        )
        title = props.get("title") or f"Sheet{index + 1}"
        if draft.by_title(title) is not None or draft.by_id(sheet_id) is not None:
            raise bad_request(f'A sheet with the name "{title}" already exists.')
        sheet = Sheet(
            sheet_id=sheet_id,
            title=title,
            row_count=int32(grid.get("rowCount", DEFAULT_ROWS)),
            column_count=int32(grid.get("columnCount", DEFAULT_COLUMNS)),
            hidden=bool(props.get("hidden", False)),
        )
        for grid_body in body.get("data", []):
            _load_grid(sheet, grid_body)
        draft.sheets.append(sheet)
    return draft.sheets


def _load_grid(sheet: Sheet, body: dict[str, Any]) -> None:
    top = int32(body.get("startRow", 0))
    left = int32(body.get("startColumn", 0))
    rows = body.get("rowData", [])
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if top + len(rows) > sheet.row_count or left + width > sheet.column_count:
        raise bad_request(
            f"Range ('{sheet.title}') exceeds grid limits. Max rows: "
            f"{sheet.row_count}, max columns: {sheet.column_count}"
        )
    for offset, row in enumerate(rows):
        for col, data in enumerate(row.get("values", []), left):
            set_cell(sheet, top + offset, col, data, ["*"])


def _apply_properties(spreadsheet: Spreadsheet, props: dict[str, Any]) -> None:
    spreadsheet.locale = props.get("locale", spreadsheet.locale)
    spreadsheet.time_zone = props.get("timeZone", spreadsheet.time_zone)


def spreadsheet_json(
    spreadsheet: Spreadsheet, ranges: list[str] | None, with_data: bool
) -> dict[str, Any]:
    sheets = []
    wanted = _data_ranges(spreadsheet, ranges) if with_data else {}
    for sheet in spreadsheet.sheets:
        if ranges and sheet.sheet_id not in wanted:
            continue
        entry: dict[str, Any] = {"properties": sheet.properties()}
        if with_data:
            bounds = wanted.get(sheet.sheet_id) or [
                (0, sheet.row_count, 0, sheet.column_count)
            ]
            entry["data"] = [grid_data(sheet, *b) for b in bounds]
        sheets.append(entry)
    return {
        "spreadsheetId": spreadsheet.spreadsheet_id,
        "properties": spreadsheet.properties(),
        "sheets": sheets,
        "spreadsheetUrl": spreadsheet.url(),
    }


def _data_ranges(
    spreadsheet: Spreadsheet, ranges: list[str] | None
) -> dict[int, list[tuple[int, int, int, int]]]:
    wanted: dict[int, list[tuple[int, int, int, int]]] = {}
    for text in ranges or []:
        sheet, ref = resolve(spreadsheet, text)
        wanted.setdefault(sheet.sheet_id, []).append(bounded_in_grid(sheet, ref))
    return wanted
