"""spreadsheets.values: get, update, append, clear and their batch forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_hub.sandbox.google.a1 import A1Range, column_letters, format_range
from integration_hub.sandbox.google.access import (
    check_params,
    json_body,
    query_bool,
    query_enum,
)
from integration_hub.sandbox.google.cells import (
    Stored,
    check_input,
    make,
    parts,
    user_entered,
)
from integration_hub.sandbox.google.errors import bad_request
from integration_hub.sandbox.google.schemas import check_sheets
from integration_hub.sandbox.google.sheets_common import (
    DATE_OPTIONS,
    DIMENSIONS,
    INPUT_OPTIONS,
    RENDER_OPTIONS,
    beyond_grid,
    bounded_in_grid,
    check_cell_limit,
    open_spreadsheet,
    resolve,
)
from integration_hub.sandbox.google.workbook import Converter, Sheet, Spreadsheet
from integration_hub.sandbox.google.world import GoogleWorld

READ_PARAMS = ("majorDimension", "valueRenderOption", "dateTimeRenderOption")
WRITE_PARAMS = (
    "valueInputOption",
    "includeValuesInResponse",
    "responseValueRenderOption",
    "responseDateTimeRenderOption",
)


@dataclass
class Write:
    """One validated ValueRange write, ready to apply."""

    sheet: Sheet
    start_row: int
    start_col: int
    block: list[list[Any]]

    @property
    def rows(self) -> int:
        return len(self.block)

    @property
    def columns(self) -> int:
        return max((len(row) for row in self.block), default=0)

    def cells(self) -> int:
        return sum(sum(v is not None for v in row) for row in self.block)

    def range_text(self) -> str:
        return format_range(
            self.sheet.title,
            self.start_row,
            self.start_row + max(self.rows, 1),
            self.start_col,
            self.start_col + max(self.columns, 1),
        )


def value_routes(world: GoogleWorld) -> list[Route]:
    async def get(request: Request) -> Response:
        sid, text = request.path_params["sid"], request.path_params["range"]
        check_params(request, READ_PARAMS)
        opened = open_spreadsheet(world, request, sid, write=False)
        return _json(_read(request, opened.spreadsheet, text) | {})

    async def batch_get(request: Request) -> Response:
        check_params(request, ("ranges", *READ_PARAMS))
        opened = open_spreadsheet(
            world, request, request.path_params["sid"], write=False
        )
        ranges = request.query_params.getlist("ranges")
        value_ranges = [_read(request, opened.spreadsheet, text) for text in ranges]
        return _json(
            {
                "spreadsheetId": opened.spreadsheet.spreadsheet_id,
                "valueRanges": value_ranges,
            }
        )

    async def update(request: Request) -> Response:
        sid, text = request.path_params["sid"], request.path_params["range"]
        check_params(request, WRITE_PARAMS)
        opened = open_spreadsheet(world, request, sid, write=True)
        option = _input_option(request.query_params.get("valueInputOption"))
        body = check_sheets(await json_body(request), "ValueRange")
        write = _planned(opened.spreadsheet, text, body)
        _apply(write, option)
        world.files.touch(opened.record)
        return _json(_update_response(request, opened.spreadsheet, write))

    async def append(request: Request) -> Response:
        sid, text = request.path_params["sid"], request.path_params["range"]
        check_params(request, ("insertDataOption", *WRITE_PARAMS))
        opened = open_spreadsheet(world, request, sid, write=True)
        option = _input_option(request.query_params.get("valueInputOption"))
        insert = query_enum(
            request, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"), "OVERWRITE"
        )
        body = check_sheets(await json_body(request), "ValueRange")
        table, write = _appended(
            opened.spreadsheet, text, body, insert == "INSERT_ROWS"
        )
        _apply(write, option)
        world.files.touch(opened.record)
        answer: dict[str, Any] = {"spreadsheetId": sid}
        if table:
            answer["tableRange"] = table
        answer["updates"] = _update_response(request, opened.spreadsheet, write)
        return _json(answer)

    async def batch_update(request: Request) -> Response:
        check_params(request, ())
        opened = open_spreadsheet(
            world, request, request.path_params["sid"], write=True
        )
        body = check_sheets(await json_body(request), "BatchUpdateValuesRequest")
        option = _input_option(body.get("valueInputOption"))
        writes = [
            _planned(opened.spreadsheet, d.get("range", ""), d)
            for d in body.get("data", [])
        ]
        for write in writes:
            _apply(write, option)
        world.files.touch(opened.record)
        return _json(_batch_update_response(request, opened.spreadsheet, writes, body))

    async def clear(request: Request) -> Response:
        sid, text = request.path_params["sid"], request.path_params["range"]
        check_params(request, ())
        opened = open_spreadsheet(world, request, sid, write=True)
        check_sheets(await json_body(request), "ClearValuesRequest")
        cleared = _clear(opened.spreadsheet, [text])
        return _json({"spreadsheetId": sid, "clearedRange": cleared[0]})

    async def batch_clear(request: Request) -> Response:
        check_params(request, ())
        opened = open_spreadsheet(
            world, request, request.path_params["sid"], write=True
        )
        body = check_sheets(await json_body(request), "BatchClearValuesRequest")
        cleared = _clear(opened.spreadsheet, body.get("ranges", []))
        return _json(
            {
                "spreadsheetId": opened.spreadsheet.spreadsheet_id,
                "clearedRanges": cleared,
            }
        )

    base = "/v4/spreadsheets/{sid}/values"
    return [
        Route(base + ":batchGet", batch_get, methods=["GET"]),
        Route(base + ":batchUpdate", batch_update, methods=["POST"]),
        Route(base + ":batchClear", batch_clear, methods=["POST"]),
        Route(base + "/{range:path}:append", append, methods=["POST"]),
        Route(base + "/{range:path}:clear", clear, methods=["POST"]),
        Route(base + "/{range:path}", get, methods=["GET"]),
        Route(base + "/{range:path}", update, methods=["PUT"]),
    ]


def _json(body: dict[str, Any]) -> Response:
    return JSONResponse(body)


def _input_option(raw: str | None) -> str:
    if not raw:
        raise bad_request("'valueInputOption' is required but not specified")
    if raw not in INPUT_OPTIONS:
        raise bad_request(
            "Invalid value at 'value_input_option' "
            f'(type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "{raw}"'
        )
    return raw


def _read(request: Request, spreadsheet: Spreadsheet, text: str) -> dict[str, Any]:
    major = query_enum(request, "majorDimension", DIMENSIONS, "ROWS")
    option = query_enum(request, "valueRenderOption", RENDER_OPTIONS, "FORMATTED_VALUE")
    date_option = query_enum(
        request, "dateTimeRenderOption", DATE_OPTIONS, "SERIAL_NUMBER"
    )
    sheet, ref = resolve(spreadsheet, text, allow_r1c1=True)
    return value_range(sheet, ref, major, option, date_option)


def value_range(
    sheet: Sheet, ref: A1Range, major: str, option: str, date_option: str
) -> dict[str, Any]:
    start_row, end_row, start_col, end_col = bounded_in_grid(sheet, ref)
    values = sheet.read(start_row, end_row, start_col, end_col, option, date_option)
    if major == "COLUMNS":
        values = _transposed(values)
    answer: dict[str, Any] = {
        "range": format_range(sheet.title, start_row, end_row, start_col, end_col),
        "majorDimension": major,
    }
    if values:
        answer["values"] = values
    return answer


def _transposed(values: list[list[Any]]) -> list[list[Any]]:
    width = max((len(row) for row in values), default=0)
    columns = [[row[c] if c < len(row) else "" for row in values] for c in range(width)]
    for column in columns:
        while column and column[-1] == "":
            column.pop()
    return columns


def _block(body: dict[str, Any]) -> list[list[Any]]:
    values: list[list[Any]] = body.get("values", [])
    if body.get("majorDimension") == "COLUMNS":
        height = max((len(col) for col in values), default=0)
        values = [
            [col[r] if r < len(col) else None for col in values] for r in range(height)
        ]
    for row in values:
        for value in row:
            problem = check_input(value)
            if problem is not None:
                raise bad_request(problem)
    return values


def _planned(spreadsheet: Spreadsheet, text: str, body: dict[str, Any]) -> Write:
    """Validate one ValueRange against the grid without writing anything."""
    sheet, ref = resolve(spreadsheet, text)
    if "range" in body and body["range"] != text:
        body_sheet, body_ref = resolve(spreadsheet, body["range"])
        if (body_sheet, body_ref.bounded(1, 1)) != (sheet, ref.bounded(1, 1)):
            raise bad_request(
                f"Requested range [{text}] does not match value's range "
                f"[{body['range']}]"
            )
    block = _block(body)
    write = Write(sheet, ref.start_row, ref.start_col, block)
    _check_fits(sheet, ref, write)
    return write


def _check_fits(sheet: Sheet, ref: A1Range, write: Write) -> None:
    end_row = ref.start_row + max(write.rows, 1)
    end_col = ref.start_col + max(write.columns, 1)
    if ref.end_row == ref.start_row + 1 and ref.end_col == ref.start_col + 1:
        # A single cell is only an anchor: the values extend from it.
        ref = A1Range(ref.sheet, ref.start_row, None, ref.start_col, None)
    if ref.end_row is not None and end_row > ref.end_row:
        raise _outside_request(sheet, ref, "row", str(ref.end_row + 1))
    if ref.end_col is not None and end_col > ref.end_col:
        raise _outside_request(sheet, ref, "column", column_letters(ref.end_col))
    bottom = max(end_row, ref.end_row or 0)
    right = max(end_col, ref.end_col or 0)
    if bottom > sheet.row_count or right > sheet.column_count:
        shown_end_row = ref.end_row or end_row
        shown_end_col = ref.end_col or end_col
        raise beyond_grid(
            sheet, ref.start_row, shown_end_row, ref.start_col, shown_end_col
        )


def _outside_request(
    sheet: Sheet, ref: A1Range, axis: str, first_outside: str
) -> Exception:
    requested = format_range(
        sheet.title,
        ref.start_row,
        ref.end_row or ref.start_row + 1,
        ref.start_col,
        ref.end_col or ref.start_col + 1,
    )
    beyond = first_outside if axis == "column" else str(int(first_outside) + 1)
    return bad_request(
        f"Requested writing within range [{requested}], but tried writing to "
        f"{axis} [{beyond}]"
    )


def _appended(
    spreadsheet: Spreadsheet, text: str, body: dict[str, Any], insert_rows: bool
) -> tuple[str | None, Write]:
    """Where an append lands (after the table found in the range), growing the grid."""
    sheet, ref = resolve(spreadsheet, text)
    block = _block(body)
    start_row, _, start_col, end_col = ref.bounded(sheet.row_count, sheet.column_count)
    last = sheet.last_row_with_data(start_row, start_col, end_col)
    table = None
    if last >= start_row:
        first = next(
            r
            for r in range(start_row, last + 1)
            if sheet.row_has_data(r, start_col, end_col)
        )
        width = max(len(r) for r in sheet.rows[first : last + 1])
        table = format_range(
            sheet.title,
            first,
            last + 1,
            start_col,
            max(min(width, end_col), start_col + 1),
        )
    write = Write(sheet, last + 1, start_col, block)
    _grow_for(spreadsheet, sheet, write, insert_rows)
    return table, write


def _grow_for(
    spreadsheet: Spreadsheet, sheet: Sheet, write: Write, insert_rows: bool
) -> None:
    extra_rows = (
        write.rows
        if insert_rows
        else max(0, write.start_row + write.rows - sheet.row_count)
    )
    extra_cols = max(0, write.start_col + write.columns - sheet.column_count)
    added = (
        extra_rows * (sheet.column_count + extra_cols) + extra_cols * sheet.row_count
    )
    check_cell_limit(spreadsheet, added)
    if insert_rows and write.start_row < len(sheet.rows):
        sheet.rows[write.start_row : write.start_row] = [[] for _ in range(write.rows)]
    sheet.row_count += extra_rows
    sheet.column_count += extra_cols


def _apply(write: Write, option: str) -> None:
    if option == "RAW" and write.sheet.write_plain(
        write.start_row, write.start_col, write.block
    ):
        return
    convert: Converter = _raw if option == "RAW" else _user_entered
    write.sheet.write(write.start_row, write.start_col, write.block, convert)


def _raw(value: Any, old: Stored) -> Stored:
    return make(None if value == "" else value, None, parts(old)[2])


def _user_entered(value: Any, old: Stored) -> Stored:
    if value == "":
        return make(None, None, parts(old)[2])
    return make(*user_entered(value, parts(old)[2]))


def _update_response(
    request: Request, spreadsheet: Spreadsheet, write: Write
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "spreadsheetId": spreadsheet.spreadsheet_id,
        "updatedRange": write.range_text(),
    }
    if write.cells():
        answer |= {
            "updatedRows": sum(
                1 for row in write.block if any(v is not None for v in row)
            ),
            "updatedColumns": write.columns,
            "updatedCells": write.cells(),
        }
    if query_bool(request, "includeValuesInResponse"):
        answer["updatedData"] = _written_data(request.query_params, write)
    return answer


def _written_data(options: Any, write: Write) -> dict[str, Any]:
    ref = A1Range(
        write.sheet.title,
        write.start_row,
        write.start_row + max(write.rows, 1),
        write.start_col,
        write.start_col + max(write.columns, 1),
    )
    option = options.get("responseValueRenderOption") or "FORMATTED_VALUE"
    date_option = options.get("responseDateTimeRenderOption") or "SERIAL_NUMBER"
    if option not in RENDER_OPTIONS or date_option not in DATE_OPTIONS:
        raise bad_request("Invalid response render option")
    return value_range(write.sheet, ref, "ROWS", option, date_option)


def _batch_update_response(
    request: Request,
    spreadsheet: Spreadsheet,
    writes: list[Write],
    body: dict[str, Any],
) -> dict[str, Any]:
    options = {
        "includeValuesInResponse": body.get("includeValuesInResponse", False),
        "responseValueRenderOption": body.get("responseValueRenderOption"),
        "responseDateTimeRenderOption": body.get("responseDateTimeRenderOption"),
    }
    responses = []
    for write in writes:
        one: dict[str, Any] = {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "updatedRange": write.range_text(),
            "updatedRows": write.rows,
            "updatedColumns": write.columns,
            "updatedCells": write.cells(),
        }
        if options["includeValuesInResponse"]:
            one["updatedData"] = _written_data(options, write)
        responses.append(one)
    answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
    if writes:
        answer |= {
            "totalUpdatedRows": sum(w.rows for w in writes),
            "totalUpdatedColumns": sum(w.columns for w in writes),
            "totalUpdatedCells": sum(w.cells() for w in writes),
            "totalUpdatedSheets": len({id(w.sheet) for w in writes}),
            "responses": responses,
        }
    return answer


def _clear(spreadsheet: Spreadsheet, texts: list[str]) -> list[str]:
    targets = []
    for text in texts:
        sheet, ref = resolve(spreadsheet, text, allow_r1c1=True)
        targets.append((sheet, bounded_in_grid(sheet, ref)))
    cleared = []
    for sheet, (start_row, end_row, start_col, end_col) in targets:
        sheet.clear(start_row, end_row, start_col, end_col)
        cleared.append(
            format_range(sheet.title, start_row, end_row, start_col, end_col)
        )
    return cleared
