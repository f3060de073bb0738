"""Request plumbing shared by the Sheets and Drive emulators: bearer tokens,
quotas, query parameters and JSON bodies, each failing the way Google fails."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request

from integration_hub.sandbox.google.errors import GoogleApiError, invalid_payload
from integration_hub.sandbox.google.quotas import Kind, project_number
from integration_hub.sandbox.google.tokens import AccessToken
from integration_hub.sandbox.google.world import GoogleWorld

AUTH = "https://www.googleapis.com/auth/"
SHEETS_READ = frozenset(
    AUTH + s
    for s in ("spreadsheets", "spreadsheets.readonly", "drive", "drive.readonly")
) | {AUTH + "drive.file"}
SHEETS_WRITE = frozenset(AUTH + s for s in ("spreadsheets", "drive", "drive.file"))
DRIVE_READ = frozenset(
    AUTH + s
    for s in ("drive", "drive.file", "drive.readonly", "drive.metadata.readonly")
) | {AUTH + "drive.metadata"}
DRIVE_WRITE = frozenset(AUTH + s for s in ("drive", "drive.file"))

# System parameters every Google API accepts besides a method's own.
STANDARD_PARAMS = frozenset(
    {"alt", "fields", "key", "prettyPrint", "quotaUser", "$.xgafv", "callback"}
    | {"access_token", "oauth_token", "upload_protocol", "uploadType", "userIp"}
)

_CREDENTIALS_HINT = (
    " Expected OAuth 2 access token, login cookie or other valid authentication "
    "credential. See https://developers.google.com/identity/sign-in/web/"
    "devconsole-project."
)


def authorize(
    world: GoogleWorld, request: Request, scopes: frozenset[str], service: str
) -> AccessToken:
    """The caller's live token holding one of ``scopes``, or Google's 401/403."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthenticated(
            "Request is missing required authentication credential.",
            "Login Required.",
            "required",
            "CREDENTIALS_MISSING",
        )
    token = world.tokens.access.get(value.strip())
    if token is None or not token.is_live(time.time()):
        reason = "ACCESS_TOKEN_EXPIRED" if token and not token.revoked else "INVALID"
        raise _unauthenticated(
            "Request had invalid authentication credentials.",
            "Invalid Credentials",
            "authError",
            reason,
        )
    if scopes.isdisjoint(token.scopes):
        raise _insufficient_scopes(service)
    return token


def charge(world: GoogleWorld, token: AccessToken, kind: Kind) -> None:
    world.quotas.charge(
        world.behavior.quotas, kind, token.account, project_number(token.client_id)
    )


def _unauthenticated(
    message: str, legacy_message: str, legacy_reason: str, reason: str
) -> GoogleApiError:
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
    }
    return GoogleApiError(
        401,
        message + _CREDENTIALS_HINT,
        reason=legacy_reason,
        details=[info],
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'
            + (', error="invalid_token"' if legacy_reason == "authError" else "")
        },
        extra={
            "message": legacy_message,
            "location": "Authorization",
            "locationType": "header",
        },
    )


def _insufficient_scopes(service: str) -> GoogleApiError:
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com",
        "metadata": {"service": service},
    }
    return GoogleApiError(
        403,
        "Request had insufficient authentication scopes.",
        reason="insufficientPermissions",
        details=[info],
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
            'error="insufficient_scope"'
        },
        extra={"message": "Insufficient Permission"},
    )


def check_params(request: Request, allowed: Iterable[str]) -> None:
    """Reject query parameters the method does not define, as Google does."""
    known = STANDARD_PARAMS | set(allowed)
    for name in request.query_params:
        if name not in known:
            raise invalid_payload(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind '
                f"query parameter. Field '{name}' could not be found in request "
                "message."
            )


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter; Python clients send ``True``/``False``."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise invalid_payload(f"Invalid value at '{_snake(name)}' (TYPE_BOOL), \"{raw}\"")


def query_enum(
    request: Request, name: str, allowed: tuple[str, ...], default: str
) -> str:
    raw = request.query_params.get(name) or default
    if raw not in allowed:
        enum_type = (
            "type.googleapis.com/google.apps.sheets.v4." + name[0].upper() + name[1:]
        )
        raise invalid_payload(
            f"Invalid value at '{_snake(name)}' ({enum_type}), \"{raw}\""
        )
    return raw


def query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid_payload(
            f"Invalid value at '{_snake(name)}' (TYPE_INT32), \"{raw}\""
        ) from None


async def json_body(request: Request) -> Any:
    """The parsed body; an empty body is ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_payload(
            "Invalid JSON payload received. Unexpected token."
        ) from None


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
