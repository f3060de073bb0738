"""Authorization codes, access tokens and refresh tokens of the emulated tenant."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .accounts import Account, Clock
from .errors import AadError

CODE_LIFETIME = 600
REFRESH_LIFETIME = 90 * 24 * 3600
ADMIN_CLIENT_ID = "sandbox-admin"


@dataclass
class AuthCode:
    value: str
    client_id: str
    account: Account
    scopes: tuple[str, ...]
    redirect_uri: str
    code_challenge: str | None
    challenge_method: str | None
    nonce: str | None
    issued_at: float
    expires_at: float
    redeemed_at: float | None = None


@dataclass
class AccessToken:
    value: str
    client_id: str
    account: Account
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float
    source: str


@dataclass
class RefreshToken:
    value: str
    client_id: str
    account: Account
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float
    # Redeemed without a client secret (PKCE only), so later refreshes need none.
    public: bool
    replaced_by: str | None = None
    revoked: bool = False


class TokenStore:
    """Every grant the tenant issued, kept whole so tests can audit them."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, AuthCode] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}

    def clear(self) -> None:
        with self._lock:
            self._codes.clear()
            self._access.clear()
            self._refresh.clear()

    def issue_code(self, **fields: Any) -> AuthCode:
        now = self._clock.now()
        code = AuthCode(
            value="M." + secrets.token_urlsafe(36),
            issued_at=now,
            expires_at=now + CODE_LIFETIME,
            **fields,
        )
        with self._lock:
            self._codes[code.value] = code
        return code

    def redeem_code(self, value: str, check: Callable[[AuthCode], None]) -> AuthCode:
        """Mark a code used once ``check`` accepts the request redeeming it.

        A second redemption or a stale code is refused first; a request that
        ``check`` refuses leaves the code usable, as a typo should not burn it.
        """
        now = self._clock.now()
        with self._lock:
            code = self._codes.get(value)
            if code is None:
                raise AadError(
                    "invalid_grant",
                    70000,
                    "The provided value for the 'code' parameter is not valid.",
                )
            if code.redeemed_at is not None:
                raise AadError(
                    "invalid_grant",
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry "
                    "with a new valid code or use an existing refresh token.",
                )
            if now >= code.expires_at:
                raise AadError(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired "
                    "due to inactivity. Send a new interactive authorization request "
                    "for this user and resource.",
                )
            check(code)
            code.redeemed_at = now
            return code

    def issue_access(
        self,
        account: Account,
        client_id: str,
        scopes: tuple[str, ...],
        ttl: int,
        source: str,
    ) -> AccessToken:
        now = self._clock.now()
        token = AccessToken(
            value="EwB" + secrets.token_urlsafe(48),
            client_id=client_id,
            account=account,
            scopes=scopes,
            issued_at=now,
            expires_at=now + ttl,
            source=source,
        )
        with self._lock:
            self._access[token.value] = token
        return token

    def issue_refresh(
        self, account: Account, client_id: str, scopes: tuple[str, ...], public: bool
    ) -> RefreshToken:
        now = self._clock.now()
        token = RefreshToken(
            value="M.R3_" + secrets.token_urlsafe(64),
            client_id=client_id,
            account=account,
            scopes=scopes,
            issued_at=now,
            expires_at=now + REFRESH_LIFETIME,
            public=public,
        )
        with self._lock:
            self._refresh[token.value] = token
        return token

    def find_access(self, value: str) -> AccessToken | None:
        with self._lock:
            return self._access.get(value)

    def use_refresh(self, value: str) -> RefreshToken:
        with self._lock:
            token = self._refresh.get(value)
        if token is None:
            raise AadError(
                "invalid_grant", 9002313, "Invalid request. Request is malformed."
            )
        if token.revoked or self._clock.now() >= token.expires_at:
            raise AadError(
                "invalid_grant",
                70008,
                "The refresh token has expired or been revoked. Send a new "
                "interactive authorization request for this user and resource.",
            )
        return token

    def rotate(self, old: RefreshToken, new: RefreshToken) -> None:
        # Microsoft leaves the old token valid; the record only shows it was replaced.
        with self._lock:
            old.replaced_by = new.value

    def snapshot(self) -> dict[str, Any]:
        now = self._clock.now()
        with self._lock:
            return {
                "codes": [_code_view(c, now) for c in self._codes.values()],
                "access_tokens": [_access_view(t, now) for t in self._access.values()],
                "refresh_tokens": [
                    _refresh_view(t, now) for t in self._refresh.values()
                ],
            }


def _common_view(
    value: str, client_id: str, account: Account, scopes: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "value": value,
        "client_id": client_id,
        "account": account.email,
        "scopes": list(scopes),
    }


def _code_view(code: AuthCode, now: float) -> dict[str, Any]:
    if code.redeemed_at is not None:
        state = "redeemed"
    else:
        state = "expired" if now >= code.expires_at else "active"
    return {
        **_common_view(code.value, code.client_id, code.account, code.scopes),
        "redirect_uri": code.redirect_uri,
        "code_challenge_method": code.challenge_method,
        "issued_at": code.issued_at,
        "expires_at": code.expires_at,
        "state": state,
    }


def _access_view(token: AccessToken, now: float) -> dict[str, Any]:
    return {
        **_common_view(token.value, token.client_id, token.account, token.scopes),
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "source": token.source,
        "state": "expired" if now >= token.expires_at else "active",
    }


def _refresh_view(token: RefreshToken, now: float) -> dict[str, Any]:
    if token.revoked:
        state = "revoked"
    elif now >= token.expires_at:
        state = "expired"
    else:
        state = "rotated" if token.replaced_by else "active"
    return {
        **_common_view(token.value, token.client_id, token.account, token.scopes),
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "replaced_by": token.replaced_by,
        "state": state,
    }
