"""The one way the hub calls a provider API.

Every call: waits for pacing capacity, gets a valid access token from the vault,
sends with explicit timeouts, refreshes once on a 401, classifies the answer
(transient or request error), retries transient failures of idempotent calls
with capped exponential backoff and jitter, honouring Retry-After, all within
the call's deadline, and reports each attempt to the metrics.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2
import stamina
import structlog

from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.upstream.errors import (
    TransientUpstreamError,
    UpstreamRequestError,
)
from integration_hub.upstream.pacing import Budget, Pacer

TIMEOUT = httpx2.Timeout(connect=5.0, read=60.0, write=60.0, pool=10.0)
POOL = httpx2.Limits(max_connections=100, max_keepalive_connections=20)
# Google asks clients to cap exponential backoff at 32 or 64 seconds.
MAX_BACKOFF = 64.0
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

log = structlog.get_logger("integration_hub.upstream")


class MetricsSink(Protocol):
    def upstream_call(
        self,
        *,
        provider: str,
        operation: str,
        status: int | None,
        duration_s: float,
        retries: int = 0,
    ) -> None: ...

    def retry(self, *, provider: str, operation: str, reason: str) -> None: ...

    def throttled(
        self, *, provider: str, scope: str, retry_after: float | None
    ) -> None: ...

    def limiter_wait(self, *, provider: str, scope: str, seconds: float) -> None: ...

    def cache(self, *, provider: str, operation: str, hit: bool) -> None: ...


@dataclass(frozen=True)
class Caller:
    """Who a call is made for, and by when it must be done."""

    user_id: uuid.UUID
    connection_id: uuid.UUID
    deadline: float  # time.monotonic()
    request_id: str | None = None

    @classmethod
    def within(
        cls,
        seconds: float,
        user_id: uuid.UUID,
        connection_id: uuid.UUID,
        request_id: str | None = None,
    ) -> Caller:
        return cls(user_id, connection_id, time.monotonic() + seconds, request_id)

    def left(self) -> float:
        return self.deadline - time.monotonic()


@dataclass
class Call:
    """One logical provider call, possibly sent several times."""

    method: str
    url: str
    operation: str
    budgets: list[Budget]
    cost: int = 1
    idempotent: bool = False
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    authenticated: bool = True


class UpstreamClient:
    """Pooled HTTP to one provider, with the hub's retry and pacing policy."""

    def __init__(
        self,
        provider: str,
        runtime: ConnectionRuntime,
        pacer: Pacer,
        metrics: MetricsSink,
        *,
        retry_initial: float = 1.0,
        retry_max: float = MAX_BACKOFF,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.runtime = runtime
        self.pacer = pacer
        self.metrics = metrics
        self.http = httpx2.AsyncClient(
            timeout=TIMEOUT, limits=POOL, transport=transport, follow_redirects=False
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, caller: Caller, call: Call) -> httpx2.Response:
        """Send ``call``, retrying what is safe to retry, within the deadline."""
        attempts = 0
        retry_on = _retry_hook(call.idempotent, caller.deadline)
        timeout = max(caller.left(), 0.001)
        async for attempt in stamina.retry_context(
            on=retry_on,
            attempts=None,
            timeout=timeout,
            wait_initial=self.retry_initial,
            wait_max=self.retry_max,
            wait_jitter=self.retry_initial,
        ):
            with attempt:
                if attempts:
                    self.metrics.retry(
                        provider=self.provider,
                        operation=call.operation,
                        reason="transient",
                    )
                attempts += 1
                return await self._attempt(caller, call, retries=attempts - 1)
        raise AssertionError("unreachable: stamina either returns or raises")

    async def _attempt(
        self, caller: Caller, call: Call, *, retries: int
    ) -> httpx2.Response:
        waited = await self.pacer.acquire(
            call.budgets, cost=call.cost, deadline=caller.deadline
        )
        if waited > 0.001:
            self.metrics.limiter_wait(
                provider=self.provider, scope=call.budgets[0].scope, seconds=waited
            )

        token = await self._token(caller, call, rejected=None)
        response = await self._send_once(call, token, retries)
        if response.status_code == 401 and call.authenticated:
            # One refresh-and-retry: the token may have been revoked or rotated.
            await response.aclose()
            token = await self._token(caller, call, rejected=token)
            response = await self._send_once(call, token, retries)
        return await self._classify(call, response)

    async def _token(
        self, caller: Caller, call: Call, rejected: str | None
    ) -> str | None:
        if not call.authenticated:
            return None
        return await self.runtime.tokens.access_token(
            caller.user_id, caller.connection_id, rejected=rejected
        )

    async def _send_once(
        self, call: Call, token: str | None, retries: int
    ) -> httpx2.Response:
        headers = dict(call.headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        try:
            response = await self.http.request(
                call.method,
                call.url,
                params=call.params,
                json=call.json,
                content=call.content,
                headers=headers,
            )
        except httpx2.TransportError as exc:
            self._observe(call, None, started, retries)
            raise TransientUpstreamError(
                f"{self.provider} did not answer {call.operation} "
                f"({type(exc).__name__})",
                provider=self.provider,
                endpoint=call.url,
            ) from exc
        self._observe(call, response.status_code, started, retries)
        return response

    def _observe(
        self, call: Call, status: int | None, started: float, retries: int
    ) -> None:
        duration = time.perf_counter() - started
        self.metrics.upstream_call(
            provider=self.provider,
            operation=call.operation,
            status=status,
            duration_s=duration,
            retries=retries,
        )
        log.debug(
            "upstream.call",
            provider=self.provider,
            operation=call.operation,
            status=status,
            duration_ms=round(duration * 1000, 2),
            attempt=retries + 1,
        )

    async def _classify(self, call: Call, response: httpx2.Response) -> httpx2.Response:
        status = response.status_code
        if status < 400:
            return response

        body = await _text(response)
        if status in TRANSIENT_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if status == 429:
                await self._throttled(call, retry_after)
            raise TransientUpstreamError(
                f"{self.provider} answered {status} to {call.operation}",
                provider=self.provider,
                endpoint=call.url,
                upstream_status=status,
                body=body,
                retry_after=retry_after,
            )
        raise UpstreamRequestError(
            f"{self.provider} refused {call.operation} with {status}: {_message(body)}",
            provider=self.provider,
            endpoint=call.url,
            upstream_status=status,
            body=body,
        )

    async def _throttled(self, call: Call, retry_after: float | None) -> None:
        # Google sends no Retry-After with its quota 429s; its guidance is to
        # back off, and a whole window is the safe pause.
        pause = retry_after if retry_after is not None else call.budgets[0].window
        for budget in call.budgets:
            await self.pacer.pause(budget.scope, pause)
        self.metrics.throttled(
            provider=self.provider, scope=call.budgets[0].scope, retry_after=retry_after
        )
        log.warning(
            "upstream.throttled",
            provider=self.provider,
            operation=call.operation,
            retry_after=retry_after,
        )


def _retry_hook(
    idempotent: bool, deadline: float
) -> Callable[[Exception], bool | float]:
    """Decide on a retry; returns a wait in seconds to override the backoff.

    It closes over plain values only: stamina keeps the hook in a reference
    cycle, and holding the call would keep its (possibly large) body alive.
    """

    def hook(exc: Exception) -> bool | float:
        if not isinstance(exc, TransientUpstreamError) or not idempotent:
            return False
        if exc.retry_after is None:
            return True
        # Wait out Retry-After exactly (plus a little jitter), but only when the
        # deadline allows; otherwise fail now, not late.
        wait = exc.retry_after + random.uniform(0.0, 0.25)  # noqa: S311
        return wait if wait < deadline - time.monotonic() else False

    return hook


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now, given as seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def _text(response: httpx2.Response) -> str:
    await response.aread()
    return response.text


def _message(body: str) -> str:
    """The provider's own error message, if the body is its error JSON."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return body[:200]
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)[:300]
    return str(error)[:300]
