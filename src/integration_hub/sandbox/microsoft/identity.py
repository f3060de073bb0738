"""Microsoft identity platform v2.0: authorize, consent, token, discovery.

Served under ``/sandbox/microsoft/login`` with the real paths after the prefix.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..base import SandboxClient, SandboxContext
from . import scopes as scope_rules
from .accounts import DEFAULT_ACCOUNT, TENANT_DOMAIN, TENANT_ID, Account
from .asgi import LOGIN_PREFIX, PrefixedApp, origin
from .consent import consent_page, error_page, redirect_back, redirect_error
from .errors import AadError, aad_error_response
from .grants import TokenIssuer, missing_parameter
from .pkce import check_challenge

_TENANTS = {"common", "organizations", "consumers", TENANT_ID, TENANT_DOMAIN}
_LOOPBACK = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(/.*)?$")
_ROUTE = re.compile(
    r"^/(?P<tenant>[^/]+)/(?P<endpoint>oauth2/v2\.0/authorize|oauth2/v2\.0/token"
    r"|v2\.0/\.well-known/openid-configuration|discovery/v2\.0/keys)$"
)
_RESPONSE_MODES = {"query", "fragment", "form_post"}


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated authorize request, waiting for the user's decision."""

    tenant: str
    client_id: str
    redirect_uri: str
    response_mode: str
    scopes: tuple[str, ...]
    state: str | None
    account: Account
    code_challenge: str | None
    challenge_method: str | None
    nonce: str | None
    prompt: str | None


class _Redirectable(Exception):
    """An authorize error that may be sent back to a validated redirect URI."""

    def __init__(self, error: AadError) -> None:
        super().__init__(error.description)
        self.error = error


class IdentityPlatform:
    """The login mount: one instance per emulator, state in the token issuer."""

    def __init__(self, context: SandboxContext, issuer: TokenIssuer) -> None:
        self._context = context
        self._issuer = issuer
        self._lock = threading.Lock()
        self._pending: dict[str, AuthorizeRequest] = {}
        self._consents: dict[tuple[str, str], set[str]] = {}
        self.app = PrefixedApp(LOGIN_PREFIX, self._dispatch)

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self._consents.clear()

    async def _dispatch(self, request: Request, path: str) -> Response:
        match = _ROUTE.match(path)
        if match is None:
            return aad_error_response(
                AadError(
                    "invalid_request",
                    900561,
                    "The endpoint does not exist.",
                    status=404,
                )
            )
        tenant, endpoint = match["tenant"], match["endpoint"]
        handlers: dict[
            tuple[str, str], Callable[[Request, str], Awaitable[Response]]
        ] = {
            ("GET", "oauth2/v2.0/authorize"): self._authorize,
            ("POST", "oauth2/v2.0/authorize"): self._decide,
            ("POST", "oauth2/v2.0/token"): self._token,
            ("GET", "v2.0/.well-known/openid-configuration"): self._discovery,
            ("GET", "discovery/v2.0/keys"): self._keys,
        }
        handler = handlers.get((request.method, endpoint))
        if handler is None:
            return aad_error_response(
                AadError(
                    "invalid_request",
                    900561,
                    "The endpoint only accepts "
                    f"{'POST' if endpoint.endswith('token') else 'GET'} requests.",
                )
            )
        if tenant not in _TENANTS:
            error = AadError(
                "invalid_request",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the "
                "correct tenant ID and are signing into the correct cloud.",
            )
            if endpoint.endswith("authorize"):
                return error_page(error)
            return aad_error_response(error)
        try:
            return await handler(request, tenant)
        except AadError as error:
            if endpoint.endswith("authorize"):
                return error_page(error)
            return aad_error_response(error)

    # -- authorize ------------------------------------------------------------------

    async def _authorize(self, request: Request, tenant: str) -> Response:
        params = dict(request.query_params)
        client = self._client(params.get("client_id"))
        redirect_uri = self._redirect_uri(client, params.get("redirect_uri"))
        response_mode = params.get("response_mode") or "query"
        if response_mode not in _RESPONSE_MODES:
            response_mode = "query"
        try:
            pending = _validate_authorize(
                tenant, client, redirect_uri, response_mode, params
            )
        except _Redirectable as exc:
            return redirect_error(
                redirect_uri, response_mode, exc.error, params.get("state")
            )

        if self._context.behavior("microsoft").auto_consent or self._consented(pending):
            return self._grant(pending)
        if pending.prompt == "none":
            error = AadError(
                "consent_required",
                65001,
                "The user or administrator has not "
                f"consented to use the application with ID '{client.client_id}'.",
            )
            return redirect_error(redirect_uri, response_mode, error, pending.state)

        request_id = secrets.token_urlsafe(18)
        with self._lock:
            self._pending[request_id] = pending
        action = f"{LOGIN_PREFIX}/{tenant}/oauth2/v2.0/authorize"
        return consent_page(
            action,
            request_id,
            pending.account.email,
            client.client_id,
            list(pending.scopes),
        )

    async def _decide(self, request: Request, tenant: str) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        with self._lock:
            pending = self._pending.pop(form.get("request_id", ""), None)
        if pending is None:
            raise AadError(
                "invalid_request",
                90015,
                "The sign-in request has expired or was "
                "already completed. Start the sign-in again.",
            )
        if form.get("decision") != "allow":
            error = AadError(
                "access_denied", 65004, "User declined to consent to access the app."
            )
            return redirect_error(
                pending.redirect_uri, pending.response_mode, error, pending.state
            )
        with self._lock:
            key = (pending.account.email.casefold(), pending.client_id)
            self._consents.setdefault(key, set()).update(pending.scopes)
        return self._grant(pending)

    def _consented(self, pending: AuthorizeRequest) -> bool:
        if pending.prompt in {"consent", "login", "select_account"}:
            return False
        with self._lock:
            granted = self._consents.get(
                (pending.account.email.casefold(), pending.client_id)
            )
        return granted is not None and set(pending.scopes) <= granted

    def _grant(self, pending: AuthorizeRequest) -> Response:
        code = self._issuer.store.issue_code(
            client_id=pending.client_id,
            account=pending.account,
            scopes=pending.scopes,
            redirect_uri=pending.redirect_uri,
            code_challenge=pending.code_challenge,
            challenge_method=pending.challenge_method,
            nonce=pending.nonce,
        )
        params = {"code": code.value}
        if pending.state is not None:
            params["state"] = pending.state
        return redirect_back(pending.redirect_uri, pending.response_mode, params)

    def _client(self, client_id: str | None) -> SandboxClient:
        if not client_id:
            raise missing_parameter("client_id")
        for client in self._context.config.microsoft_clients:
            if client.client_id == client_id:
                return client
        raise AadError(
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' "
            f"was not found in the directory '{TENANT_DOMAIN}'. This can happen if the "
            "application has not been installed by the administrator of the tenant.",
        )

    def _redirect_uri(self, client: SandboxClient, redirect_uri: str | None) -> str:
        if not redirect_uri:
            raise missing_parameter("redirect_uri")
        if not redirect_allowed(client, redirect_uri):
            raise AadError(
                "invalid_request",
                50011,
                f"The redirect URI '{redirect_uri}' specified "
                "in the request does not match the redirect URIs configured for the "
                f"application '{client.client_id}'.",
            )
        return redirect_uri

    # -- token and discovery --------------------------------------------------------

    async def _token(self, request: Request, tenant: str) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        body = self._issuer.exchange(request, tenant, form)
        return JSONResponse(body, headers={"Cache-Control": "no-store, no-cache"})

    async def _discovery(self, request: Request, tenant: str) -> Response:
        return JSONResponse(discovery_document(origin(request), tenant))

    async def _keys(self, request: Request, tenant: str) -> Response:
        return JSONResponse(self._issuer.signer.jwks())


def redirect_allowed(client: SandboxClient, redirect_uri: str) -> bool:
    """Exact match with a registered URI, or any loopback URI when none is."""
    if client.redirect_uris:
        return redirect_uri in client.redirect_uris
    return _LOOPBACK.match(redirect_uri) is not None


def _validate_authorize(
    tenant: str,
    client: SandboxClient,
    redirect_uri: str,
    response_mode: str,
    params: dict[str, str],
) -> AuthorizeRequest:
    if params.get("response_type") != "code":
        raise _Redirectable(
            AadError(
                "unsupported_response_type",
                700054,
                f"response_type '{params.get('response_type', '')}' is not enabled for "
                "the application.",
            )
        )
    requested, unknown = scope_rules.parse(params.get("scope", ""))
    if unknown or not requested:
        shown = unknown[0] if unknown else ""
        raise _Redirectable(
            AadError(
                "invalid_scope",
                70011,
                "The provided value for the input parameter "
                f"'scope' is not valid. The scope '{shown}' does not exist.",
            )
        )
    challenge, method = (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    )
    try:
        method = check_challenge(challenge, method)
    except AadError as error:
        raise _Redirectable(error) from error

    hint = (params.get("login_hint") or "").strip()
    return AuthorizeRequest(
        tenant=tenant,
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        response_mode=response_mode,
        scopes=requested,
        state=params.get("state"),
        account=Account(hint if "@" in hint else DEFAULT_ACCOUNT),
        code_challenge=challenge,
        challenge_method=method,
        nonce=params.get("nonce"),
        prompt=params.get("prompt"),
    )


def discovery_document(base: str, tenant: str) -> dict[str, object]:
    login = f"{base}{LOGIN_PREFIX}"
    issuer_tenant = (
        TENANT_ID
        if tenant not in {"common", "organizations", "consumers"}
        else "{tenantid}"
    )
    return {
        "issuer": f"{login}/{issuer_tenant}/v2.0",
        "authorization_endpoint": f"{login}/{tenant}/oauth2/v2.0/authorize",
        "token_endpoint": f"{login}/{tenant}/oauth2/v2.0/token",
        "jwks_uri": f"{login}/{tenant}/discovery/v2.0/keys",
        "end_session_endpoint": f"{login}/{tenant}/oauth2/v2.0/logout",
        "device_authorization_endpoint": f"{login}/{tenant}/oauth2/v2.0/devicecode",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": [
            "code",
            "id_token",
            "code id_token",
            "id_token token",
        ],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "nbf",
            "name",
            "nonce",
            "oid",
            "preferred_username",
            "tid",
            "ver",
            "email",
        ],
        "request_uri_parameter_supported": False,
        "frontchannel_logout_supported": True,
        "http_logout_supported": True,
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }
