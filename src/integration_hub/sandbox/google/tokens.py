"""Authorization codes, access and refresh tokens the emulated Google issued."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

CODE_LIFETIME = 600
ISSUER = "https://accounts.google.com"


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    account: str
    scopes: list[str]
    expires_at: float
    offline: bool
    forced_consent: bool
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    nonce: str | None = None
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    account: str
    scopes: list[str]
    issued_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    account: str
    scopes: list[str]
    expires_at: float
    refresh_token: str | None = None
    revoked: bool = False

    def is_live(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class TokenStore:
    """Everything the emulated authorization server remembers."""

    codes: dict[str, AuthCode] = field(default_factory=dict)
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    # (account, client) pairs that already hold a refresh token; Google issues a
    # new one for them only when consent is prompted again.
    offline_granted: set[tuple[str, str]] = field(default_factory=set)
    consented: set[tuple[str, str]] = field(default_factory=set)

    def new_code(self, **fields: Any) -> AuthCode:
        code = AuthCode(
            code="4/0Asbx" + secrets.token_urlsafe(48),
            expires_at=time.time() + CODE_LIFETIME,
            **fields,
        )
        self.codes[code.code] = code
        self.consented.add((code.account, code.client_id))
        return code

    def new_access(
        self,
        account: str,
        client_id: str,
        scopes: list[str],
        ttl: int,
        refresh_token: str | None = None,
    ) -> AccessToken:
        token = AccessToken(
            token="ya29.sbx-" + secrets.token_urlsafe(96),
            client_id=client_id,
            account=account,
            scopes=scopes,
            expires_at=time.time() + ttl,
            refresh_token=refresh_token,
        )
        self.access[token.token] = token
        return token

    def new_refresh(
        self, account: str, client_id: str, scopes: list[str]
    ) -> RefreshToken:
        token = RefreshToken(
            token="1//sbx-" + secrets.token_urlsafe(64),
            client_id=client_id,
            account=account,
            scopes=scopes,
            issued_at=time.time(),
        )
        self.refresh[token.token] = token
        self.offline_granted.add((account, client_id))
        return token

    def revoke(self, value: str) -> bool:
        """Revoke a token and everything tied to it; False when it is unknown."""
        access = self.access.get(value)
        refresh = self.refresh.get(value)
        if access is not None and access.refresh_token is not None:
            refresh = self.refresh.get(access.refresh_token)
        if access is None and refresh is None:
            return False

        if access is not None:
            access.revoked = True
        if refresh is not None:
            refresh.revoked = True
            self.offline_granted.discard((refresh.account, refresh.client_id))
            for other in self.access.values():
                if other.refresh_token == refresh.token:
                    other.revoked = True
        return True

    def grants(self) -> dict[str, Any]:
        """Every grant with its state; ``value`` holds the code or token itself,
        under the same key as in the Microsoft emulator's view."""
        now = time.time()
        return {
            "codes": [
                asdict(c) | {"value": c.code, "state": _code_state(c, now)}
                for c in self.codes.values()
            ],
            "access_tokens": [
                asdict(t) | {"value": t.token, "state": _access_state(t, now)}
                for t in self.access.values()
            ],
            "refresh_tokens": [
                asdict(t)
                | {"value": t.token, "state": "revoked" if t.revoked else "active"}
                for t in self.refresh.values()
            ],
        }


def _code_state(code: AuthCode, now: float) -> str:
    if code.used:
        return "used"
    return "expired" if now >= code.expires_at else "active"


def _access_state(token: AccessToken, now: float) -> str:
    if token.revoked:
        return "revoked"
    return "expired" if now >= token.expires_at else "active"


def subject(account: str) -> str:
    """A stable numeric Google account id for an email address."""
    digest = hashlib.sha256(account.lower().encode()).digest()
    return str(10**20 + int.from_bytes(digest[:8], "big"))


def id_token(code: AuthCode, client_secret: str, ttl: int) -> str:
    """An HS256 JWT signed with the client secret, carrying the OpenID claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "azp": code.client_id,
        "aud": code.client_id,
        "sub": subject(code.account),
        "email": code.account,
        "email_verified": True,
        "iat": now,
        "exp": now + ttl,
    }
    if code.nonce:
        claims["nonce"] = code.nonce
    header = {"alg": "HS256", "typ": "JWT", "kid": "sandbox"}
    signing_input = _b64json(header) + "." + _b64json(claims)
    signature = hmac.new(
        client_secret.encode(), signing_input.encode(), hashlib.sha256
    ).digest()
    return signing_input + "." + _b64(signature)


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    if method == "plain":
        return hmac.compare_digest(verifier, challenge)
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return hmac.compare_digest(_b64(digest), challenge)


def _b64json(data: dict[str, Any]) -> str:
    return _b64(json.dumps(data, separators=(",", ":")).encode())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
