"""Fault injection in front of the emulators: errors, throttling, drops, delays."""

from __future__ import annotations

import time
from typing import Any

import httpx2 as httpx
import pytest

PROBE = "/sandbox/google/sheets/v4/spreadsheets/probe"


def behave(admin: httpx.Client, **changes: Any) -> None:
    answer = admin.put("/behavior", json={"provider": "google", **changes})
    assert answer.status_code == 200, answer.text


def statuses(http: httpx.Client, count: int) -> list[int]:
    return [http.get(PROBE).status_code for _ in range(count)]


def test_seeded_error_rate_is_reproducible(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """The same seed gives the same sequence of injected errors."""
    behave(admin, error_rate=0.5, error_statuses=[500, 503], seed=7)
    first = statuses(http, 30)
    behave(admin, seed=7)
    second = statuses(http, 30)

    assert first == second
    assert {500, 503} <= set(first)
    assert 401 in first  # the requests let through reach the emulator


def test_injected_error_has_googles_shape(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """An injected 503 is Google's JSON error and is logged with that status."""
    behave(admin, error_rate=1.0, error_statuses=[503])

    answer = http.get(PROBE)
    logged = admin.get("/requests").json()["items"][-1]

    assert answer.json()["error"]["status"] == "UNAVAILABLE"
    assert (logged["status"], logged["fault"]) == (503, "503")


def test_throttle_enforces_retry_after(admin: httpx.Client, http: httpx.Client) -> None:
    """A throttled caller keeps getting 429 until its Retry-After has passed."""
    behave(admin, throttle={"rate": 1.0, "retry_after": 1})
    first = http.get(PROBE, headers={"Authorization": "Bearer caller-a"})
    behave(admin, throttle={"rate": 0.0, "retry_after": 1})

    again = http.get(PROBE, headers={"Authorization": "Bearer caller-a"})
    other = http.get(PROBE, headers={"Authorization": "Bearer caller-b"})
    time.sleep(1.1)
    later = http.get(PROBE, headers={"Authorization": "Bearer caller-a"})

    assert (first.status_code, first.headers["retry-after"]) == (429, "1")
    assert first.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert again.status_code == 429
    assert other.status_code == 401
    assert later.status_code == 401


def test_drop_closes_without_a_response(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """A dropped request fails in the client and is logged without a status."""
    behave(admin, error_rate=1.0, error_statuses=["drop"])

    with pytest.raises(httpx.TransportError):
        http.get(PROBE)
    logged = admin.get("/requests").json()["items"][-1]

    assert (logged["status"], logged["fault"]) == (None, "drop")


def test_timeout_outlasts_the_client(admin: httpx.Client, base_url: str) -> None:
    """A timeout fault never answers, so the client's own timeout fires."""
    behave(admin, error_rate=1.0, error_statuses=["timeout"])

    with (
        httpx.Client(base_url=base_url, timeout=0.3) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get(PROBE)


def test_latency_delays_each_request(admin: httpx.Client, http: httpx.Client) -> None:
    """latency_ms delays a request by at least that long."""
    behave(admin, latency_ms=200)

    started = time.monotonic()
    http.get(PROBE)

    assert time.monotonic() - started >= 0.2


def test_admin_api_is_never_faulted(admin: httpx.Client) -> None:
    """Faults apply to emulator hosts only, so a test can always undo them."""
    behave(admin, error_rate=1.0, error_statuses=[500])

    assert admin.get("/behavior").status_code == 200
