"""Drive's ``q`` search language (the common subset) and ``fields`` selection."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from integration_hub.sandbox.google.errors import GoogleApiError
from integration_hub.sandbox.google.workbook import DriveFile

Predicate = Callable[[DriveFile, str], bool]

_STRING = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"""
_FIELD_OP = re.compile(
    r"\s*(name|mimeType|fullText)\s*(=|!=|contains)\s*" + _STRING + r"\s*", re.I
)
_IN_PARENTS = re.compile(r"\s*" + _STRING + r"\s+in\s+parents\s*", re.I)
_PARENTS_IN = re.compile(r"\s*parents\s+in\s+" + _STRING + r"\s*", re.I)
_IN_OWNERS = re.compile(r"\s*" + _STRING + r"\s+in\s+owners\s*", re.I)
_TRASHED = re.compile(r"\s*trashed\s*(=|!=)\s*(true|false)\s*", re.I)


def invalid_query(query: str) -> GoogleApiError:
    return GoogleApiError(
        400,
        "Invalid Value",
        reason="invalid",
        extra={"location": "q", "locationType": "parameter"},
    )


def parse_query(query: str) -> list[Predicate]:
    """One predicate per ``and``-joined clause; other operators are not emulated."""
    if not query.strip():
        return []
    return [_clause(part, query) for part in re.split(r"\s+and\s+", query, flags=re.I)]


def _text(match: re.Match[str], first: int) -> str:
    raw = (
        match.group(first) if match.group(first) is not None else match.group(first + 1)
    )
    return re.sub(r"\\(.)", r"\1", raw)


def _clause(part: str, query: str) -> Predicate:
    if match := _FIELD_OP.fullmatch(part):
        return _field_predicate(match.group(1), match.group(2).lower(), _text(match, 3))
    for pattern in (_IN_PARENTS, _PARENTS_IN):
        if match := pattern.fullmatch(part):
            parent = _text(match, 1)
            return lambda f, _me: parent in f.parents
    if match := _IN_OWNERS.fullmatch(part):
        owner = _text(match, 1)
        return lambda f, me: f.owner == (me if owner == "me" else owner)
    if match := _TRASHED.fullmatch(part):
        wanted = (match.group(2).lower() == "true") == (match.group(1) == "=")
        return lambda f, _me: wanted is False
    raise invalid_query(query)


def _field_predicate(field: str, operator: str, value: str) -> Predicate:
    def actual(record: DriveFile) -> str:
        return record.mime_type if field.lower() == "mimetype" else record.name

    if operator == "contains":
        return lambda f, _me: value.lower() in actual(f).lower()
    if operator == "!=":
        return lambda f, _me: actual(f) != value
    return lambda f, _me: actual(f) == value


def select(data: dict[str, Any], fields: str) -> dict[str, Any]:
    """Keep only the requested fields (``a,b(c,d),e/f``); ``*`` keeps all."""
    selected: dict[str, Any] = {}
    for item in _split_top(fields):
        if item == "*":
            return data
        name, sub = _name_and_sub(item)
        if name not in data:
            continue
        value = data[name]
        if sub and isinstance(value, list):
            value = [select(v, sub) if isinstance(v, dict) else v for v in value]
        elif sub and isinstance(value, dict):
            value = select(value, sub)
        selected[name] = value
    return selected


def _name_and_sub(item: str) -> tuple[str, str]:
    if "(" in item and item.endswith(")"):
        name, _, rest = item.partition("(")
        return name.strip(), rest[:-1]
    name, _, rest = item.partition("/")
    return name.strip(), rest


def _split_top(fields: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in fields:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    return [item for item in items if item]
