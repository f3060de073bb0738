"""The discovery-document check that guards every accepted request body."""

from __future__ import annotations

import gspread
import pytest

from tests.sandbox.google.conftest import discovery_problems
from tests.support import discovery
from tests.support.recording import AcceptedBody, BodyRecorder


def test_validator_flags_unknown_fields_types_and_enums() -> None:
    """The validator reports unknown names, wrong types and bad enum values."""
    api = discovery.load("sheets.v4")
    body = {"range": 5, "majorDimension": "DIAGONAL", "colour": "red"}

    found = discovery.problems(api, "ValueRange", body)

    assert len(found) == 3


def test_validator_accepts_nulls_and_nested_requests() -> None:
    """Nulls count as unset and nested batchUpdate requests are walked."""
    api = discovery.load("sheets.v4")
    body = {
        "requests": [
            {"addSheet": {"properties": {"title": "x", "gridProperties": None}}},
            {"repeatCell": {"range": {"sheetId": 0}, "fields": "userEnteredFormat"}},
        ]
    }

    assert discovery.problems(api, "BatchUpdateSpreadsheetRequest", body) == []


def test_recorder_sees_bodies_from_real_clients(
    gc: gspread.Client, recorder: BodyRecorder
) -> None:
    """Bodies gspread sends are recorded, so the per-test check is not vacuous."""
    start = len(recorder.accepted)
    spreadsheet = gc.create("Recorded")
    spreadsheet.sheet1.update([["a", 1]], "A1:B1")
    spreadsheet.share(
        "friend@example.com", perm_type="user", role="reader", notify=False
    )

    recorded = recorder.accepted[start:]

    assert {(r.api, r.method) for r in recorded} >= {
        ("drive.v3", "POST"),
        ("sheets.v4", "PUT"),
    }
    assert all(discovery_problems(r) == [] for r in recorded)


def test_emulator_schema_is_a_subset_of_discovery() -> None:
    """Every field and enum value the Sheets emulator accepts exists in discovery."""
    from integration_hub.sandbox.google.schemas import ENUMS, SHEETS

    api = discovery.load("sheets.v4")
    for name, fields in SHEETS.items():
        known = api.schemas[name]["properties"]
        assert set(fields) <= set(known), name
        for field, spec in fields.items():
            if spec.startswith("E:"):
                assert set(ENUMS[spec[2:]]) <= set(known[field]["enum"]), field


@pytest.mark.parametrize("api", ["sheets.v4", "drive.v3"])
def test_unknown_method_is_reported(api: str) -> None:
    """A body sent to a path no discovery method serves cannot pass unnoticed."""
    with pytest.raises(KeyError):
        discovery_problems(AcceptedBody(api, "POST", "nowhere", {}))
