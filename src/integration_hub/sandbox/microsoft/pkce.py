"""Proof Key for Code Exchange, as the identity platform checks it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from .errors import AadError

_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def check_challenge(challenge: str | None, method: str | None) -> str | None:
    """The method to verify against later, or None when the client sent no PKCE."""
    if challenge is None:
        return None
    method = method or "plain"
    if method not in {"S256", "plain"}:
        raise AadError(
            "invalid_request",
            50149,
            f"The code_challenge_method '{method}' is not supported; "
            "use 'S256' or 'plain'.",
        )
    if not _CHALLENGE.match(challenge):
        raise AadError(
            "invalid_request", 501491, "Invalid size of Code_Challenge parameter."
        )
    return method


def verifier_matches(verifier: str, challenge: str, method: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    return hmac.compare_digest(expected.encode(), challenge.encode())
