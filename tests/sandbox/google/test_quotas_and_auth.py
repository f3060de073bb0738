"""Bearer-token checks and per-minute quotas on Sheets and Drive."""

from __future__ import annotations

import httpx2 as httpx

from tests.sandbox.google.conftest import TokenFactory

SHEETS = "/sandbox/google/sheets/v4/spreadsheets"
DRIVE = "/sandbox/google/www/drive/v3/files"


def test_missing_token_is_401_unauthenticated(http: httpx.Client) -> None:
    """No Authorization header gets Google's 401 UNAUTHENTICATED body."""
    for path in (SHEETS + "/x", DRIVE):
        error = http.get(path).json()["error"]
        assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")


def test_expired_and_unknown_tokens_are_401(
    http: httpx.Client, issue_token: TokenFactory
) -> None:
    """Expired or unknown tokens are rejected as invalid credentials."""
    expired = issue_token(expires_in=1)
    http.headers["Authorization"] = "Bearer unknown"
    unknown = http.get(SHEETS + "/x")
    http.headers["Authorization"] = "Bearer " + expired
    import time

    time.sleep(1.05)
    late = http.get(SHEETS + "/x")

    assert unknown.status_code == late.status_code == 401
    assert late.json()["error"]["errors"][0]["reason"] == "authError"


def test_missing_scope_is_403(http: httpx.Client, issue_token: TokenFactory) -> None:
    """A token without a Sheets scope gets 403 insufficient scopes."""
    token = issue_token(scopes=["https://www.googleapis.com/auth/userinfo.email"])

    answer = http.post(SHEETS, json={}, headers={"Authorization": "Bearer " + token})

    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == (
        "Request had insufficient authentication scopes."
    )
    assert answer.json()["error"]["status"] == "PERMISSION_DENIED"


def test_readonly_scope_cannot_write(
    http: httpx.Client, issue_token: TokenFactory
) -> None:
    """spreadsheets.readonly reads but cannot create."""
    token = issue_token(
        scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"]
    )

    answer = http.post(SHEETS, json={}, headers={"Authorization": "Bearer " + token})

    assert answer.status_code == 403


def test_other_accounts_cannot_read(
    http: httpx.Client, issue_token: TokenFactory
) -> None:
    """A spreadsheet is private to its owner until shared."""
    owner = {"Authorization": "Bearer " + issue_token()}
    stranger = {"Authorization": "Bearer " + issue_token(account="eve@example.com")}
    sid = http.post(SHEETS, json={}, headers=owner).json()["spreadsheetId"]

    assert http.get(f"{SHEETS}/{sid}", headers=stranger).status_code == 403


def test_user_write_quota_answers_429(
    http: httpx.Client, admin: httpx.Client, auth: dict[str, str]
) -> None:
    """Past the per-user write limit, Sheets answers the documented 429 body."""
    admin.put(
        "/behavior",
        json={"provider": "google", "quotas": {"enabled": True, "write_per_user": 2}},
    )

    answers = [http.post(SHEETS, json={}, headers=auth) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    error = answers[2].json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith(
        "Quota exceeded for quota metric 'Write requests' and limit "
        "'Write requests per minute per user' of service 'sheets.googleapis.com'"
    )
    assert error["details"][0]["metadata"] == {
        "quota_limit": "WriteRequestsPerMinutePerUser",
        "quota_metric": "sheets.googleapis.com/write_requests",
        "quota_limit_value": "2",
        "service": "sheets.googleapis.com",
    }
    assert "errors" not in error


def test_project_read_quota_spans_users(
    http: httpx.Client, admin: httpx.Client, issue_token: TokenFactory
) -> None:
    """The per-project read limit counts every user of the same client."""
    admin.put(
        "/behavior",
        json={"provider": "google", "quotas": {"enabled": True, "read_per_project": 2}},
    )
    users = [
        {"Authorization": "Bearer " + issue_token(account=f"u{i}@example.com")}
        for i in range(3)
    ]

    codes = [http.get(SHEETS + "/x", headers=h).status_code for h in users]

    assert codes == [404, 404, 429]
