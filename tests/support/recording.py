"""An ASGI wrapper that keeps the JSON bodies the Google emulators accepted.

Test-only: it buffers bodies, which the sandbox itself must never do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CHECKED_PREFIXES = {
    "/sandbox/google/sheets/": "sheets.v4",
    "/sandbox/google/www/": "drive.v3",
}


@dataclass
class AcceptedBody:
    api: str
    method: str
    path: str
    body: Any


@dataclass
class BodyRecorder:
    app: ASGIApp
    accepted: list[AcceptedBody] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = _api(scope)
        if api is None:
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        status = 0

        async def keeping_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, keeping_receive, status_send)
        raw = b"".join(chunks)
        if 200 <= status < 300 and raw.strip():
            prefix = next(p for p in CHECKED_PREFIXES if scope["path"].startswith(p))
            path = scope["path"][len(prefix) :]
            self.accepted.append(
                AcceptedBody(api, scope["method"], path, json.loads(raw))
            )


def _api(scope: Scope) -> str | None:
    if scope["type"] != "http":
        return None
    for prefix, api in CHECKED_PREFIXES.items():
        if scope["path"].startswith(prefix):
            return api
    return None
