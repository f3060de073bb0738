"""Pieces the Sheets routes share: opening a spreadsheet, resolving ranges."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from integration_hub.sandbox.google.a1 import (
    A1Error,
    A1Range,
    format_range,
    parse_range,
)
from integration_hub.sandbox.google.access import (
    SHEETS_READ,
    SHEETS_WRITE,
    authorize,
    charge,
)
from integration_hub.sandbox.google.errors import bad_request, forbidden, not_found
from integration_hub.sandbox.google.tokens import AccessToken
from integration_hub.sandbox.google.workbook import (
    MAX_CELLS,
    WRITER_ROLES,
    DriveFile,
    Sheet,
    Spreadsheet,
)
from integration_hub.sandbox.google.world import GoogleWorld

SERVICE = "sheets.googleapis.com"
RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
DIMENSIONS = ("ROWS", "COLUMNS")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")


@dataclass
class Opened:
    record: DriveFile
    spreadsheet: Spreadsheet
    token: AccessToken


def caller(world: GoogleWorld, request: Request, *, write: bool) -> AccessToken:
    token = authorize(world, request, SHEETS_WRITE if write else SHEETS_READ, SERVICE)
    charge(world, token, "write" if write else "read")
    return token


def open_spreadsheet(
    world: GoogleWorld, request: Request, spreadsheet_id: str, *, write: bool
) -> Opened:
    """The spreadsheet the caller may read (or write), after auth and quota."""
    token = caller(world, request, write=write)
    record = world.files.files.get(spreadsheet_id)
    if record is None or record.spreadsheet is None:
        raise not_found()
    role = world.files.role(record, token.account)
    if role is None or (write and role not in WRITER_ROLES):
        raise forbidden()
    return Opened(record, record.spreadsheet, token)


def resolve(
    spreadsheet: Spreadsheet, text: str, *, allow_r1c1: bool = False
) -> tuple[Sheet, A1Range]:
    try:
        ref = parse_range(text, allow_r1c1=allow_r1c1)
    except A1Error:
        raise bad_request(f"Unable to parse range: {text}") from None
    sheet = (
        spreadsheet.first_visible()
        if ref.sheet is None
        else spreadsheet.by_title(ref.sheet)
    )
    if sheet is None:
        raise bad_request(f"Unable to parse range: {text}")
    return sheet, ref


def bounded_in_grid(sheet: Sheet, ref: A1Range) -> tuple[int, int, int, int]:
    """The range's concrete bounds; a range reaching past the grid is an error."""
    start_row, end_row, start_col, end_col = ref.bounded(
        sheet.row_count, sheet.column_count
    )
    if end_row > sheet.row_count or end_col > sheet.column_count:
        raise beyond_grid(sheet, start_row, end_row, start_col, end_col)
    if start_row >= sheet.row_count or start_col >= sheet.column_count:
        raise beyond_grid(sheet, start_row, end_row, start_col, end_col)
    return start_row, end_row, start_col, end_col


def beyond_grid(
    sheet: Sheet, start_row: int, end_row: int, start_col: int, end_col: int
) -> Exception:
    shown = format_range(
        sheet.title, start_row, end_row, start_col, end_col, always_quote=True
    )
    return bad_request(
        f"Range ({shown}) exceeds grid limits. Max rows: {sheet.row_count}, "
        f"max columns: {sheet.column_count}"
    )


def check_cell_limit(spreadsheet: Spreadsheet, added: int) -> None:
    if spreadsheet.cell_count() + added > MAX_CELLS:
        raise bad_request(
            "This action would increase the number of cells in the workbook above "
            f"the limit of {MAX_CELLS} cells."
        )
