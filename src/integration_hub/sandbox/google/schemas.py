"""Request-body schemas of the emulated APIs, and Google-style checking of them.

A field spec is a scalar name (``string``, ``int32``, ``number``, ``bool``,
``value`` for a ValueRange cell, ``object`` for an accepted but unmodelled
message), ``E:Name`` for an enum, a capitalised message name, or any of those
prefixed by ``[]`` for a repeated field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from integration_hub.sandbox.google.errors import invalid_payload

SHEETS_TYPE_PREFIX = "type.googleapis.com/google.apps.sheets.v4."

_COLOR = {"red": "number", "green": "number", "blue": "number", "alpha": "number"}
_RANGE_BOUNDS = ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")

SHEETS: dict[str, dict[str, str]] = {
    "ValueRange": {
        "range": "string",
        "majorDimension": "E:Dimension",
        "values": "[][]value",
    },
    "BatchUpdateValuesRequest": {
        "valueInputOption": "E:ValueInputOption",
        "data": "[]ValueRange",
        "includeValuesInResponse": "bool",
        "responseValueRenderOption": "E:ValueRenderOption",
        "responseDateTimeRenderOption": "E:DateTimeRenderOption",
    },
    "BatchClearValuesRequest": {"ranges": "[]string"},
    "ClearValuesRequest": {},
    "Spreadsheet": {
        "spreadsheetId": "string",
        "properties": "SpreadsheetProperties",
        "sheets": "[]Sheet",
        "namedRanges": "[]object",
        "spreadsheetUrl": "string",
        "developerMetadata": "[]object",
    },
    "SpreadsheetProperties": {
        "title": "string",
        "locale": "string",
        "autoRecalc": "E:RecalculationInterval",
        "timeZone": "string",
        "defaultFormat": "CellFormat",
        "iterativeCalculationSettings": "object",
        "spreadsheetTheme": "object",
        "importFunctionsExternalUrlAccessAllowed": "bool",
    },
    "Sheet": {
        "properties": "SheetProperties",
        "data": "[]GridData",
        "merges": "[]GridRange",
        "conditionalFormats": "[]object",
        "filterViews": "[]object",
        "protectedRanges": "[]object",
        "basicFilter": "object",
        "charts": "[]object",
        "bandedRanges": "[]object",
        "developerMetadata": "[]object",
    },
    "SheetProperties": {
        "sheetId": "int32",
        "title": "string",
        "index": "int32",
        "sheetType": "E:SheetType",
        "gridProperties": "GridProperties",
        "hidden": "bool",
        "tabColor": "Color",
        "tabColorStyle": "ColorStyle",
        "rightToLeft": "bool",
    },
    "GridProperties": {
        "rowCount": "int32",
        "columnCount": "int32",
        "frozenRowCount": "int32",
        "frozenColumnCount": "int32",
        "hideGridlines": "bool",
        "rowGroupControlAfter": "bool",
        "columnGroupControlAfter": "bool",
    },
    "GridData": {
        "startRow": "int32",
        "startColumn": "int32",
        "rowData": "[]RowData",
        "rowMetadata": "[]object",
        "columnMetadata": "[]object",
    },
    "RowData": {"values": "[]CellData"},
    "CellData": {
        "userEnteredValue": "ExtendedValue",
        "effectiveValue": "ExtendedValue",
        "formattedValue": "string",
        "userEnteredFormat": "CellFormat",
        "effectiveFormat": "CellFormat",
        "hyperlink": "string",
        "note": "string",
        "textFormatRuns": "[]object",
        "dataValidation": "object",
    },
    "ExtendedValue": {
        "numberValue": "number",
        "stringValue": "string",
        "boolValue": "bool",
        "formulaValue": "string",
        "errorValue": "object",
    },
    "CellFormat": {
        "numberFormat": "NumberFormat",
        "backgroundColor": "Color",
        "backgroundColorStyle": "ColorStyle",
        "borders": "Borders",
        "padding": "Padding",
        "horizontalAlignment": "E:HorizontalAlign",
        "verticalAlignment": "E:VerticalAlign",
        "wrapStrategy": "E:WrapStrategy",
        "textDirection": "E:TextDirection",
        "textFormat": "TextFormat",
        "hyperlinkDisplayType": "E:HyperlinkDisplayType",
        "textRotation": "TextRotation",
    },
    "NumberFormat": {"type": "E:NumberFormatType", "pattern": "string"},
    "Color": _COLOR,
    "ColorStyle": {"rgbColor": "Color", "themeColor": "E:ThemeColorType"},
    "Borders": {
        "top": "Border",
        "bottom": "Border",
        "left": "Border",
        "right": "Border",
    },
    "Border": {
        "style": "E:Style",
        "width": "int32",
        "color": "Color",
        "colorStyle": "ColorStyle",
    },
    "Padding": {"top": "int32", "right": "int32", "bottom": "int32", "left": "int32"},
    "TextFormat": {
        "foregroundColor": "Color",
        "foregroundColorStyle": "ColorStyle",
        "fontFamily": "string",
        "fontSize": "int32",
        "bold": "bool",
        "italic": "bool",
        "strikethrough": "bool",
        "underline": "bool",
        "link": "Link",
    },
    "Link": {"uri": "string"},
    "TextRotation": {"angle": "int32", "vertical": "bool"},
    "BatchUpdateSpreadsheetRequest": {
        "requests": "[]Request",
        "includeSpreadsheetInResponse": "bool",
        "responseRanges": "[]string",
        "responseIncludeGridData": "bool",
    },
    "Request": {
        "addSheet": "AddSheetRequest",
        "deleteSheet": "DeleteSheetRequest",
        "updateSheetProperties": "UpdateSheetPropertiesRequest",
        "updateSpreadsheetProperties": "UpdateSpreadsheetPropertiesRequest",
        "appendDimension": "AppendDimensionRequest",
        "insertDimension": "InsertDimensionRequest",
        "deleteDimension": "DeleteDimensionRequest",
        "updateCells": "UpdateCellsRequest",
        "repeatCell": "RepeatCellRequest",
        "autoResizeDimensions": "AutoResizeDimensionsRequest",
    },
    "AddSheetRequest": {"properties": "SheetProperties"},
    "DeleteSheetRequest": {"sheetId": "int32"},
    "UpdateSheetPropertiesRequest": {
        "properties": "SheetProperties",
        "fields": "string",
    },
    "UpdateSpreadsheetPropertiesRequest": {
        "properties": "SpreadsheetProperties",
        "fields": "string",
    },
    "AppendDimensionRequest": {
        "sheetId": "int32",
        "dimension": "E:Dimension",
        "length": "int32",
    },
    "InsertDimensionRequest": {"range": "DimensionRange", "inheritFromBefore": "bool"},
    "DeleteDimensionRequest": {"range": "DimensionRange"},
    "DimensionRange": {
        "sheetId": "int32",
        "dimension": "E:Dimension",
        "startIndex": "int32",
        "endIndex": "int32",
    },
    "UpdateCellsRequest": {
        "start": "GridCoordinate",
        "range": "GridRange",
        "rows": "[]RowData",
        "fields": "string",
    },
    "GridCoordinate": {"sheetId": "int32", "rowIndex": "int32", "columnIndex": "int32"},
    "GridRange": {"sheetId": "int32"} | dict.fromkeys(_RANGE_BOUNDS, "int32"),
    "RepeatCellRequest": {"range": "GridRange", "cell": "CellData", "fields": "string"},
    "AutoResizeDimensionsRequest": {
        "dimensions": "DimensionRange",
        "dataSourceSheetDimensions": "object",
    },
}

ENUMS: dict[str, tuple[str, ...]] = {
    "Dimension": ("DIMENSION_UNSPECIFIED", "ROWS", "COLUMNS"),
    "ValueInputOption": ("INPUT_VALUE_OPTION_UNSPECIFIED", "RAW", "USER_ENTERED"),
    "ValueRenderOption": ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
    "DateTimeRenderOption": ("SERIAL_NUMBER", "FORMATTED_STRING"),
    "SheetType": ("SHEET_TYPE_UNSPECIFIED", "GRID", "OBJECT", "DATA_SOURCE"),
    "RecalculationInterval": (
        "RECALCULATION_INTERVAL_UNSPECIFIED",
        "ON_CHANGE",
        "MINUTE",
        "HOUR",
    ),
    "NumberFormatType": (
        "NUMBER_FORMAT_TYPE_UNSPECIFIED",
        "TEXT",
        "NUMBER",
        "PERCENT",
        "CURRENCY",
        "DATE",
        "TIME",
        "DATE_TIME",
        "SCIENTIFIC",
    ),
    "HorizontalAlign": ("HORIZONTAL_ALIGN_UNSPECIFIED", "LEFT", "CENTER", "RIGHT"),
    "VerticalAlign": ("VERTICAL_ALIGN_UNSPECIFIED", "TOP", "MIDDLE", "BOTTOM"),
    "WrapStrategy": (
        "WRAP_STRATEGY_UNSPECIFIED",
        "OVERFLOW_CELL",
        "LEGACY_WRAP",
        "CLIP",
        "WRAP",
    ),
    "TextDirection": ("TEXT_DIRECTION_UNSPECIFIED", "LEFT_TO_RIGHT", "RIGHT_TO_LEFT"),
    "HyperlinkDisplayType": (
        "HYPERLINK_DISPLAY_TYPE_UNSPECIFIED",
        "LINKED",
        "PLAIN_TEXT",
    ),
    "ThemeColorType": (
        "THEME_COLOR_TYPE_UNSPECIFIED",
        "TEXT",
        "BACKGROUND",
        *(f"ACCENT{n}" for n in range(1, 7)),
        "LINK",
    ),
    "Style": (
        "STYLE_UNSPECIFIED",
        "DOTTED",
        "DASHED",
        "SOLID",
        "SOLID_MEDIUM",
        "SOLID_THICK",
        "NONE",
        "DOUBLE",
    ),
}

# Drive (an older API) ignores fields it does not know; only known ones are typed.
DRIVE: dict[str, dict[str, str]] = {
    "File": {
        "name": "string",
        "mimeType": "string",
        "parents": "[]string",
        "description": "string",
        "starred": "bool",
    },
    "Permission": {
        "type": "string",
        "role": "string",
        "emailAddress": "string",
        "domain": "string",
        "allowFileDiscovery": "bool",
        "expirationTime": "string",
    },
}

_SCALAR_TYPES = {
    "string": "TYPE_STRING",
    "int32": "TYPE_INT32",
    "number": "TYPE_DOUBLE",
    "bool": "TYPE_BOOL",
}


def check_sheets(body: Any, message: str) -> dict[str, Any]:
    """The body with nulls dropped, or Google's 400 for what it cannot accept."""
    cleaned = _check(body, message, "", SHEETS, strict=True)
    assert isinstance(cleaned, dict)
    return cleaned


def check_drive(body: Any, message: str) -> dict[str, Any]:
    cleaned = _check(body, message, "", DRIVE, strict=False)
    assert isinstance(cleaned, dict)
    return cleaned


def _check(
    value: Any, spec: str, path: str, messages: dict[str, dict[str, str]], strict: bool
) -> Any:
    if spec == "[]value" and isinstance(value, list):
        return _check_cells(value, path)
    if spec.startswith("[]"):
        if not isinstance(value, list):
            raise _invalid(path, spec[2:], value)
        return [
            _check(item, spec[2:], f"{path}[{i}]", messages, strict)
            if item is not None or spec != "[]value"
            else None
            for i, item in enumerate(value)
        ]
    if spec in messages:
        return _check_message(value, spec, path, messages, strict)
    _check_scalar(value, spec, path)
    return value


def _check_cells(row: list[Any], path: str) -> list[Any]:
    """A ValueRange row, checked without a call per cell: rows can be huge."""
    if all(type(cell) in _CELL_TYPES for cell in row):
        return row
    for index, cell in enumerate(row):
        if type(cell) not in _CELL_TYPES:
            raise _invalid(f"{path}[{index}]", "google.protobuf.ListValue", cell)
    return row


_CELL_TYPES = frozenset({str, int, float, bool, type(None)})


def _check_message(
    value: Any, name: str, path: str, messages: dict[str, dict[str, str]], strict: bool
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(path, name, value)
    fields = messages[name]
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        field = key if key in fields else _camel(key)
        if field not in fields:
            if strict:
                raise _unknown(key, path)
            continue
        if item is None:  # JSON null means "not set"
            continue
        child = _join(path, field)
        cleaned[field] = _check(item, fields[field], child, messages, strict)
    return cleaned


def _check_scalar(value: Any, spec: str, path: str) -> None:
    if spec == "object":
        if not isinstance(value, dict):
            raise _invalid(path, "google.protobuf.Struct", value)
        return
    if spec == "value":
        if not isinstance(value, str | int | float | bool):
            raise _invalid(path, "google.protobuf.ListValue", value)
        return
    if spec.startswith("E:"):
        if value not in ENUMS[spec[2:]]:
            raise _invalid(path, SHEETS_TYPE_PREFIX + spec[2:], value)
        return
    if not _scalar_ok(value, spec):
        raise _invalid(path, _SCALAR_TYPES[spec], value)


def _scalar_ok(value: Any, spec: str) -> bool:
    if spec == "string":
        return isinstance(value, str)
    if spec == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if spec == "int32":
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        return isinstance(value, int) and -(2**31) <= value < 2**31
    return isinstance(value, int | float) or (
        isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity")
    )


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _join(path: str, field: str) -> str:
    return f"{path}.{_snake(field)}" if path else _snake(field)


def _unknown(key: str, path: str) -> Exception:
    where = f" at '{path}'" if path else ""
    return invalid_payload(
        f'Invalid JSON payload received. Unknown name "{key}"{where}: '
        "Cannot find field."
    )


def _invalid(path: str, type_name: str, value: Any) -> Exception:
    if type_name in SHEETS or type_name in DRIVE:
        type_name = SHEETS_TYPE_PREFIX + type_name
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return invalid_payload(f"Invalid value at '{path}' ({type_name}), {shown}")


def int32(value: Any) -> int:
    """An int32 field already checked by this module (JSON may carry it as text)."""
    return int(value)
