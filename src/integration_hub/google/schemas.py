from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DateCell(BaseModel):
    """A date, written as a date whatever the value input option."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date


class DateTimeCell(BaseModel):
    """A date and time (wall-clock: Sheets has no time zones per cell)."""

    model_config = ConfigDict(extra="forbid")

    datetime: dt.datetime


# What a cell may hold on the way in: Sheets' own value types, plus dates, which
# JSON cannot tell from text. None leaves the cell as it is; "" clears it.
CellValue = str | int | float | bool | None | DateCell | DateTimeCell
ValueInputOption = Literal["RAW", "USER_ENTERED"]
MAX_CELL_CHARS = 50_000


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connection_id: uuid.UUID | None = Field(
        None, description="Which Google connection; optional when you have one."
    )


class CreateSpreadsheet(_Request):
    title: str = Field(min_length=1, max_length=1000)
    sheets: list[str] = Field(
        default_factory=lambda: ["Sheet1"], min_length=1, max_length=200
    )
    header: list[CellValue] | None = Field(None, max_length=18_278)
    rows: list[list[CellValue]] = Field(default_factory=list)


class SheetOut(BaseModel):
    sheet_id: int
    title: str
    row_count: int
    column_count: int


class SpreadsheetOut(BaseModel):
    spreadsheet_id: str
    url: str
    title: str
    sheets: list[SheetOut]
    upstream_calls: int = Field(description="Provider requests this call made.")


class ValueRangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    range: str = Field(min_length=1, max_length=1000, examples=["Sheet1!A1"])
    values: list[list[CellValue]]


class BatchWrite(_Request):
    """Values as in Sheets' values.batchUpdate; a cell may also be
    ``{"date": "2024-01-05"}`` or ``{"datetime": "2024-01-05T10:30:00"}``, which
    is written as a date in either value input option."""

    spreadsheet_id: str = Field(min_length=1, max_length=200)
    data: list[ValueRangeIn] = Field(min_length=1, max_length=10_000)
    value_input_option: ValueInputOption = Field(
        "RAW",
        description=(
            "RAW (default) stores values as sent, so '=...' stays text; "
            "USER_ENTERED parses them as if typed (formulas, dates)."
        ),
    )


class BatchWriteOut(BaseModel):
    spreadsheet_id: str
    updated_rows: int
    updated_cells: int
    upstream_calls: int = Field(description="Provider requests this write made.")
    requests_for_values: int = Field(description="values.batchUpdate requests sent.")
    grid_grown: bool


class AppendRows(_Request):
    range: str = Field("Sheet1", min_length=1, max_length=1000)
    values: list[list[CellValue]] = Field(min_length=1)
    value_input_option: ValueInputOption = "RAW"


class ValuesOut(BaseModel):
    range: str
    major_dimension: str = "ROWS"
    values: list[list[CellValue]]


class AddSheet(_Request):
    title: str = Field(min_length=1, max_length=100)
    rows: int = Field(1000, ge=1, le=10_000_000)
    columns: int = Field(26, ge=1, le=18_278)


class ClearRange(_Request):
    range: str = Field(min_length=1, max_length=1000)


class ShareSpreadsheet(_Request):
    type: Literal["user", "group", "domain", "anyone"] = "user"
    role: Literal["reader", "commenter", "writer"] = "reader"
    email: str | None = Field(None, max_length=320)
    domain: str | None = Field(None, max_length=255)
    notify: bool = False


class PermissionOut(BaseModel):
    permission_id: str
    type: str
    role: str
