"""Google's OAuth 2.0 endpoints: consent on accounts.google.com, tokens on oauth2."""

from __future__ import annotations

import base64
import html
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from integration_hub.sandbox.base import SandboxClient
from integration_hub.sandbox.google.errors import (
    JSON_UTF8,
    OAuthError,
    oauth_error_handler,
)
from integration_hub.sandbox.google.tokens import AuthCode, id_token, pkce_matches
from integration_hub.sandbox.google.world import GoogleWorld

DEFAULT_ACCOUNT = "demo.user@example.com"
SHORT_SCOPES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}


@dataclass
class AuthRequest:
    """A validated authorization request waiting for the user's decision."""

    client_id: str
    redirect_uri: str
    account: str
    scopes: list[str]
    state: str | None
    offline: bool
    prompt: list[str]
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None


class ConsentPageError(Exception):
    """An error Google shows on its own page, because the redirect is not trusted."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class RedirectError(Exception):
    """An error reported to the client through its (validated) redirect URI."""

    def __init__(self, request: AuthRequest, error: str, description: str) -> None:
        super().__init__(description)
        self.request = request
        self.error = error
        self.description = description


def accounts_app(world: GoogleWorld) -> Starlette:
    pending: dict[str, AuthRequest] = {}

    async def authorize(request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if v != ""}
        try:
            auth = _validated(world, params)
            return _decide(world, request, auth, pending)
        except ConsentPageError as exc:
            return _error_page(exc)
        except RedirectError as exc:
            return _redirect(exc.request, {"error": exc.error})

    async def decision(request: Request) -> Response:
        form = _form(await request.body())
        auth = pending.pop(form.get("consent_id", ""), None)
        if auth is None:
            error = ConsentPageError(400, "invalid_request", "Unknown consent request.")
            return _error_page(error)
        if form.get("decision") != "allow":
            return _redirect(auth, {"error": "access_denied"})
        return _redirect(auth, _grant(world, auth))

    routes = [
        Route("/o/oauth2/v2/auth", authorize, methods=["GET"]),
        Route("/o/oauth2/v2/auth/decision", decision, methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _validated(world: GoogleWorld, params: dict[str, str]) -> AuthRequest:
    client_id = params.get("client_id")
    if client_id is None:
        raise ConsentPageError(
            400, "invalid_request", "Missing required parameter: client_id"
        )
    client = world.client(client_id)
    if client is None:
        raise ConsentPageError(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = params.get("redirect_uri")
    if redirect_uri is None:
        raise ConsentPageError(
            400, "invalid_request", "Missing required parameter: redirect_uri"
        )
    if not redirect_allowed(client, redirect_uri):
        raise ConsentPageError(
            400,
            "redirect_uri_mismatch",
            "The redirect URI in the request, "
            + redirect_uri
            + ", does not match the ones authorized for the OAuth client.",
        )

    auth = AuthRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        account=params.get("login_hint", DEFAULT_ACCOUNT),
        scopes=[SHORT_SCOPES.get(s, s) for s in params.get("scope", "").split()],
        state=params.get("state"),
        offline=params.get("access_type", "online") == "offline",
        prompt=params.get("prompt", "").split(),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
        nonce=params.get("nonce"),
    )
    _check_request(auth, params)
    return auth


def _check_request(auth: AuthRequest, params: dict[str, str]) -> None:
    if params.get("response_type") != "code":
        raise RedirectError(auth, "unsupported_response_type", "Use response_type=code")
    if not auth.scopes:
        raise RedirectError(
            auth, "invalid_request", "Missing required parameter: scope"
        )
    if params.get("access_type", "online") not in ("online", "offline"):
        raise RedirectError(auth, "invalid_request", "Invalid access_type")
    if "none" in auth.prompt and len(auth.prompt) > 1:
        raise RedirectError(auth, "invalid_request", "prompt=none must be alone")
    if auth.code_challenge is not None:
        auth.code_challenge_method = auth.code_challenge_method or "plain"
        if auth.code_challenge_method not in ("S256", "plain"):
            raise RedirectError(
                auth, "invalid_request", "Invalid code_challenge_method"
            )


def redirect_allowed(client: SandboxClient, redirect_uri: str) -> bool:
    if client.redirect_uris:
        return redirect_uri in client.redirect_uris
    parts = urlsplit(redirect_uri)
    return parts.scheme == "http" and parts.hostname in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


def _decide(
    world: GoogleWorld,
    request: Request,
    auth: AuthRequest,
    pending: dict[str, AuthRequest],
) -> Response:
    known = (auth.account, auth.client_id) in world.tokens.consented
    if "none" in auth.prompt:
        if not known:
            raise RedirectError(auth, "consent_required", "Consent required")
        return _redirect(auth, _grant(world, auth))
    if world.behavior.auto_consent:
        return _redirect(auth, _grant(world, auth))

    consent_id = secrets.token_urlsafe(16)
    pending[consent_id] = auth
    action = request.scope.get("root_path", "") + "/o/oauth2/v2/auth/decision"
    return HTMLResponse(_consent_page(auth, consent_id, action))


def _grant(world: GoogleWorld, auth: AuthRequest) -> dict[str, str]:
    code = world.tokens.new_code(
        client_id=auth.client_id,
        redirect_uri=auth.redirect_uri,
        account=auth.account,
        scopes=auth.scopes,
        offline=auth.offline,
        forced_consent="consent" in auth.prompt,
        code_challenge=auth.code_challenge,
        code_challenge_method=auth.code_challenge_method,
        nonce=auth.nonce,
    )
    return {"code": code.code, "scope": " ".join(auth.scopes), "authuser": "0"}


def _redirect(auth: AuthRequest, params: dict[str, str]) -> Response:
    if auth.state is not None:
        params = params | {"state": auth.state}
    separator = "&" if "?" in auth.redirect_uri else "?"
    return RedirectResponse(auth.redirect_uri + separator + urlencode(params), 302)


def _consent_page(auth: AuthRequest, consent_id: str, action: str) -> str:
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in auth.scopes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Sign in - Google Accounts (sandbox)</title></head>
<body>
<h1>Sandbox Google consent</h1>
<p><strong>{html.escape(auth.account)}</strong>: allow
<code>{html.escape(auth.client_id)}</code> to:</p>
<ul>{scopes}</ul>
<form method="post" action="{html.escape(action)}">
<input type="hidden" name="consent_id" value="{html.escape(consent_id)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
"""


def _error_page(error: ConsentPageError) -> Response:
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Error {error.status} ({html.escape(error.error)})</title>
</head>
<body><h1>Access blocked: authorization error</h1>
<p>Error {error.status}: {html.escape(error.error)}</p>
<p>{html.escape(error.description)}</p></body></html>
"""
    return HTMLResponse(body, status_code=error.status)


def oauth2_app(world: GoogleWorld) -> Starlette:
    async def token(request: Request) -> Response:
        form = _form(await request.body())
        client = _client(world, request, form)
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            body = _exchange_code(world, client, form)
        elif grant_type == "refresh_token":
            body = _refresh(world, client, form)
        else:
            raise OAuthError(
                400, "unsupported_grant_type", "Invalid grant_type: " + grant_type
            )
        headers = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"}
        return JSONResponse(body, headers=headers | {"Pragma": "no-cache"})

    async def revoke(request: Request) -> Response:
        form = _form(await request.body())
        value = form.get("token") or request.query_params.get("token", "")
        if not world.tokens.revoke(value):
            raise OAuthError(400, "invalid_token", "Token expired or revoked")
        return JSONResponse({}, media_type=JSON_UTF8)

    routes = [
        Route("/token", token, methods=["POST"]),
        Route("/revoke", revoke, methods=["POST"]),
    ]
    return Starlette(
        routes=routes, exception_handlers={OAuthError: oauth_error_handler}
    )


def _form(body: bytes) -> dict[str, str]:
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def _client(
    world: GoogleWorld, request: Request, form: dict[str, str]
) -> SandboxClient:
    client_id, secret = form.get("client_id"), form.get("client_secret")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(basic[6:], validate=True).decode()
        except ValueError:
            raise OAuthError(401, "invalid_client", "Unauthorized") from None
        raw_id, _, raw_secret = decoded.partition(":")
        client_id, secret = unquote(raw_id), unquote(raw_secret)

    if not client_id:
        raise OAuthError(
            400, "invalid_request", "Missing required parameter: client_id"
        )
    client = world.client(client_id)
    if client is None:
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    if secret is None or not secrets.compare_digest(secret, client.client_secret):
        raise OAuthError(401, "invalid_client", "Unauthorized")
    return client


def _exchange_code(
    world: GoogleWorld, client: SandboxClient, form: dict[str, str]
) -> dict[str, object]:
    value = form.get("code")
    if not value:
        raise OAuthError(400, "invalid_request", "Missing required parameter: code")
    code = world.tokens.codes.get(value)
    if code is None:
        raise OAuthError(400, "invalid_grant", "Malformed auth code.")
    if code.used or time.time() >= code.expires_at:
        raise OAuthError(400, "invalid_grant", "Bad Request")
    if code.client_id != client.client_id:
        raise OAuthError(400, "invalid_grant", "Bad Request")
    if form.get("redirect_uri") != code.redirect_uri:
        raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
    _check_verifier(code, form.get("code_verifier"))

    code.used = True
    return _issue(world, client, code)


def _check_verifier(code: AuthCode, verifier: str | None) -> None:
    if code.code_challenge is None:
        return
    if not verifier:
        raise OAuthError(400, "invalid_grant", "Missing code verifier.")
    method = code.code_challenge_method or "plain"
    if not pkce_matches(verifier, code.code_challenge, method):
        raise OAuthError(400, "invalid_grant", "Invalid code verifier.")


def _issue(
    world: GoogleWorld, client: SandboxClient, code: AuthCode
) -> dict[str, object]:
    tokens = world.tokens
    ttl = world.behavior.access_token_ttl
    refresh = None
    pair = (code.account, code.client_id)
    if code.offline and (code.forced_consent or pair not in tokens.offline_granted):
        refresh = tokens.new_refresh(code.account, code.client_id, code.scopes)

    access = tokens.new_access(
        code.account,
        code.client_id,
        code.scopes,
        ttl,
        refresh.token if refresh else _live_refresh(world, pair),
    )
    body: dict[str, object] = {
        "access_token": access.token,
        "expires_in": ttl,
        "scope": " ".join(code.scopes),
        "token_type": "Bearer",
    }
    if refresh is not None:
        body["refresh_token"] = refresh.token
    if "openid" in code.scopes:
        body["id_token"] = id_token(code, client.client_secret, ttl)
    return body


def _live_refresh(world: GoogleWorld, pair: tuple[str, str]) -> str | None:
    """The refresh token a re-consenting user already holds, to tie revocation."""
    for token in reversed(world.tokens.refresh.values()):
        if (token.account, token.client_id) == pair and not token.revoked:
            return token.token
    return None


def _refresh(
    world: GoogleWorld, client: SandboxClient, form: dict[str, str]
) -> dict[str, object]:
    value = form.get("refresh_token")
    if not value:
        raise OAuthError(
            400, "invalid_request", "Missing required parameter: refresh_token"
        )
    refresh = world.tokens.refresh.get(value)
    if refresh is None or refresh.revoked:
        raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
    if refresh.client_id != client.client_id:
        raise OAuthError(401, "unauthorized_client", "Unauthorized")

    scopes = form.get("scope", "").split() or refresh.scopes
    if not set(scopes) <= set(refresh.scopes):
        raise OAuthError(400, "invalid_scope", "Some requested scopes were invalid.")
    ttl = world.behavior.access_token_ttl
    access = world.tokens.new_access(
        refresh.account, refresh.client_id, scopes, ttl, refresh.token
    )
    return {
        "access_token": access.token,
        "expires_in": ttl,
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }
