"""CellData and GridData: the cell-level view used by spreadsheets.get and
batchUpdate's updateCells and repeatCell."""

from __future__ import annotations

from typing import Any

from integration_hub.sandbox.google.cells import (
    Stored,
    Value,
    evaluate,
    formatted,
    make,
    parts,
)
from integration_hub.sandbox.google.workbook import Sheet


def cell_data(stored: Stored) -> dict[str, Any]:
    value, formula, fmt = parts(stored)
    data: dict[str, Any] = {}
    if formula is not None:
        data["userEnteredValue"] = {"formulaValue": formula}
    elif value is not None:
        data["userEnteredValue"] = extended(value)
    if value is not None:
        data["effectiveValue"] = extended(value)
        number_format = (fmt or {}).get("numberFormat") or {}
        data["formattedValue"] = formatted(value, number_format)
    if fmt:
        data["userEnteredFormat"] = fmt
        data["effectiveFormat"] = fmt
    return data


def extended(value: Value) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


def grid_data(
    sheet: Sheet, start_row: int, end_row: int, start_col: int, end_col: int
) -> dict[str, Any]:
    row_data = []
    for row in sheet.iter_rows(start_row, min(end_row, len(sheet.rows))):
        values = [cell_data(c) for c in row[start_col:end_col]]
        while values and not values[-1]:
            values.pop()
        row_data.append({"values": values} if values else {})
    while row_data and not row_data[-1]:
        row_data.pop()
    data: dict[str, Any] = {}
    if start_row:
        data["startRow"] = start_row
    if start_col:
        data["startColumn"] = start_col
    if row_data:
        data["rowData"] = row_data
    return data


def from_cell_data(data: dict[str, Any], old: Stored, fields: list[str]) -> Stored:
    """Apply a CellData to a stored cell, touching only the masked fields."""
    value, formula, fmt = parts(old)
    if _masked(fields, "userEnteredValue"):
        value, formula = _entered(data.get("userEnteredValue"))
    for path in fields:
        if path == "*" or path == "userEnteredFormat":
            fmt = data.get("userEnteredFormat") or None
        elif path.startswith("userEnteredFormat."):
            fmt = _set_path(fmt, path.split(".")[1:], data.get("userEnteredFormat", {}))
    return make(value, formula, fmt)


def _masked(fields: list[str], name: str) -> bool:
    return "*" in fields or name in fields


def _entered(entered: dict[str, Any] | None) -> tuple[Value | None, str | None]:
    if not entered:
        return None, None
    if "formulaValue" in entered:
        formula = str(entered["formulaValue"])
        return evaluate(formula), formula
    for key in ("numberValue", "stringValue", "boolValue"):
        if key in entered:
            value: Value = entered[key]
            return value, None
    return None, None


def _set_path(
    fmt: dict[str, Any] | None, path: list[str], source: dict[str, Any]
) -> dict[str, Any] | None:
    """Copy one dotted field from ``source`` into a copy of ``fmt``."""
    result = dict(fmt or {})
    target, given = result, source
    for key in path[:-1]:
        given = given.get(key, {}) if isinstance(given, dict) else {}
        target[key] = dict(target.get(key) or {})
        target = target[key]
    if isinstance(given, dict) and path[-1] in given:
        target[path[-1]] = given[path[-1]]
    else:
        target.pop(path[-1], None)
    return result or None
