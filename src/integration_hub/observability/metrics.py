"""The hub's metrics: Prometheus collectors plus per-minute rollups for the database.

One :class:`Metrics` per hub process. Prometheus sees this process only, through
``GET /metrics``; the rollups are written to ``integration_metrics`` (see
``observability.tasks``) so that the JSON summaries survive restarts and add up
across instances. Every method is synchronous and cheap: callers are on the
request path.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from integration_hub.observability.rollup import (
    Rollup,
    RollupBook,
    RollupKey,
    minute_of,
)

PROMETHEUS_CONTENT_TYPE = CONTENT_TYPE_LATEST
_SECONDS_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
)  # fmt: skip
_RETRY_BUCKETS = (0, 1, 2, 3, 5, 8)
_INSTANCE_MAX = 64
# Pacing scopes may name a connection; one series per connection would grow
# without bound, so ids are folded into one label value.
_ID_IN_SCOPE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)


def new_instance_id() -> str:
    """Hostname, pid and a random part: unique even for a restarted pid."""
    suffix = f"-{os.getpid()}-{secrets.token_hex(4)}"
    return socket.gethostname()[: _INSTANCE_MAX - len(suffix)] + suffix


def scope_label(scope: str) -> str:
    """``google:sheets:read:user:<uuid>`` becomes ``google:sheets:read:user:{id}``."""
    return _ID_IN_SCOPE.sub("{id}", scope)


class Metrics:
    """Counters and histograms for upstream calls, caches, tokens and HTTP."""

    def __init__(
        self,
        *,
        instance: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.instance = instance or new_instance_id()
        self.rollups = RollupBook()
        self.clock = clock
        # Serialises flushes: the periodic one and those before a summary.
        self.flush_lock = asyncio.Lock()
        # A registry of its own, so that several hubs in one process (tests) do
        # not collide in the global one.
        self.registry = CollectorRegistry(auto_describe=True)
        self._upstream_collectors()
        self._http_collectors()

    def _upstream_collectors(self) -> None:
        registry = self.registry
        self._calls = Counter(
            "hub_upstream_requests",
            "Answers from providers (one per attempt), by status.",
            ["provider", "operation", "status"],
            registry=registry,
        )
        self._call_seconds = Histogram(
            "hub_upstream_request_duration_seconds",
            "Time from sending a provider request to its answer.",
            ["provider", "operation"],
            buckets=_SECONDS_BUCKETS,
            registry=registry,
        )
        self._call_retries = Histogram(
            "hub_upstream_request_retries",
            "How many attempts of the same call preceded each answer.",
            ["provider"],
            buckets=_RETRY_BUCKETS,
            registry=registry,
        )
        self._retries = Counter(
            "hub_upstream_retries",
            "Provider calls repeated, by reason.",
            ["provider", "operation", "reason"],
            registry=registry,
        )
        self._throttled = Counter(
            "hub_upstream_throttled",
            "Answers in which a provider asked the hub to slow down.",
            ["provider", "scope"],
            registry=registry,
        )
        self._retry_after = Histogram(
            "hub_upstream_retry_after_seconds",
            "Waits that throttling providers asked for.",
            ["provider"],
            buckets=_SECONDS_BUCKETS,
            registry=registry,
        )
        self._limiter_wait = Histogram(
            "hub_upstream_limiter_wait_seconds",
            "Time callers waited for the hub's own pacing of provider calls.",
            ["provider", "scope"],
            buckets=_SECONDS_BUCKETS,
            registry=registry,
        )
        self._cache = Counter(
            "hub_upstream_cache_lookups",
            "Cache lookups in front of provider reads, by result.",
            ["provider", "operation", "result"],
            registry=registry,
        )
        self._token_refreshes = Counter(
            "hub_token_refreshes",
            "OAuth access token refreshes, by outcome.",
            ["provider", "outcome"],
            registry=registry,
        )

    def _http_collectors(self) -> None:
        self._http_requests = Counter(
            "hub_http_requests",
            "Requests the hub answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self._http_seconds = Histogram(
            "hub_http_request_duration_seconds",
            "Time the hub took to answer, by route template.",
            ["method", "route"],
            buckets=_SECONDS_BUCKETS,
            registry=self.registry,
        )

    def upstream_call(
        self,
        *,
        provider: str,
        operation: str,
        status: int | None,
        duration_s: float,
        retries: int = 0,
    ) -> None:
        """One answer from a provider; ``status`` None is a transport failure.

        Record every attempt, retried or not, so that each 429 and error a
        provider sent is counted; ``retries`` is how many attempts of the same
        call came before this one.
        """
        label = "transport_error" if status is None else str(status)
        self._calls.labels(provider, operation, label).inc()
        self._call_seconds.labels(provider, operation).observe(duration_s)
        self._call_retries.labels(provider).observe(retries)
        self._rollup(provider, operation).add_call(status, duration_s * 1000)

    def retry(self, *, provider: str, operation: str, reason: str) -> None:
        """A call is about to be repeated; this is what the rollups count."""
        self._retries.labels(provider, operation, reason).inc()
        self._rollup(provider, operation).add_retry()

    def throttled(
        self, *, provider: str, scope: str, retry_after: float | None
    ) -> None:
        """The provider answered 429 or 503 asking the hub to slow down."""
        self._throttled.labels(provider, scope_label(scope)).inc()
        if retry_after is not None:
            self._retry_after.labels(provider).observe(retry_after)

    def limiter_wait(self, *, provider: str, scope: str, seconds: float) -> None:
        """A caller waited ``seconds`` for the hub's own pacing to let it through."""
        self._limiter_wait.labels(provider, scope_label(scope)).observe(seconds)

    def cache(self, *, provider: str, operation: str, hit: bool) -> None:
        self._cache.labels(provider, operation, "hit" if hit else "miss").inc()
        self._rollup(provider, operation).add_cache_lookup(hit=hit)

    def token_refresh(self, *, provider: str, outcome: str) -> None:
        self._token_refreshes.labels(provider, outcome).inc()

    def http_request(
        self, *, method: str, route: str, status: int, duration_s: float
    ) -> None:
        self._http_requests.labels(method, route, str(status)).inc()
        self._http_seconds.labels(method, route).observe(duration_s)

    def render(self) -> bytes:
        """The Prometheus text exposition of this process's collectors."""
        return generate_latest(self.registry)

    def _rollup(self, provider: str, operation: str) -> Rollup:
        return self.rollups.get(RollupKey(minute_of(self.clock()), provider, operation))
