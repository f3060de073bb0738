"""A1 notation, as the hub needs it: parse, check, and cut ranges into pieces.

Only what the caller sends is parsed here; Google stays the authority on what a
range means. Parsing up front gives callers a 422 that says where a range is
wrong, and lets the hub split a large write into row slices of the same range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from integration_hub.errors import ValidationFailedError

MAX_COLUMNS = 18_278  # ZZZ
MAX_ROWS = 10_000_000
_CELL = re.compile(r"([A-Za-z]{0,3})(\d{0,8})")


class RangeError(ValidationFailedError):
    code = "invalid_range"


@dataclass(frozen=True)
class A1Range:
    """A parsed range; 1-based, inclusive; None where the range is open."""

    sheet: str | None
    start_col: int | None
    start_row: int | None
    end_col: int | None
    end_row: int | None

    def rows(self, first: int, count: int, width: int) -> str:
        """The range covering ``count`` rows from row ``first``, ``width`` wide."""
        col = self.start_col or 1
        last = first + count - 1
        cells = f"{column_letters(col)}{first}:{column_letters(col + width - 1)}{last}"
        return f"{quote_sheet(self.sheet)}!{cells}" if self.sheet else cells


def parse_a1(text: str) -> A1Range:
    if not text or len(text) > 1000:
        raise RangeError(f"range {text!r}: give a range such as Sheet1!A1:C10")
    sheet, cells, offset = _split_sheet(text)
    if cells is None:
        return A1Range(sheet, None, None, None, None)

    start, sep, end = cells.partition(":")
    first = _cell(text, start, offset)
    last = _cell(text, end, offset + len(start) + 1) if sep else first
    if sep == "" and (first[0] is None or first[1] is None):
        raise RangeError(f"range {text!r}: a single cell needs a column and a row")
    range_ = A1Range(sheet, first[0], first[1], last[0], last[1])
    _check_order(text, range_)
    return range_


def _split_sheet(text: str) -> tuple[str | None, str | None, int]:
    if text.startswith("'"):
        name, position = _quoted_name(text)
        rest = text[position:]
        if rest == "":
            return name, None, position
        if not rest.startswith("!"):
            raise RangeError(
                f"range {text!r}: expected '!' after the quoted sheet name at "
                f"position {position + 1}"
            )
        return name, rest[1:], position + 1
    if "!" in text:
        name, _, cells = text.partition("!")
        if not name:
            raise RangeError(f"range {text!r}: the sheet name before '!' is empty")
        return name, cells, len(name) + 1
    if _CELL.fullmatch(text.partition(":")[0]) and _looks_like_cells(text):
        return None, text, 0
    return text, None, len(text)


def _looks_like_cells(text: str) -> bool:
    return all(_CELL.fullmatch(part) and part for part in text.split(":")) and (
        text.count(":") <= 1
    )


def _quoted_name(text: str) -> tuple[str, int]:
    name, position = [], 1
    while position < len(text):
        char = text[position]
        if char == "'":
            if text[position + 1 : position + 2] == "'":
                name.append("'")
                position += 2
                continue
            if not name:
                raise RangeError(f"range {text!r}: the quoted sheet name is empty")
            return "".join(name), position + 1
        name.append(char)
        position += 1
    raise RangeError(f"range {text!r}: the quoted sheet name is never closed")


def _cell(text: str, part: str, offset: int) -> tuple[int | None, int | None]:
    match = _CELL.fullmatch(part)
    if match is None or part == "":
        bad = next((i for i, c in enumerate(part) if not c.isalnum()), len(part) - 1)
        raise RangeError(
            f"range {text!r}: unexpected {part[bad : bad + 1]!r} at position "
            f"{offset + bad + 1}"
            if part
            else f"range {text!r}: empty cell reference"
        )
    letters, digits = match.groups()
    if letters and digits and part.index(digits) < len(letters):
        raise RangeError(f"range {text!r}: column letters come before the row")
    col = column_number(letters) if letters else None
    row = int(digits) if digits else None
    if row == 0:
        raise RangeError(f"range {text!r}: rows start at 1 (position {offset + 1})")
    if (col or 0) > MAX_COLUMNS or (row or 0) > MAX_ROWS:
        raise RangeError(f"range {text!r}: beyond the largest possible sheet")
    return col, row


def _check_order(text: str, r: A1Range) -> None:
    if r.start_col and r.end_col and r.end_col < r.start_col:
        raise RangeError(f"range {text!r}: the end column is left of the start")
    if r.start_row and r.end_row and r.end_row < r.start_row:
        raise RangeError(f"range {text!r}: the end row is above the start")


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def quote_sheet(name: str) -> str:
    """Quote a sheet name for A1 notation when it needs quoting."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and not _CELL.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"
