"""spreadsheets.batchUpdate: structural and cell-level requests, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integration_hub.sandbox.google.errors import GoogleApiError, bad_request
from integration_hub.sandbox.google.grid_data import from_cell_data
from integration_hub.sandbox.google.schemas import int32
from integration_hub.sandbox.google.sheets_common import check_cell_limit
from integration_hub.sandbox.google.workbook import Sheet, Spreadsheet

Handler = Callable[[Spreadsheet, dict[str, Any]], dict[str, Any]]


class RequestFailed(Exception):
    """One request of the batch cannot be applied; the batch is abandoned."""


def apply_requests(
    draft: Spreadsheet, requests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Apply every request to ``draft`` (a clone); answers the replies, 1:1."""
    replies = []
    for index, request in enumerate(requests):
        if len(request) != 1:
            raise bad_request(
                f"Invalid requests[{index}]: exactly one kind of request must be set"
            )
        ((kind, body),) = request.items()
        try:
            replies.append(HANDLERS[kind](draft, body))
        except RequestFailed as exc:
            raise bad_request(f"Invalid requests[{index}].{kind}: {exc}") from None
        except GoogleApiError as exc:
            prefixed = f"Invalid requests[{index}].{kind}: {exc.message}"
            raise bad_request(prefixed) from None
    return replies


def _sheet(draft: Spreadsheet, sheet_id: Any) -> Sheet:
    sheet = draft.by_id(int32(sheet_id or 0))
    if sheet is None:
        raise RequestFailed(f"No grid with id: {int32(sheet_id or 0)}")
    return sheet


def add_sheet(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties", {})
    title = props.get("title") or _free_title(draft)
    if draft.by_title(title) is not None:
        raise RequestFailed(
            f'A sheet with the name "{title}" already exists. '
            "Please enter another name."
        )
    sheet_id = int32(props["sheetId"]) if "sheetId" in props else draft.new_sheet_id()
    if sheet_id < 0:
        raise RequestFailed("sheetId must be non-negative")
    if draft.by_id(sheet_id) is not None:
        raise RequestFailed(f"Sheet with id {sheet_id} already exists")
    sheet = Sheet(sheet_id=sheet_id, title=title)
    _set_properties(draft, sheet, props, ["*"])
    check_cell_limit(draft, sheet.row_count * sheet.column_count)

    index = min(int32(props.get("index", len(draft.sheets))), len(draft.sheets))
    draft.sheets.insert(index, sheet)
    draft.reindex()
    return {"addSheet": {"properties": sheet.properties()}}


def _free_title(draft: Spreadsheet) -> str:
    number = len(draft.sheets) + 1
    while draft.by_title(f"Sheet{number}") is not None:
        number += 1
    return f"Sheet{number}"


def delete_sheet(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    sheet = _sheet(draft, body.get("sheetId"))
    if len(draft.sheets) == 1:
        raise RequestFailed("You can't remove all the sheets in a document.")
    draft.sheets.remove(sheet)
    draft.reindex()
    return {}


def update_sheet_properties(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties", {})
    sheet = _sheet(draft, props.get("sheetId"))
    fields = _fields(body)
    if _wants(fields, "title") and "title" in props:
        other = draft.by_title(props["title"])
        if other is not None and other is not sheet:
            raise RequestFailed(
                f'A sheet with the name "{props["title"]}" already exists. '
                "Please enter another name."
            )
    _set_properties(draft, sheet, props, fields)
    if _wants(fields, "index") and "index" in props:
        draft.sheets.remove(sheet)
        draft.sheets.insert(min(int32(props["index"]), len(draft.sheets)), sheet)
        draft.reindex()
    return {}


def _set_properties(
    draft: Spreadsheet, sheet: Sheet, props: dict[str, Any], fields: list[str]
) -> None:
    grid = props.get("gridProperties", {})
    if _wants(fields, "title") and props.get("title"):
        sheet.title = props["title"]
    if _wants(fields, "hidden"):
        sheet.hidden = bool(props.get("hidden", False))
    rows = int32(grid.get("rowCount", sheet.row_count))
    cols = int32(grid.get("columnCount", sheet.column_count))
    if _wants(fields, "gridProperties.rowCount") or _wants(
        fields, "gridProperties.columnCount"
    ):
        _resize(draft, sheet, rows, cols)
    for key, value in grid.items():
        if key not in ("rowCount", "columnCount") and _wants(
            fields, "gridProperties." + key
        ):
            sheet.grid_extra[key] = value
    for key in ("tabColor", "tabColorStyle", "rightToLeft"):
        if key in props and _wants(fields, key):
            sheet.extra[key] = props[key]


def _resize(draft: Spreadsheet, sheet: Sheet, rows: int, cols: int) -> None:
    if rows < 1 or cols < 1:
        raise RequestFailed("the grid must keep at least one row and one column")
    check_cell_limit(draft, rows * cols - sheet.row_count * sheet.column_count)
    sheet.row_count, sheet.column_count = rows, cols
    del sheet.rows[rows:]
    for row in sheet.rows:
        del row[cols:]


def _fields(body: dict[str, Any]) -> list[str]:
    mask = body.get("fields")
    if not mask:
        raise RequestFailed(
            "At least one field must be updated, but 'fields' is empty."
        )
    return [part.strip() for part in mask.split(",") if part.strip()]


def _wants(fields: list[str], name: str) -> bool:
    if "*" in fields or name in fields:
        return True
    return any(name.startswith(f + ".") for f in fields)


def update_spreadsheet_properties(
    draft: Spreadsheet, body: dict[str, Any]
) -> dict[str, Any]:
    props = body.get("properties", {})
    fields = _fields(body)
    if _wants(fields, "title") and "title" in props:
        draft.title = props["title"]
    if _wants(fields, "locale") and "locale" in props:
        draft.locale = props["locale"]
    if _wants(fields, "timeZone") and "timeZone" in props:
        draft.time_zone = props["timeZone"]
    return {}


def append_dimension(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    sheet = _sheet(draft, body.get("sheetId"))
    length = int32(body.get("length", 0))
    if length < 1:
        raise RequestFailed("length must be greater than 0")
    if _dimension(body) == "ROWS":
        _resize(draft, sheet, sheet.row_count + length, sheet.column_count)
    else:
        _resize(draft, sheet, sheet.row_count, sheet.column_count + length)
    return {}


def _dimension(body: dict[str, Any]) -> str:
    dimension = body.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestFailed("dimension must be ROWS or COLUMNS")
    return str(dimension)


def _span(sheet: Sheet, dim_range: dict[str, Any]) -> tuple[str, int, int]:
    dimension = _dimension(dim_range)
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    start = int32(dim_range.get("startIndex", 0))
    end = int32(dim_range.get("endIndex", size))
    if not 0 <= start < end:
        raise RequestFailed("startIndex must be less than endIndex")
    return dimension, start, end


def insert_dimension(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    dim_range = body.get("range", {})
    sheet = _sheet(draft, dim_range.get("sheetId"))
    dimension, start, end = _span(sheet, dim_range)
    count = end - start
    if dimension == "ROWS":
        if start > sheet.row_count:
            raise RequestFailed(
                f"Cannot insert rows beyond the grid ({sheet.row_count})."
            )
        check_cell_limit(draft, count * sheet.column_count)
        sheet.rows[start:start] = (
            [[] for _ in range(count)] if start < len(sheet.rows) else []
        )
        sheet.row_count += count
    else:
        if start > sheet.column_count:
            raise RequestFailed(
                f"Cannot insert columns beyond the grid ({sheet.column_count})."
            )
        check_cell_limit(draft, count * sheet.row_count)
        for row in sheet.rows:
            if start < len(row):
                row[start:start] = [None] * count
        sheet.column_count += count
    return {}


def delete_dimension(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    dim_range = body.get("range", {})
    sheet = _sheet(draft, dim_range.get("sheetId"))
    dimension, start, end = _span(sheet, dim_range)
    size = sheet.row_count if dimension == "ROWS" else sheet.column_count
    if end > size:
        raise RequestFailed(f"endIndex {end} is beyond the grid ({size}).")
    if end - start >= size:
        raise RequestFailed(
            f"You can't delete all the {dimension.lower()} on the sheet."
        )
    if dimension == "ROWS":
        del sheet.rows[start:end]
        sheet.row_count -= end - start
    else:
        for row in sheet.rows:
            del row[start:end]
        sheet.column_count -= end - start
    return {}


def update_cells(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(body)
    if ("start" in body) == ("range" in body):
        raise RequestFailed("exactly one of start or range must be set")
    area = body.get("start") or body.get("range", {})
    sheet = _sheet(draft, area.get("sheetId"))
    if "start" in body:
        top, left = int32(area.get("rowIndex", 0)), int32(area.get("columnIndex", 0))
        bottom, right = sheet.row_count, sheet.column_count
    else:
        top, bottom, left, right = _grid_range(sheet, area)
    rows = body.get("rows", [])
    _check_area(sheet, top, left, rows, bottom, right)
    for offset, row_data in enumerate(rows):
        for col, data in enumerate(row_data.get("values", []), left):
            set_cell(sheet, top + offset, col, data, fields)
    return {}


def _check_area(
    sheet: Sheet,
    top: int,
    left: int,
    rows: list[dict[str, Any]],
    bottom: int,
    right: int,
) -> None:
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if top + len(rows) > min(bottom, sheet.row_count) or left + width > min(
        right, sheet.column_count
    ):
        raise RequestFailed(
            f"the data does not fit the grid (max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count})"
        )


def _grid_range(sheet: Sheet, area: dict[str, Any]) -> tuple[int, int, int, int]:
    top = int32(area.get("startRowIndex", 0))
    bottom = int32(area.get("endRowIndex", sheet.row_count))
    left = int32(area.get("startColumnIndex", 0))
    right = int32(area.get("endColumnIndex", sheet.column_count))
    if not (
        0 <= top <= bottom <= sheet.row_count
        and 0 <= left <= right <= sheet.column_count
    ):
        raise RequestFailed(
            f"Range exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    return top, bottom, left, right


def set_cell(
    sheet: Sheet, row: int, col: int, data: dict[str, Any], fields: list[str]
) -> None:
    while len(sheet.rows) <= row:
        sheet.rows.append([])
    cells = sheet.rows[row]
    if len(cells) <= col:
        cells.extend([None] * (col + 1 - len(cells)))
    cells[col] = from_cell_data(data, cells[col], fields)


def repeat_cell(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(body)
    area = body.get("range", {})
    sheet = _sheet(draft, area.get("sheetId"))
    top, bottom, left, right = _grid_range(sheet, area)
    data = body.get("cell", {})
    for row in range(top, bottom):
        for col in range(left, right):
            set_cell(sheet, row, col, data, fields)
    return {}


def auto_resize_dimensions(draft: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    # Column widths are not modelled; checking the range is all that can fail.
    dimensions = body.get("dimensions")
    if dimensions is None:
        raise RequestFailed("dimensions must be set")
    _span(_sheet(draft, dimensions.get("sheetId")), dimensions)
    return {}


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "autoResizeDimensions": auto_resize_dimensions,
}
