"""Google sandbox fixtures: tokens, real clients, and the discovery check."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import gspread
import httpx2 as httpx
import pytest

from tests.support import discovery
from tests.support.google_clients import gspread_client
from tests.support.recording import AcceptedBody, BodyRecorder

SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
]
ACCOUNT = "owner@example.com"

# Fields real clients send that Drive ignores and its discovery document lacks:
# gspread's share() still sends the Drive v2 "withLink" flag.
LENIENT_DRIVE_FIELDS = {"Permission": {"withLink"}}

TokenFactory = Callable[..., str]


@pytest.fixture
def issue_token(admin: httpx.Client) -> TokenFactory:
    def issue(
        account: str = ACCOUNT,
        scopes: list[str] | None = None,
        expires_in: int | None = None,
    ) -> str:
        body = {
            "provider": "google",
            "account": account,
            "scopes": SCOPES if scopes is None else scopes,
            "expires_in": expires_in,
        }
        response = admin.post("/tokens", json=body)
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    return issue


@pytest.fixture
def token(issue_token: TokenFactory) -> str:
    return issue_token()


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + token}


@pytest.fixture
def gc(base_url: str, token: str) -> Iterator[gspread.Client]:
    client = gspread_client(base_url, token)
    yield client
    client.http_client.session.close()


@pytest.fixture(autouse=True)
def accepted_bodies_match_discovery(recorder: BodyRecorder) -> Iterator[None]:
    """Fail any test during which the emulator accepted a body Google would not."""
    start = len(recorder.accepted)
    yield
    broken = [
        (body.method, body.path, issue)
        for body in recorder.accepted[start:]
        for issue in discovery_problems(body)
    ]
    assert broken == []


def discovery_problems(accepted: AcceptedBody) -> list[str]:
    api = discovery.load(accepted.api)
    schema = api.request_schema(accepted.method, accepted.path)
    if schema is None:
        return [f"the method takes no body, got {accepted.body!r}"]
    body = accepted.body
    lenient = LENIENT_DRIVE_FIELDS.get(schema, set())
    if accepted.api == "drive.v3" and isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in lenient}
    return discovery.problems(api, schema, body)
