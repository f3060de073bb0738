"""The sandbox admin API under /sandbox/_admin."""

from __future__ import annotations

import httpx2 as httpx

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"


def mint(admin: httpx.Client, account: str = "a@example.com") -> str:
    body = {"provider": "google", "account": account, "scopes": [SHEETS_SCOPE]}
    response = admin.post("/tokens", json=body)
    assert response.status_code == 200
    token: str = response.json()["access_token"]
    return token


def test_tokens_mints_a_usable_access_token(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """POST tokens answers access_token and expires_in, and the token works."""
    answer = admin.post(
        "/tokens",
        json={
            "provider": "google",
            "account": "a@example.com",
            "scopes": [SHEETS_SCOPE],
            "expires_in": 60,
        },
    ).json()

    created = http.post(
        "/sandbox/google/sheets/v4/spreadsheets",
        json={},
        headers={"Authorization": "Bearer " + answer["access_token"]},
    )

    assert answer["expires_in"] == 60
    assert created.status_code == 200


def test_grants_show_issued_tokens_with_state(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """GET grants lists issued tokens, and revocation shows in their state."""
    token = mint(admin)
    http.post("/sandbox/google/oauth2/revoke", data={"token": token})

    grants = admin.get("/grants", params={"provider": "google"}).json()

    assert [(t["token"], t["state"]) for t in grants["access_tokens"]] == [
        (token, "revoked")
    ]


def test_reset_forgets_everything(admin: httpx.Client, http: httpx.Client) -> None:
    """POST reset drops grants, behaviour changes and the request log."""
    mint(admin)
    admin.put("/behavior", json={"provider": "google", "latency_ms": 5})
    http.get("/sandbox/google/sheets/v4/spreadsheets/x")

    assert admin.post("/reset").status_code == 204

    assert (
        admin.get("/grants", params={"provider": "google"}).json()["access_tokens"]
        == []
    )
    assert (
        admin.get("/behavior", params={"provider": "google"}).json()["latency_ms"] == 0
    )
    assert admin.get("/requests").json()["items"] == []


def test_requests_log_in_order_without_secrets(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """The log keeps order, status and chosen headers, and never a token value."""
    token = mint(admin)
    headers = {"Authorization": "Bearer " + token, "User-Agent": "probe/1"}
    http.get("/sandbox/google/sheets/v4/spreadsheets/missing", headers=headers)
    http.post("/sandbox/google/oauth2/revoke", params={"token": token})

    log = admin.get("/requests", params={"provider": "google"}).json()

    first, second = log["items"]
    assert first["sequence"] < second["sequence"] == log["next_since"]
    assert (first["method"], first["status"]) == ("GET", 404)
    assert first["headers"]["user-agent"] == "probe/1"
    assert "authorization" not in first["headers"]
    assert token not in str(log)
    assert second["query"] == "token=%5Bredacted%5D"


def test_requests_since_filters_by_sequence(
    admin: httpx.Client, http: httpx.Client
) -> None:
    """`since` returns only requests after the given sequence number."""
    http.get("/sandbox/google/sheets/v4/spreadsheets/a")
    since = admin.get("/requests").json()["next_since"]
    http.post("/sandbox/google/oauth2/revoke", data={"token": "x"})

    newer = admin.get("/requests", params={"since": since}).json()["items"]

    assert [item["path"] for item in newer] == ["/sandbox/google/oauth2/revoke"]
    assert newer[0]["body_size"] == len("token=x")


def test_behavior_put_merges_partial_changes(admin: httpx.Client) -> None:
    """PUT behavior changes only the given fields and answers the whole behaviour."""
    admin.put("/behavior", json={"provider": "google", "latency_ms": 10})
    answer = admin.put("/behavior", json={"provider": "google", "error_rate": 0.5})

    assert answer.status_code == 200
    assert answer.json()["latency_ms"] == 10
    assert answer.json()["error_rate"] == 0.5
    assert admin.get("/behavior", params={"provider": "google"}).json() == answer.json()


def test_behavior_rejects_bad_input_with_422(admin: httpx.Client) -> None:
    """Out-of-range values, unknown fields and a missing provider are 422 JSON."""
    for body in (
        {"provider": "google", "error_rate": 2},
        {"provider": "google", "colour": "red"},
        {"latency_ms": 5},
        {"provider": "yahoo"},
    ):
        answer = admin.put("/behavior", json=body)
        assert answer.status_code == 422, body
        assert "detail" in answer.json()


def test_admin_calls_are_not_logged(admin: httpx.Client) -> None:
    """Only emulator traffic appears in the request log."""
    admin.get("/behavior")
    admin.get("/grants", params={"provider": "google"})

    assert admin.get("/requests").json()["items"] == []
