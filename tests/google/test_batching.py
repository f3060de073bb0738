from __future__ import annotations

import json
import math

import pytest

from integration_hub.google.a1 import RangeError, parse_a1, quote_sheet
from integration_hub.google.batching import parse_ranges, plan_writes


class TestA1:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Sheet1!A1:B2", ("Sheet1", 1, 1, 2, 2)),
            ("A1", (None, 1, 1, 1, 1)),
            ("Sheet1", ("Sheet1", None, None, None, None)),
            ("'My ''odd'' sheet'!A:A", ("My 'odd' sheet", 1, None, 1, None)),
            ("Data!1:2", ("Data", None, 1, None, 2)),
            ("Data!A5:A", ("Data", 1, 5, 1, None)),
            ("'A1'", ("A1", None, None, None, None)),
            ("Data!AA10:ZZ20", ("Data", 27, 10, 702, 20)),
        ],
    )
    def test_parses_every_form(self, text: str, expected: tuple[object, ...]) -> None:
        """Quoted names, open ranges, whole rows and columns, sheet-only ranges."""
        r = parse_a1(text)

        assert (r.sheet, r.start_col, r.start_row, r.end_col, r.end_row) == expected

    @pytest.mark.parametrize(
        ("text", "where"),
        [
            ("Sheet1!A1:B$", "position 12"),
            ("'Unclosed!A1", "never closed"),
            ("Sheet1!A0", "rows start at 1"),
            ("Sheet1!B2:A1", "end column"),
            ("Sheet1!", "empty cell"),
            ("", "give a range"),
        ],
    )
    def test_errors_say_where(self, text: str, where: str) -> None:
        """A malformed range is a 422 that says what and where."""
        with pytest.raises(RangeError, match=where) as error:
            parse_a1(text)

        assert error.value.status_code == 422

    def test_quotes_only_when_needed(self) -> None:
        """Plain names stay bare; spaces, quotes and cell-like names are quoted."""
        assert quote_sheet("Sheet1") == "Sheet1"
        assert quote_sheet("My Sheet") == "'My Sheet'"
        assert quote_sheet("it's") == "'it''s'"
        assert quote_sheet("A1") == "'A1'"


class TestPlanWrites:
    def test_large_write_uses_the_fewest_bodies(self) -> None:
        """Bodies are filled to the limit: count = ceil(payload / limit)."""
        rows = [[f"cell-{r}-{c}" for c in range(20)] for r in range(20_000)]
        limit = 500_000

        plan = plan_writes(
            parse_ranges([("Sheet1!A1", rows)]), "RAW", limit_bytes=limit
        )

        total = sum(len(body) for body in plan.bodies)
        assert len(plan.bodies) == math.ceil(total / limit)
        assert all(len(body) <= limit for body in plan.bodies)
        assert plan.cells == 400_000

    def test_slices_reassemble_to_the_original_rows(self) -> None:
        """Every row lands exactly once, at its own row number, in order."""
        rows = [[r, f"text {r}", r % 2 == 0] for r in range(5_000)]

        plan = plan_writes(
            parse_ranges([("'Big Sheet'!B3", rows)]), "RAW", limit_bytes=20_000
        )

        seen: list[list[object]] = []
        for body in plan.bodies:
            parsed = json.loads(body)
            assert parsed["valueInputOption"] == "RAW"
            for piece in parsed["data"]:
                first = parse_a1(piece["range"])
                assert first.sheet == "Big Sheet"
                assert first.start_col == 2
                assert first.start_row == 3 + len(seen)
                seen += piece["values"]
        assert seen == rows

    def test_extents_cover_every_sheet_written(self) -> None:
        """The plan knows how far each sheet must reach, for growing the grid."""
        plan = plan_writes(
            parse_ranges(
                [("A!C10", [[1, 2, 3]] * 5), ("B!A1", [[1] * 30]), ("A!A1", [[1]])]
            ),
            "USER_ENTERED",
        )

        assert (plan.extents["A"].rows, plan.extents["A"].columns) == (14, 5)
        assert (plan.extents["B"].rows, plan.extents["B"].columns) == (1, 30)

    def test_values_overflowing_a_bounded_range_are_refused(self) -> None:
        """More rows than a bounded range holds is a 422 before any call."""
        with pytest.raises(RangeError, match="holds 2 row"):
            parse_ranges([("Sheet1!A1:B2", [[1, 2]] * 3)])
