"""Who the connected account is, read from the id token the provider returned.

The id token came straight from the provider's token endpoint over the hub's own
connection, which OpenID Connect accepts in place of a signature check; the hub
still checks audience, expiry and (Microsoft) the nonce it sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Any

from integration_hub.errors import HubError

CLOCK_SKEW_SECONDS = 300


class IdentityError(HubError):
    status_code = 502
    code = "bad_id_token"


@dataclass(frozen=True)
class AccountIdentity:
    account_id: str
    email: str | None


def identity_from_id_token(
    id_token: str | None, *, client_id: str, nonce: str | None
) -> AccountIdentity:
    if not id_token:
        raise IdentityError("the provider returned no id token; is 'openid' in scope?")
    claims = _claims(id_token)

    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise IdentityError("the id token was issued to another client")
    if int(claims.get("exp", 0)) + CLOCK_SKEW_SECONDS < time.time():
        raise IdentityError("the id token has expired")
    if nonce is not None and claims.get("nonce") != nonce:
        raise IdentityError("the id token does not carry the nonce the hub sent")

    # Microsoft's stable per-tenant id is oid; Google's is sub.
    account_id = claims.get("oid") or claims.get("sub")
    if not account_id:
        raise IdentityError("the id token names no subject")
    email = claims.get("email") or claims.get("preferred_username")
    return AccountIdentity(str(account_id), str(email) if email else None)


def _claims(id_token: str) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        raise IdentityError("the id token is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        raise IdentityError("the id token's claims are not readable") from None
    if not isinstance(claims, dict):
        raise IdentityError("the id token's claims are not an object")
    return claims
