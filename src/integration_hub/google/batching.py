"""Cutting a large write into the fewest Sheets requests the size guidance allows.

Google recommends request bodies of at most 2 MB. Rows are serialised once; the
bodies are then filled greedily, row by row, in the caller's order: a body is cut
only when the next row would not fit, so the request count is the payload size
divided by the limit, rounded up (give or take the few bytes of range headers per
cut). A range whose rows span several bodies is written as row slices of itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from integration_hub.google.a1 import A1Range, RangeError, parse_a1
from integration_hub.google.schemas import DateCell, DateTimeCell

DEFAULT_LIMIT_BYTES = 2_000_000
SHEETS_EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class WriteRange:
    range: A1Range
    values: Sequence[Sequence[Any]]


@dataclass
class Extent:
    """The furthest row and column a write reaches on one sheet."""

    rows: int = 0
    columns: int = 0


@dataclass
class WritePlan:
    bodies: list[bytes]
    extents: dict[str | None, Extent] = field(default_factory=dict)
    rows: int = 0
    cells: int = 0
    # Where date cells landed: (sheet, column, kind) -> row numbers, so that the
    # serial numbers sent for them can be given a date format afterwards.
    dates: dict[tuple[str | None, int, str], list[int]] = field(default_factory=dict)


def parse_ranges(
    data: Sequence[tuple[str, Sequence[Sequence[Any]]]],
) -> list[WriteRange]:
    ranges = []
    for text, values in data:
        parsed = parse_a1(text)
        _check_fits(text, parsed, values)
        ranges.append(WriteRange(parsed, values))
    return ranges


def _check_fits(text: str, parsed: A1Range, values: Sequence[Sequence[Any]]) -> None:
    """Refuse values that overflow a bounded range; a single cell is an anchor."""
    if (parsed.start_row, parsed.start_col) == (parsed.end_row, parsed.end_col):
        return
    start_row, start_col = parsed.start_row or 1, parsed.start_col or 1
    if parsed.end_row is not None and start_row + len(values) - 1 > parsed.end_row:
        raise RangeError(
            f"range {text!r} holds {parsed.end_row - start_row + 1} row(s) but "
            f"{len(values)} were sent"
        )
    if parsed.end_col is not None:
        width = max((len(row) for row in values), default=0)
        if start_col + width - 1 > parsed.end_col:
            raise RangeError(
                f"range {text!r} holds {parsed.end_col - start_col + 1} column(s) "
                f"but a row of {width} was sent"
            )


def plan_writes(
    ranges: Sequence[WriteRange],
    value_input_option: str,
    *,
    limit_bytes: int = DEFAULT_LIMIT_BYTES,
) -> WritePlan:
    head = (
        '{"valueInputOption":'
        + json.dumps(value_input_option)
        + ',"includeValuesInResponse":false,"data":['
    ).encode()
    plan = WritePlan(bodies=[])
    builder = _BodyBuilder(head, limit_bytes, plan.bodies)
    for write in ranges:
        _plan_range(write, builder, plan)
    builder.finish()
    return plan


def _plan_range(write: WriteRange, builder: _BodyBuilder, plan: WritePlan) -> None:
    start_row = write.range.start_row or 1
    start_col = write.range.start_col or 1
    extent = plan.extents.setdefault(write.range.sheet, Extent())
    for offset, row in enumerate(write.values):
        # orjson: serialising every row on its own is what lets the cuts fall
        # exactly on the size limit, and it is the hot loop of a large write.
        try:
            encoded = orjson.dumps(row)
        except TypeError:  # a date cell, which JSON has no type for
            row, encoded = _with_serial_dates(row, start_row + offset, write, plan)
        builder.add(write, start_row + offset, len(row), encoded)
        extent.rows = max(extent.rows, start_row + offset)
        extent.columns = max(extent.columns, start_col + len(row) - 1)
        plan.cells += len(row)
    plan.rows += len(write.values)
    builder.close_piece()


def _with_serial_dates(
    row: Sequence[Any], row_number: int, write: WriteRange, plan: WritePlan
) -> tuple[Sequence[Any], bytes]:
    """Replace date cells by Sheets serial numbers and note where they are."""
    start_col = write.range.start_col or 1
    converted: list[Any] = []
    for index, value in enumerate(row):
        serial = serial_of(value)
        if serial is None:
            converted.append(value)
            continue
        kind = "DATE" if isinstance(value, DateCell) else "DATE_TIME"
        key = (write.range.sheet, start_col + index, kind)
        plan.dates.setdefault(key, []).append(row_number)
        converted.append(serial)
    return converted, orjson.dumps(converted)


def serial_of(value: Any) -> float | None:
    """The Sheets serial number of a date cell (days since 1899-12-30), or None."""
    if isinstance(value, DateCell):
        return float((value.date - SHEETS_EPOCH.date()).days)
    if isinstance(value, DateTimeCell):
        moment = value.datetime.replace(tzinfo=None)
        return (moment - SHEETS_EPOCH).total_seconds() / 86_400
    return None


def date_runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Contiguous runs of row numbers, as (first, last)."""
    ordered = sorted(set(rows))
    first = previous = ordered[0]
    for number in ordered[1:]:
        if number != previous + 1:
            yield first, previous
            first = number
        previous = number
    yield first, previous


class _BodyBuilder:
    """Accumulates row slices (pieces) into bodies no larger than the limit."""

    PIECE_OVERHEAD = 120  # '{"range":"...","majorDimension":"ROWS","values":[' etc.

    def __init__(self, head: bytes, limit: int, out: list[bytes]) -> None:
        self.head, self.limit, self.out = head, limit, out
        self.pieces: list[bytes] = []
        self.size = len(head) + 2
        self.rows: list[bytes] = []
        self.piece_write: WriteRange | None = None
        self.piece_first = 0
        self.piece_width = 0

    def add(
        self, write: WriteRange, row_number: int, width: int, encoded: bytes
    ) -> None:
        cost = len(encoded) + 1 + (self.PIECE_OVERHEAD if not self.rows else 0)
        if self.rows and self.size + cost > self.limit:
            self.close_piece()
            self.flush()
            cost = len(encoded) + 1 + self.PIECE_OVERHEAD
        if not self.rows:
            self.piece_write, self.piece_first, self.piece_width = write, row_number, 0
        self.rows.append(encoded)
        self.piece_width = max(self.piece_width, width, 1)
        self.size += cost

    def close_piece(self) -> None:
        if not self.rows or self.piece_write is None:
            return
        cells = self.piece_write.range.rows(
            self.piece_first, len(self.rows), self.piece_width
        )
        self.pieces.append(
            b'{"range":'
            + json.dumps(cells).encode()
            + b',"majorDimension":"ROWS","values":['
            + b",".join(self.rows)
            + b"]}"
        )
        self.rows = []

    def flush(self) -> None:
        if self.pieces:
            self.out.append(self.head + b",".join(self.pieces) + b"]}")
        self.pieces = []
        self.size = len(self.head) + 2

    def finish(self) -> None:
        self.close_piece()
        self.flush()
