"""Cell contents: how input is stored, and how stored cells are rendered.

A cell is stored as its bare value (str, int, float, bool) whenever it has no
formula and no format, so that a 100,000-row sheet costs little more than its
values. Only formula or formatted cells become :class:`Cell` objects.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Value = str | int | float | bool
EPOCH = dt.datetime(1899, 12, 30)  # day 0 of spreadsheet serial numbers
MAX_CELL_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell with a formula or a format. Immutable: shared by drafts safely."""

    value: Value | None
    formula: str | None = None
    fmt: dict[str, Any] | None = None


Stored = Value | Cell | None


def make(
    value: Value | None, formula: str | None, fmt: dict[str, Any] | None
) -> Stored:
    if formula is None and not fmt:
        return value
    return Cell(value, formula, fmt or None)


def parts(stored: Stored) -> tuple[Value | None, str | None, dict[str, Any] | None]:
    if isinstance(stored, Cell):
        return stored.value, stored.formula, stored.fmt
    return stored, None, None


def is_empty(stored: Stored) -> bool:
    return stored is None or (stored == "" and not isinstance(stored, Cell))


# --- input -------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?")
_DATE_FORMS: tuple[tuple[str, str, str], ...] = (
    ("%Y-%m-%d", "DATE", "yyyy-mm-dd"),
    ("%m/%d/%Y", "DATE", "M/d/yyyy"),
    ("%Y-%m-%d %H:%M:%S", "DATE_TIME", "yyyy-mm-dd hh:mm:ss"),
    ("%Y-%m-%d %H:%M", "DATE_TIME", "yyyy-mm-dd hh:mm"),
    ("%Y-%m-%dT%H:%M:%S", "DATE_TIME", "yyyy-mm-dd hh:mm:ss"),
    ("%m/%d/%Y %H:%M:%S", "DATE_TIME", "M/d/yyyy H:mm:ss"),
    ("%H:%M:%S", "TIME", "h:mm:ss am/pm"),
    ("%H:%M", "TIME", "h:mm am/pm"),
)


def user_entered(
    value: Value, fmt: dict[str, Any] | None
) -> tuple[Value | None, str | None, dict[str, Any] | None]:
    """Parse input as the Sheets UI would: (value, formula, format)."""
    if not isinstance(value, str):
        return value, None, fmt
    if value.startswith("="):
        return evaluate(value), value, fmt
    if value.startswith("'"):
        return value[1:], None, fmt
    text = value.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None, fmt
    number = _number(text)
    if (
        number is not None
        and text.endswith("%")
        and not (fmt or {}).get("numberFormat")
    ):
        percent = {"type": "PERCENT", "pattern": "0.00%" if "." in text else "0%"}
        return number, None, (fmt or {}) | {"numberFormat": percent}
    if number is not None:
        return number, None, fmt
    return _date(text, value, fmt)


def _number(text: str) -> int | float | None:
    percent = text.endswith("%")
    body = text[:-1] if percent else text
    body = body.replace("$", "", 1) if body.lstrip("-+").startswith("$") else body
    if not body or not _NUMBER.fullmatch(body) or not any(c.isdigit() for c in body):
        return None
    number = float(body.replace(",", ""))
    if percent:
        return number / 100
    return int(number) if number.is_integer() and "." not in body else number


# Cheap test first: strptime is far too slow to try on every string of a big write.
_DATE_HINT = re.compile(r"\d{1,4}[-/:]\d")


def _date(
    text: str, original: str, fmt: dict[str, Any] | None
) -> tuple[Value | None, str | None, dict[str, Any] | None]:
    if not _DATE_HINT.match(text):
        return original, None, fmt
    for pattern, kind, sheet_pattern in _DATE_FORMS:
        try:
            moment = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        if kind == "TIME":
            serial = (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400
        else:
            serial = to_serial(moment)
        if fmt and "numberFormat" in fmt:
            return serial, None, fmt
        number_format = {"type": kind, "pattern": sheet_pattern}
        return serial, None, (fmt or {}) | {"numberFormat": number_format}
    return original, None, fmt


def to_serial(moment: dt.datetime) -> int | float:
    delta = moment - EPOCH
    serial = delta.days + delta.seconds / 86400
    return int(serial) if float(serial).is_integer() else serial


_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def evaluate(formula: str) -> Value | None:
    """The value of a constant formula (``=1+2``, ``="a"``); None when it is not one.

    The emulator does not compute references or functions: such formulas keep no
    value, and readers get an empty string for them outside FORMULA rendering.
    """
    try:
        tree = ast.parse(formula[1:].replace("^", "**"), mode="eval")
        result = _constant(tree.body)
    except (SyntaxError, ValueError, ArithmeticError, TypeError, RecursionError):
        return None
    if isinstance(result, float) and result.is_integer():
        return int(result)
    return result


def _constant(node: ast.AST) -> Value:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _constant(node.left), _constant(node.right)
        if not isinstance(left, int | float) or not isinstance(right, int | float):
            raise ValueError("not arithmetic")
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ValueError("too large")
        result: Value = _OPERATORS[type(node.op)](left, right)
        return result
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        operand = _constant(node.operand)
        if not isinstance(operand, int | float):
            raise ValueError("not arithmetic")
        negated: Value = _OPERATORS[type(node.op)](operand)
        return negated
    raise ValueError("not a constant")


# --- output ------------------------------------------------------------------


def render(stored: Stored, option: str, date_option: str) -> Any:
    """A cell as values.get returns it for the given render options."""
    value, formula, fmt = parts(stored)
    if option == "FORMULA" and formula is not None:
        return formula
    number_format = (fmt or {}).get("numberFormat") or {}
    if option == "FORMATTED_VALUE":
        return formatted(value, number_format)
    is_date = number_format.get("type") in ("DATE", "TIME", "DATE_TIME")
    if is_date and date_option == "FORMATTED_STRING" and not isinstance(value, bool):
        return formatted(value, number_format)
    if value is None:
        return ""
    return _json_number(value)


def _json_number(value: Value) -> Value:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def formatted(value: Value | None, number_format: dict[str, Any]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    kind = number_format.get("type")
    if kind in ("DATE", "TIME", "DATE_TIME"):
        return _format_date(value, number_format.get("pattern", ""), kind)
    if kind == "PERCENT":
        return f"{value * 100:g}%"
    return general_number(value)


def general_number(value: int | float) -> str:
    """Sheets' automatic number format, close enough: no trailing zeros."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.10g}"


_DATE_TOKEN = re.compile(r"yyyy|mm|dd|hh|ss|am/pm|M|d|H|h|.", re.DOTALL)
_HOURS = ("hh", "H", "h")


def _format_date(serial: int | float, pattern: str, kind: str) -> str:
    try:
        moment = EPOCH + dt.timedelta(days=serial)
    except OverflowError:
        return general_number(serial)
    out: list[str] = []
    after_hour = False
    for piece in _DATE_TOKEN.findall(pattern):
        # "mm" is minutes right after an hour, months anywhere else.
        out.append(_date_part(moment, piece, after_hour))
        after_hour = piece in _HOURS or (after_hour and piece == ":")
    return "".join(out)


def _date_part(moment: dt.datetime, token: str, after_hour: bool) -> str:
    hour12 = moment.hour % 12 or 12
    parts = {
        "yyyy": f"{moment.year:04d}",
        "mm": f"{moment.minute:02d}" if after_hour else f"{moment.month:02d}",
        "dd": f"{moment.day:02d}",
        "M": str(moment.month),
        "d": str(moment.day),
        "hh": f"{moment.hour:02d}",
        "H": str(moment.hour),
        "h": str(hour12),
        "ss": f"{moment.second:02d}",
        "am/pm": "AM" if moment.hour < 12 else "PM",
    }
    return parts.get(token, token)


def check_input(value: Any) -> str | None:
    """Why a ValueRange value cannot go into a cell, or None when it can."""
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            return (
                "Your input contains more than the maximum of 50000 characters "
                "in a single cell."
            )
        return None
    if value is None or isinstance(value, bool | int | float):
        return None
    return "invalid"
