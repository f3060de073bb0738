"""A1 and R1C1 range parsing, unit level."""

from __future__ import annotations

import pytest

from integration_hub.sandbox.google.a1 import (
    A1Error,
    A1Range,
    column_index,
    column_letters,
    format_range,
    parse_range,
    quote_sheet,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1", A1Range(None, 0, 1, 0, 1)),
        ("Sheet1!A1:B2", A1Range("Sheet1", 0, 2, 0, 2)),
        ("Sheet1!A:A", A1Range("Sheet1", 0, None, 0, 1)),
        ("Sheet1!1:2", A1Range("Sheet1", 0, 2, 0, None)),
        ("Sheet1!A5:A", A1Range("Sheet1", 4, None, 0, 1)),
        ("Sheet1", A1Range("Sheet1")),
        ("'My Sheet'!A:A", A1Range("My Sheet", 0, None, 0, 1)),
        ("'It''s'!B2", A1Range("It's", 1, 2, 1, 2)),
        ("'A1'", A1Range("A1")),
        ("'Sheet1'", A1Range("Sheet1")),
        ("B2:A1", A1Range(None, 0, 2, 0, 2)),
        ("a1:b2", A1Range(None, 0, 2, 0, 2)),
        ("Sheet1!ZZZ1", A1Range("Sheet1", 0, 1, 18277, 18278)),
    ],
)
def test_parses_a1_forms(text: str, expected: A1Range) -> None:
    """Each documented A1 form parses to the expected bounds."""
    assert parse_range(text) == expected


def test_r1c1_only_where_allowed() -> None:
    """R1C1 is read for get and clear, and otherwise names a sheet."""
    assert parse_range("R2C3:R4C1", allow_r1c1=True) == A1Range(None, 1, 4, 0, 3)
    assert parse_range("R2C3", allow_r1c1=False) == A1Range("R2C3")


@pytest.mark.parametrize("text", ["'unterminated", "'Sheet1'A1", "Sheet1!A0", "!A1"])
def test_rejects_malformed_ranges(text: str) -> None:
    """Broken quoting, row zero and empty sheet names are errors."""
    with pytest.raises(A1Error):
        parse_range(text)


def test_open_ranges_close_at_the_grid() -> None:
    """Open ends take the grid's size."""
    assert parse_range("A5:B").bounded(1000, 26) == (4, 1000, 0, 2)


def test_column_letters_round_trip() -> None:
    """Column letters and indexes convert both ways up to ZZZ."""
    for index in (0, 25, 26, 701, 702, 18277):
        assert column_index(column_letters(index)) == index
    assert column_letters(26) == "AA"


def test_sheet_names_quoted_only_when_needed() -> None:
    """Plain names stay bare; spaces, quotes and cell-like names are quoted."""
    assert quote_sheet("Sheet1") == "Sheet1"
    assert quote_sheet("My Sheet") == "'My Sheet'"
    assert quote_sheet("It's") == "'It''s'"
    assert quote_sheet("AB12") == "'AB12'"
    assert format_range("Data", 0, 1, 0, 1) == "Data!A1"
    assert format_range("Data", 0, 10, 1, 3) == "Data!B1:C10"
