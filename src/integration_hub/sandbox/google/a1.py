"""A1 (and R1C1) range notation as the Sheets API reads and writes it."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COLUMNS = 18_278  # ZZZ: the widest a Google sheet can be
_CELL = re.compile(r"([A-Za-z]{0,3})([0-9]*)")
_R1C1 = re.compile(r"[Rr]([0-9]+)[Cc]([0-9]+)(?::[Rr]([0-9]+)[Cc]([0-9]+))?")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]+[Cc][0-9]+")


class A1Error(ValueError):
    """The text is not a range the Sheets API would accept."""


@dataclass(frozen=True)
class A1Range:
    """A parsed range; None bounds are open (to the grid's edge).

    Rows and columns are 0-based, ends exclusive. ``sheet`` None means the first
    visible sheet.
    """

    sheet: str | None
    start_row: int = 0
    end_row: int | None = None
    start_col: int = 0
    end_col: int | None = None

    def bounded(self, rows: int, cols: int) -> tuple[int, int, int, int]:
        """Concrete (start_row, end_row, start_col, end_col), open ends at the grid."""
        end_row = rows if self.end_row is None else self.end_row
        end_col = cols if self.end_col is None else self.end_col
        return self.start_row, end_row, self.start_col, end_col


@dataclass(frozen=True)
class _Point:
    col: int | None
    row: int | None


def parse_range(text: str, *, allow_r1c1: bool = False) -> A1Range:
    sheet, ref = _split_sheet(text)
    if ref is None:
        return A1Range(sheet)
    if sheet is None and not _looks_like_ref(ref, allow_r1c1):
        # An unquoted name that is not a reference names a whole sheet.
        return A1Range(ref)
    if ref == "":
        return A1Range(sheet)
    return _parse_ref(sheet, ref, allow_r1c1)


def _split_sheet(text: str) -> tuple[str | None, str | None]:
    """(sheet name or None, reference text or None)."""
    if text.startswith("'"):
        name, rest = _quoted_name(text)
        if rest == "":
            return name, None
        if not rest.startswith("!"):
            raise A1Error(text)
        return name, rest[1:]
    if "!" in text:
        name, _, ref = text.partition("!")
        if not name:
            raise A1Error(text)
        return name, ref
    return None, text


def _quoted_name(text: str) -> tuple[str, str]:
    """Read ``'It''s'`` style names; answers the name and what follows it."""
    chars: list[str] = []
    index = 1
    while index < len(text):
        char = text[index]
        if char != "'":
            chars.append(char)
            index += 1
        elif text[index + 1 : index + 2] == "'":
            chars.append("'")
            index += 2
        else:
            return "".join(chars), text[index + 1 :]
    raise A1Error(text)


def _looks_like_ref(ref: str, allow_r1c1: bool) -> bool:
    try:
        _parse_ref(None, ref, allow_r1c1)
    except A1Error:
        return False
    return True


def _parse_ref(sheet: str | None, ref: str, allow_r1c1: bool) -> A1Range:
    if allow_r1c1 and (match := _R1C1.fullmatch(ref)):
        return _r1c1_range(sheet, match)

    first, colon, second = ref.partition(":")
    start = _point(first)
    if not colon:
        if start.col is None or start.row is None:
            raise A1Error(ref)
        return A1Range(sheet, start.row, start.row + 1, start.col, start.col + 1)
    end = _point(second)
    if (start.col is None) != (end.col is None) and (start.row is None) != (
        end.row is None
    ):
        raise A1Error(ref)
    return _ordered(sheet, start, end)


def _point(text: str) -> _Point:
    match = _CELL.fullmatch(text)
    if match is None or text == "":
        raise A1Error(text)
    letters, digits = match.groups()
    col = column_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if row is not None and row < 0:
        raise A1Error(text)
    if col is not None and col >= MAX_COLUMNS:
        raise A1Error(text)
    return _Point(col, row)


def _ordered(sheet: str | None, start: _Point, end: _Point) -> A1Range:
    rows = _span(start.row, end.row)
    cols = _span(start.col, end.col)
    return A1Range(sheet, rows[0], rows[1], cols[0], cols[1])


def _span(first: int | None, last: int | None) -> tuple[int, int | None]:
    if first is None and last is None:
        return 0, None
    if last is None:
        return first or 0, None
    if first is None:
        return 0, last + 1
    return min(first, last), max(first, last) + 1


def _r1c1_range(sheet: str | None, match: re.Match[str]) -> A1Range:
    numbers = [int(g) for g in match.groups() if g is not None]
    if 0 in numbers:
        raise A1Error(match.string)
    row1, col1 = numbers[0], numbers[1]
    row2, col2 = (numbers[2], numbers[3]) if len(numbers) == 4 else (row1, col1)
    return A1Range(
        sheet,
        min(row1, row2) - 1,
        max(row1, row2),
        min(col1, col2) - 1,
        max(col1, col2),
    )


def column_index(letters: str) -> int:
    """0-based index of column letters (``A`` is 0, ``AA`` is 26)."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def column_letters(index: int) -> str:
    """Letters of a 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def quote_sheet(title: str, *, always: bool = False) -> str:
    """The title as it must appear before ``!``; quoted only when needed."""
    if not always and _PLAIN_NAME.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(
    title: str,
    start_row: int,
    end_row: int,
    start_col: int,
    end_col: int,
    *,
    always_quote: bool = False,
) -> str:
    """``Sheet1!A1:B2`` (or ``Sheet1!A1`` for one cell), as Google echoes ranges."""
    first = column_letters(start_col) + str(start_row + 1)
    last = column_letters(max(end_col - 1, start_col)) + str(
        max(end_row, start_row + 1)
    )
    cells = first if first == last else first + ":" + last
    return quote_sheet(title, always=always_quote) + "!" + cells
