"""OAuth 2.0 authorization code flow on the emulated Google."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import google.auth.transport.requests
import httpx2 as httpx
import pytest
import requests
from google.oauth2.credentials import Credentials

CLIENT_ID = "sandbox-google-client"
CLIENT_SECRET = "sandbox-google-secret"
REDIRECT = "http://127.0.0.1:8000/callback"
AUTH_PATH = "/sandbox/google/accounts/o/oauth2/v2/auth"
TOKEN_PATH = "/sandbox/google/oauth2/token"
SCOPE = "openid email https://www.googleapis.com/auth/spreadsheets"


def authorize(http: httpx.Client, **extra: str) -> httpx.Response:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": SCOPE,
        "state": "xyz",
        "login_hint": "alice@example.com",
    } | extra
    return http.get(AUTH_PATH, params=params)


def consent(
    http: httpx.Client, decision: str = "allow", **extra: str
) -> dict[str, str]:
    """Go through the consent page like a browser; answers the callback's query."""
    page = authorize(http, **extra)
    assert page.status_code == 200
    assert "Allow" in page.text
    assert "Deny" in page.text
    consent_id = page.text.split('name="consent_id" value="')[1].split('"')[0]
    action = page.text.split('action="')[1].split('"')[0]
    answer = http.post(action, data={"consent_id": consent_id, "decision": decision})
    assert answer.status_code == 302
    return callback_params(answer)


def callback_params(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(http: httpx.Client, code: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    } | extra
    return http.post(TOKEN_PATH, data=form)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_consent_page_allow_redirects_with_code_and_state(http: httpx.Client) -> None:
    """Allow on the consent page redirects to the client with a code and its state."""
    params = consent(http)

    assert params["state"] == "xyz"
    assert params["code"].startswith("4/")


def test_deny_redirects_with_access_denied(http: httpx.Client) -> None:
    """Deny redirects with error=access_denied and the state."""
    params = consent(http, decision="deny")

    assert params == {"error": "access_denied", "state": "xyz"}


def test_code_exchange_with_pkce_s256(http: httpx.Client) -> None:
    """An S256 challenge is honoured: the right verifier gets tokens and id_token."""
    verifier = secrets.token_urlsafe(96)[:128]
    params = consent(
        http,
        code_challenge=s256(verifier),
        code_challenge_method="S256",
        access_type="offline",
    )

    wrong = exchange(http, params["code"], code_verifier="x" * 64)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    params = consent(http, code_challenge=s256(verifier), code_challenge_method="S256")
    body = exchange(http, params["code"], code_verifier=verifier).json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    claims = json.loads(base64.urlsafe_b64decode(body["id_token"].split(".")[1] + "=="))
    assert claims["email"] == "alice@example.com"
    assert claims["aud"] == CLIENT_ID


def test_code_exchange_with_pkce_plain(http: httpx.Client) -> None:
    """A plain challenge must be echoed exactly as the verifier."""
    params = consent(http, code_challenge="plain-verifier-" + "a" * 40)

    missing = exchange(http, params["code"])
    assert missing.json()["error_description"] == "Missing code verifier."

    params = consent(http, code_challenge="plain-verifier-" + "a" * 40)
    ok = exchange(http, params["code"], code_verifier="plain-verifier-" + "a" * 40)
    assert ok.status_code == 200


def test_codes_are_single_use(http: httpx.Client) -> None:
    """A code works once; the second exchange is invalid_grant."""
    code = consent(http)["code"]

    assert exchange(http, code).status_code == 200
    again = exchange(http, code)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_client_auth_by_basic_header(http: httpx.Client) -> None:
    """Client credentials may come as HTTP Basic instead of form fields."""
    code = consent(http)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}

    answer = http.post(TOKEN_PATH, data=form, auth=(CLIENT_ID, CLIENT_SECRET))

    assert answer.status_code == 200


def test_wrong_secret_is_invalid_client(http: httpx.Client) -> None:
    """A wrong client secret answers 401 invalid_client in Google's JSON shape."""
    code = consent(http)["code"]

    answer = exchange(http, code, client_secret="nope")

    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Unauthorized",
    }
    assert answer.headers["content-type"] == "application/json; charset=utf-8"


def test_refresh_token_only_when_offline(http: httpx.Client) -> None:
    """access_type=offline yields a refresh token; online does not."""
    online = exchange(http, consent(http)["code"]).json()
    offline = exchange(http, consent(http, access_type="offline")["code"]).json()

    assert "refresh_token" not in online
    assert "refresh_token" in offline


def test_repeated_consent_without_prompt_gives_no_refresh_token(
    http: httpx.Client,
) -> None:
    """A second offline consent gets no refresh token unless prompt=consent."""
    first = exchange(http, consent(http, access_type="offline")["code"]).json()
    second = exchange(http, consent(http, access_type="offline")["code"]).json()
    forced = consent(http, access_type="offline", prompt="consent")
    third = exchange(http, forced["code"]).json()

    assert "refresh_token" in first
    assert "refresh_token" not in second
    assert "refresh_token" in third


def test_refresh_with_google_auth(base_url: str, http: httpx.Client) -> None:
    """google-auth's own refresh works against the sandbox token endpoint."""
    tokens = exchange(http, consent(http, access_type="offline")["code"]).json()
    credentials = Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=tokens["refresh_token"],
        token_uri=base_url + TOKEN_PATH,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )

    with requests.Session() as session:
        request = google.auth.transport.requests.Request(session)
        credentials.refresh(request)  # type: ignore[no-untyped-call]

    assert credentials.token
    assert credentials.token != tokens["access_token"]


def test_revoking_access_token_revokes_refresh_token(http: httpx.Client) -> None:
    """Revoking an access token also kills the refresh token it came with."""
    tokens = exchange(http, consent(http, access_type="offline")["code"]).json()

    revoked = http.post(
        "/sandbox/google/oauth2/revoke", data={"token": tokens["access_token"]}
    )
    refresh = http.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )

    assert revoked.status_code == 200
    assert refresh.status_code == 400
    assert refresh.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }


def test_revoking_unknown_token_is_400(http: httpx.Client) -> None:
    """Revoking something never issued answers 400 invalid_token."""
    answer = http.post("/sandbox/google/oauth2/revoke", data={"token": "nope"})

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_token"


def test_auto_consent_redirects_at_once(
    http: httpx.Client, admin: httpx.Client
) -> None:
    """With auto_consent on, authorize redirects straight back with a code."""
    admin.put("/behavior", json={"provider": "google", "auto_consent": True})

    answer = authorize(http)

    assert answer.status_code == 302
    assert "code" in callback_params(answer)


@pytest.mark.parametrize(
    ("override", "status", "error"),
    [
        ({"client_id": "unknown"}, 401, "invalid_client"),
        ({"redirect_uri": "https://evil.example.com/cb"}, 400, "redirect_uri_mismatch"),
    ],
)
def test_untrusted_requests_get_an_error_page(
    http: httpx.Client, override: dict[str, str], status: int, error: str
) -> None:
    """Unknown clients and foreign redirect URIs get Google's page, not a redirect."""
    answer = authorize(http, **override)

    assert answer.status_code == status
    assert error in answer.text
    assert "location" not in answer.headers


def test_access_token_ttl_comes_from_behavior(
    http: httpx.Client, admin: httpx.Client
) -> None:
    """The token lifetime is the behaviour's access_token_ttl."""
    admin.put("/behavior", json={"provider": "google", "access_token_ttl": 120})

    body = exchange(http, consent(http)["code"]).json()

    assert body["expires_in"] == 120
