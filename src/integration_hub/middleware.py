"""Pure ASGI middleware: request ids and one log line per request.

Pure ASGI rather than ``BaseHTTPMiddleware`` so that streamed bodies (large
uploads) pass through without being buffered.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
# Request state key under which handlers leave headers for the response, e.g. the
# rate-limit budget, which must reach responses that endpoints build themselves.
EXTRA_HEADERS = "extra_response_headers"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")

log = structlog.get_logger("integration_hub.http")


class RequestContextMiddleware:
    """Give every request an id (the caller's if sane), bind it, log the outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                    *state.get(EXTRA_HEADERS, ()),
                ]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                log.info(
                    "http.request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _SAFE_REQUEST_ID.match(value):
            return bytes(value).decode()
    return uuid.uuid4().hex


class SandboxMiddleware:
    """Hand every ``/sandbox/...`` request to the emulators, untouched.

    The emulators own their paths below ``/sandbox`` exactly as the real hosts
    own theirs, so they are served beside the hub rather than mounted in it.
    """

    def __init__(self, app: ASGIApp, sandbox: ASGIApp) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/sandbox/"):
            await self.sandbox(scope, receive, send)
        else:
            await self.app(scope, receive, send)
