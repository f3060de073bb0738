"""Spreadsheets and Drive files as the emulator stores them."""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from integration_hub.sandbox.google.cells import Stored, is_empty, make, parts, render
from integration_hub.sandbox.google.tokens import subject

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
MAX_CELLS = 10_000_000
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"

# Turns one input value into a stored cell, given what the cell held before.
Converter = Callable[[Any, Stored], Stored]


@dataclass
class Sheet:
    """One grid; ``rows`` holds only rows up to the last one written, each only
    up to its last written column."""

    sheet_id: int
    title: str
    index: int = 0
    row_count: int = DEFAULT_ROWS
    column_count: int = DEFAULT_COLUMNS
    hidden: bool = False
    grid_extra: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    rows: list[list[Stored]] = field(default_factory=list)

    def properties(self) -> dict[str, Any]:
        grid = {"rowCount": self.row_count, "columnCount": self.column_count}
        props: dict[str, Any] = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": grid | self.grid_extra,
        }
        if self.hidden:
            props["hidden"] = True
        return props | self.extra

    def clone(self) -> Sheet:
        twin = copy.copy(self)
        twin.grid_extra = copy.deepcopy(self.grid_extra)
        twin.extra = copy.deepcopy(self.extra)
        # Cells are immutable, so copying the row lists is a full copy.
        twin.rows = [row.copy() for row in self.rows]
        return twin

    def cell(self, row: int, col: int) -> Stored:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def write(
        self, start_row: int, start_col: int, block: list[list[Any]], convert: Converter
    ) -> None:
        """Write rows of input values; None leaves a cell as it was."""
        needed = start_row + len(block)
        if len(self.rows) < needed:
            self.rows.extend([] for _ in range(needed - len(self.rows)))
        for offset, values in enumerate(block):
            if values:
                self._write_row(
                    self.rows[start_row + offset], start_col, values, convert
                )

    @staticmethod
    def _write_row(
        row: list[Stored], start: int, values: list[Any], convert: Converter
    ) -> None:
        end = start + len(values)
        if len(row) < end:
            row.extend([None] * (end - len(row)))
        for col, value in enumerate(values, start):
            if value is not None:
                row[col] = convert(value, row[col])

    def write_plain(
        self, start_row: int, start_col: int, block: list[list[Any]]
    ) -> bool:
        """Fast path for RAW input of plain values into unformatted cells.

        Answers False (having written nothing) when any row needs the slow path.
        """
        for offset, values in enumerate(block):
            if None in values or "" in values:
                return False
            row = (
                self.rows[start_row + offset]
                if start_row + offset < len(self.rows)
                else []
            )
            target = row[start_col : start_col + len(values)]
            if any(type(c) is not str and not _plain(c) for c in target):
                return False
        needed = start_row + len(block)
        if len(self.rows) < needed:
            self.rows.extend([] for _ in range(needed - len(self.rows)))
        for offset, values in enumerate(block):
            row = self.rows[start_row + offset]
            if len(row) < start_col:
                row.extend([None] * (start_col - len(row)))
            row[start_col : start_col + len(values)] = values
        return True

    def clear(self, start_row: int, end_row: int, start_col: int, end_col: int) -> None:
        """Remove values, keeping formats, as values.clear does."""
        for row in self.rows[start_row:end_row]:
            for col in range(start_col, min(end_col, len(row))):
                row[col] = make(None, None, parts(row[col])[2])

    def read(
        self,
        start_row: int,
        end_row: int,
        start_col: int,
        end_col: int,
        option: str = "FORMATTED_VALUE",
        date_option: str = "SERIAL_NUMBER",
    ) -> list[list[Any]]:
        """Rendered values, trailing empty cells and rows dropped."""
        out: list[list[Any]] = []
        for row in self.rows[start_row:end_row]:
            out.append(_rendered(row[start_col:end_col], option, date_option))
        while out and not out[-1]:
            out.pop()
        return out

    def last_row_with_data(self, start_row: int, start_col: int, end_col: int) -> int:
        """Index of the last row at or after ``start_row`` holding data in the
        columns, or ``start_row - 1`` when there is none."""
        for index in range(len(self.rows) - 1, start_row - 1, -1):
            if self.row_has_data(index, start_col, end_col):
                return index
        return start_row - 1

    def row_has_data(self, index: int, start_col: int, end_col: int) -> bool:
        segment = self.rows[index][start_col:end_col] if index < len(self.rows) else []
        return any(not is_empty(c) and parts(c)[0:2] != (None, None) for c in segment)

    def iter_rows(self, start: int, end: int) -> Iterator[list[Stored]]:
        for index in range(start, end):
            yield self.rows[index] if index < len(self.rows) else []


def _plain(stored: Stored) -> bool:
    return stored is None or type(stored) in (int, float, bool)


def _rendered(segment: list[Stored], option: str, date_option: str) -> list[Any]:
    if option == "FORMATTED_VALUE":
        values = [
            c if type(c) is str else render(c, option, date_option) for c in segment
        ]
    else:
        values = [
            c if type(c) in (str, int) else render(c, option, date_option)
            for c in segment
        ]
    while values and (values[-1] == "" or values[-1] is None):
        values.pop()
    return values


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[Sheet]
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    extra: dict[str, Any] = field(default_factory=dict)

    def properties(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "locale": self.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": self.time_zone,
            "defaultFormat": DEFAULT_FORMAT,
        } | self.extra

    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"

    def clone(self) -> Spreadsheet:
        twin = copy.copy(self)
        twin.extra = copy.deepcopy(self.extra)
        twin.sheets = [sheet.clone() for sheet in self.sheets]
        return twin

    def by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        # Sheets matches sheet names without regard to case.
        for sheet in self.sheets:
            if sheet.title.lower() == title.lower():
                return sheet
        return None

    def by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def first_visible(self) -> Sheet:
        return next((s for s in self.sheets if not s.hidden), self.sheets[0])

    def cell_count(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets)

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet.index = index

    def new_sheet_id(self) -> int:
        taken = {s.sheet_id for s in self.sheets}
        while True:
            candidate = secrets.randbelow(2**31 - 1)
            if candidate not in taken:
                return candidate


DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
    },
}


@dataclass
class Permission:
    permission_id: str
    type: str
    role: str
    email_address: str | None = None
    domain: str | None = None
    allow_file_discovery: bool | None = None
    expiration_time: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "drive#permission",
            "id": self.permission_id,
            "type": self.type,
            "role": self.role,
        }
        optional = {
            "emailAddress": self.email_address,
            "domain": self.domain,
            "allowFileDiscovery": self.allow_file_discovery,
            "expirationTime": self.expiration_time,
        }
        return data | {k: v for k, v in optional.items() if v is not None}


@dataclass
class DriveFile:
    file_id: str
    name: str
    mime_type: str
    owner: str
    created: str
    modified: str
    parents: list[str] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    spreadsheet: Spreadsheet | None = None
    extra: dict[str, Any] = field(default_factory=dict)


WRITER_ROLES = frozenset({"owner", "organizer", "fileOrganizer", "writer"})


class FileStore:
    """Every file of every sandbox account; a spreadsheet is a file with a grid."""

    def __init__(self) -> None:
        self.files: dict[str, DriveFile] = {}

    def create(
        self,
        owner: str,
        name: str,
        mime_type: str,
        sheets: list[Sheet] | None = None,
    ) -> DriveFile:
        file_id = secrets.token_urlsafe(33)
        now = rfc3339_now()
        record = DriveFile(file_id, name, mime_type, owner, now, now, ["root"])
        record.permissions.append(
            Permission(permission_id(owner), "user", "owner", email_address=owner)
        )
        if mime_type == SPREADSHEET_MIME:
            grid = sheets or [Sheet(sheet_id=0, title="Sheet1")]
            record.spreadsheet = Spreadsheet(file_id, name, grid)
            record.spreadsheet.reindex()
        self.files[file_id] = record
        return record

    def role(self, record: DriveFile, account: str) -> str | None:
        """The strongest role ``account`` holds on the file, if any."""
        domain = account.rpartition("@")[2].lower()
        roles = [
            p.role
            for p in record.permissions
            if p.type == "anyone"
            or (p.email_address or "").lower() == account.lower()
            or (p.type == "domain" and (p.domain or "").lower() == domain)
        ]
        for role in ("owner", "organizer", "fileOrganizer", "writer", "commenter"):
            if role in roles:
                return role
        return "reader" if roles else None

    def touch(self, record: DriveFile) -> None:
        record.modified = rfc3339_now()


def permission_id(account: str) -> str:
    """Drive's permission ids for users are stable numbers per account."""
    return subject(account)[:20]


def rfc3339_now() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
