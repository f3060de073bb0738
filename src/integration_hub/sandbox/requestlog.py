"""The sandbox request log: what each emulator received, never a credential."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from integration_hub.sandbox.base import Provider

# Headers worth seeing when debugging a client; Authorization is deliberately absent.
LOGGED_HEADERS = (
    "content-type",
    "content-length",
    "content-range",
    "user-agent",
    "accept",
    "x-goog-api-client",
    "if-match",
    "prefer",
)

# Query parameters whose values are secrets (Google's revoke takes ``?token=``).
SECRET_PARAMS = frozenset(
    {"token", "access_token", "refresh_token", "id_token", "code", "client_secret"}
    | {"code_verifier", "assertion", "key"}
)


@dataclass
class LoggedRequest:
    """One request; ``status`` stays None until (unless) a response starts."""

    sequence: int
    time: float
    provider: Provider
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body_size: int = 0
    status: int | None = None
    fault: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data


class RequestLog:
    """Append-only, in arrival order; sequence numbers start at 1 and never repeat."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._sequence = itertools.count(1)

    def start(
        self,
        provider: Provider,
        method: str,
        path: str,
        query: str,
        raw_headers: Iterable[tuple[bytes, bytes]],
    ) -> LoggedRequest:
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in raw_headers
        }
        entry = LoggedRequest(
            sequence=next(self._sequence),
            time=time.time(),
            provider=provider,
            method=method,
            path=path,
            query=redact_query(query),
            headers={k: headers[k] for k in LOGGED_HEADERS if k in headers},
        )
        self._entries.append(entry)
        return entry

    def since(self, provider: Provider | None, since: int) -> list[LoggedRequest]:
        return [
            entry
            for entry in self._entries
            if entry.sequence > since and provider in (None, entry.provider)
        ]

    def clear(self) -> None:
        """Drop the entries but keep counting, so a poller's ``since`` stays valid."""
        self._entries.clear()


def redact_query(query: str) -> str:
    """The query string with every secret parameter's value replaced."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in SECRET_PARAMS for name, _ in pairs):
        return query
    return urlencode(
        [(n, "[redacted]" if n.lower() in SECRET_PARAMS else v) for n, v in pairs]
    )
