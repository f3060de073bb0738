"""Fault injection in front of a provider's emulators, as pure ASGI middleware.

Bodies are never buffered: Microsoft upload sessions stream 150 MB through here.
"""

from __future__ import annotations

import math
import time
from typing import Any

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from integration_hub.sandbox.base import Behavior, Emulator
from integration_hub.sandbox.requestlog import LoggedRequest, RequestLog
from integration_hub.sandbox.state import SandboxState

# Longer than any sane client timeout, yet bounded so a forgotten request ends.
TIMEOUT_FAULT_SECONDS = 120.0


class FaultMiddleware:
    """Logs every request, then delays, throttles or fails it per the Behavior."""

    def __init__(
        self,
        app: ASGIApp,
        emulator: Emulator,
        state: SandboxState,
        log: RequestLog,
    ) -> None:
        self.app = app
        self.emulator = emulator
        self.state = state
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        entry = self.log.start(
            self.emulator.provider,
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            scope.get("headers", []),
        )
        receive, send = _observed(entry, receive, send)
        behavior = self.state.behavior(self.emulator.provider)

        if behavior.latency_ms:
            await anyio.sleep(behavior.latency_ms / 1000)

        if await self._throttled(scope, receive, send, behavior, entry):
            return
        if await self._failed(scope, receive, send, behavior, entry):
            return
        await self.app(scope, receive, send)

    async def _throttled(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        behavior: Behavior,
        entry: LoggedRequest,
    ) -> bool:
        throttle = behavior.throttle
        if throttle is None:
            return False

        caller = _caller_key(scope)
        throttled_until = self.state.throttled_until[behavior.provider]
        now = time.monotonic()
        until = throttled_until.get(caller, 0.0)
        if now < until:
            retry_after = math.ceil(until - now)
        elif self.state.rng(behavior.provider).random() < throttle.rate:
            retry_after = throttle.retry_after
            throttled_until[caller] = now + retry_after
        else:
            return False

        entry.fault = "throttle"
        request = Request(scope, receive)
        response = self.emulator.fault_response(request, 429, retry_after)
        response.headers.setdefault("retry-after", str(retry_after))
        await response(scope, receive, send)
        return True

    async def _failed(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        behavior: Behavior,
        entry: LoggedRequest,
    ) -> bool:
        rng = self.state.rng(behavior.provider)
        if not behavior.error_rate or not behavior.error_statuses:
            return False
        if rng.random() >= behavior.error_rate:
            return False

        fault = rng.choice(behavior.error_statuses)
        entry.fault = str(fault)
        if fault == "drop":
            await _drop(send)
        elif fault == "timeout":
            await _hang(receive)
        else:
            response = self.emulator.fault_response(
                Request(scope, receive), fault, None
            )
            await response(scope, receive, send)
        return True


def _caller_key(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            return "auth:" + bytes(value).decode("latin-1")
    client = scope.get("client")
    return "ip:" + (str(client[0]) if client else "unknown")


def _observed(
    entry: LoggedRequest, receive: Receive, send: Send
) -> tuple[Receive, Send]:
    """Wrap the channels to count body bytes and note the status actually sent."""

    async def counting_receive() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            entry.body_size += len(message.get("body", b""))
        return message

    async def recording_send(message: Message) -> None:
        if message["type"] == "http.response.start" and not message.get(
            "sandbox.dropped"
        ):
            entry.status = message["status"]
        await send(message)

    return counting_receive, recording_send


async def _drop(send: Send) -> None:
    """End the exchange without a usable response.

    ASGI cannot close a socket directly; promising a body and returning without it
    makes the server close the connection, which clients see as a dropped one.
    """
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-length", b"1024"), (b"connection", b"close")],
    }
    await send(_unlogged(start))


def _unlogged(message: dict[str, Any]) -> Message:
    # Marks a start that is not a real answer, so the log keeps status None.
    message["sandbox.dropped"] = True
    return message


async def _hang(receive: Receive) -> None:
    """Say nothing until the client gives up (or the bound passes)."""
    with anyio.move_on_after(TIMEOUT_FAULT_SECONDS):
        while (await receive())["type"] != "http.disconnect":
            pass
