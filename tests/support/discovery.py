"""Check request bodies against the discovery documents shipped with
google-api-python-client: unknown fields, wrong types, bad enum values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient  # type: ignore[import-untyped, unused-ignore]

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@dataclass(frozen=True)
class Method:
    http_method: str
    pattern: re.Pattern[str]
    request_schema: str | None


@dataclass(frozen=True)
class Api:
    schemas: dict[str, Any]
    methods: tuple[Method, ...]

    def request_schema(self, http_method: str, path: str) -> str | None:
        """The body schema of the method serving ``path``; KeyError when none does."""
        for method in self.methods:
            if method.http_method == http_method and method.pattern.fullmatch(path):
                return method.request_schema
        raise KeyError(f"{http_method} {path}")


@cache
def load(name: str) -> Api:
    document = json.loads((DOCUMENTS / f"{name}.json").read_text())
    methods = [
        Method(
            m["httpMethod"],
            _pattern(document["servicePath"] + m["path"]),
            m.get("request", {}).get("$ref"),
        )
        for m in _methods(document)
    ]
    # Literal paths first, so that ``values:batchGet`` beats ``values/{range}``.
    methods.sort(key=lambda m: m.pattern.pattern.count("("))
    return Api(document["schemas"], tuple(methods))


def _methods(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(resource.get("methods", {}).values())
    for child in resource.get("resources", {}).values():
        found += _methods(child)
    return found


def _pattern(template: str) -> re.Pattern[str]:
    regex = ""
    for literal, name in re.findall(r"([^{]*)(?:\{\+?([^}]*)\})?", template):
        regex += re.escape(literal)
        if name:
            regex += "([^/]+)"
    return re.compile(regex)


def problems(api: Api, schema: str, body: Any) -> list[str]:
    """Every way ``body`` breaks ``schema``; empty when it is valid."""
    found: list[str] = []
    _walk(api, {"$ref": schema}, body, "", found)
    return found


def _walk(
    api: Api, spec: dict[str, Any], value: Any, path: str, found: list[str]
) -> None:
    if "$ref" in spec:
        spec = api.schemas[spec["$ref"]]
    if value is None:
        return
    kind = spec.get("type", "any")
    if kind == "object":
        _walk_object(api, spec, value, path, found)
    elif kind == "array":
        if not isinstance(value, list):
            found.append(f"{path}: expected a list, got {value!r}")
            return
        for index, item in enumerate(value):
            _walk(api, spec["items"], item, f"{path}[{index}]", found)
    elif not _scalar_ok(spec, value):
        found.append(f"{path}: {value!r} is not a valid {kind}")


def _walk_object(
    api: Api, spec: dict[str, Any], value: Any, path: str, found: list[str]
) -> None:
    if not isinstance(value, dict):
        found.append(f"{path}: expected an object, got {value!r}")
        return
    properties = spec.get("properties", {})
    extra = spec.get("additionalProperties")
    for key, item in value.items():
        if key in properties:
            _walk(api, properties[key], item, f"{path}.{key}", found)
        elif extra is not None:
            _walk(api, extra, item, f"{path}.{key}", found)
        else:
            found.append(f"{path}.{key}: unknown field")


def _scalar_ok(spec: dict[str, Any], value: Any) -> bool:
    kind = spec.get("type", "any")
    if "enum" in spec:
        return value in spec["enum"]
    if kind == "string":
        # int64 and similar arrive as JSON strings, but numbers are tolerated.
        return isinstance(value, str) or (
            spec.get("format") in ("int64", "uint64") and isinstance(value, int)
        )
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True
