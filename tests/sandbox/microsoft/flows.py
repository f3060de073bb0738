"""Helpers that walk the identity platform's flows over HTTP, as a client would."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.sandbox.microsoft.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    LOOPBACK_REDIRECT,
    Sandbox,
)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def redirect_params(response: httpx2.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    query = urlsplit(response.headers["location"]).query
    return {k: v[0] for k, v in parse_qs(query).items()}


def authorize(sandbox: Sandbox, **overrides: str) -> httpx2.Response:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": LOOPBACK_REDIRECT,
        "scope": "offline_access openid profile User.Read Files.ReadWrite",
        "state": "st-1",
        "nonce": "n-1",
    }
    params.update(overrides)
    return sandbox.http.get(f"{sandbox.login}/authorize", params=params)


def get_code(
    sandbox: Sandbox, verifier: str | None = None, method: str = "S256", **extra: str
) -> str:
    """Authorize with automatic consent and return the code from the redirect."""
    sandbox.behave(auto_consent=True)
    if verifier is not None:
        challenge = s256(verifier) if method == "S256" else verifier
        extra |= {"code_challenge": challenge, "code_challenge_method": method}
    return redirect_params(authorize(sandbox, **extra))["code"]


def redeem(sandbox: Sandbox, code: str, **overrides: str) -> httpx2.Response:
    form = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": LOOPBACK_REDIRECT,
    }
    form.update(overrides)
    # An empty override leaves the field out altogether.
    sent = {k: v for k, v in form.items() if v != ""}
    return sandbox.http.post(f"{sandbox.login}/token", data=sent)


def new_verifier() -> str:
    return secrets.token_urlsafe(48)
