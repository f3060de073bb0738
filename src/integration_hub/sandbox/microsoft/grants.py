"""The token endpoint's grants: authorization code and refresh token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request

from ..base import SandboxClient, SandboxContext
from . import scopes as scope_rules
from .accounts import TENANT_DOMAIN, TENANT_ID, Account, Clock
from .asgi import LOGIN_PREFIX, origin
from .errors import AadError
from .pkce import verifier_matches
from .signing import Signer, b64url
from .tokens import ADMIN_CLIENT_ID, AuthCode, RefreshToken, TokenStore


def missing_parameter(name: str) -> AadError:
    return AadError(
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
    )


class TokenIssuer:
    """Checks token requests and mints the tokens they earn."""

    def __init__(self, context: SandboxContext, clock: Clock) -> None:
        self._context = context
        self._clock = clock
        self.store = TokenStore(clock)
        self.signer = Signer()

    def issue_admin(
        self, account: str, scopes: list[str], expires_in: int | None
    ) -> dict[str, Any]:
        """A token for ``account`` without any sign-in, for the admin API."""
        ttl = expires_in or self._context.behavior("microsoft").access_token_ttl
        granted = tuple(scope_rules.normalize(s) or s for s in scopes)
        token = self.store.issue_access(
            Account(account), ADMIN_CLIENT_ID, granted, ttl, "admin"
        )
        return {"access_token": token.value, "expires_in": ttl}

    def exchange(
        self, request: Request, tenant: str, form: dict[str, str]
    ) -> dict[str, Any]:
        client, has_secret = self._authenticate(request, form)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise missing_parameter("grant_type")

        if grant_type == "authorization_code":
            return self._redeem_code(request, tenant, client, has_secret, form)
        if grant_type == "refresh_token":
            return self._refresh(request, tenant, client, has_secret, form)
        raise AadError(
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
        )

    def _authenticate(
        self, request: Request, form: dict[str, str]
    ) -> tuple[SandboxClient, bool]:
        """The client, and whether it proved itself with a (correct) secret."""
        client_id, secret = _basic_credentials(request)
        client_id = client_id or form.get("client_id")
        secret = secret if secret is not None else form.get("client_secret")
        if not client_id:
            raise missing_parameter("client_id")

        client = next(
            (
                c
                for c in self._context.config.microsoft_clients
                if c.client_id == client_id
            ),
            None,
        )
        if client is None:
            raise AadError(
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the "
                f"directory '{TENANT_DOMAIN}'.",
            )
        if secret is not None and not hmac.compare_digest(
            secret.encode(), client.client_secret.encode()
        ):
            raise AadError(
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID, for a "
                f"secret added to app '{client_id}'.",
                status=401,
            )
        return client, secret is not None

    def _redeem_code(
        self,
        request: Request,
        tenant: str,
        client: SandboxClient,
        has_secret: bool,
        form: dict[str, str],
    ) -> dict[str, Any]:
        value = form.get("code")
        if not value:
            raise missing_parameter("code")
        redirect_uri = form.get("redirect_uri")
        if not redirect_uri:
            raise missing_parameter("redirect_uri")

        def check(code: AuthCode) -> None:
            _check_code(code, client, has_secret, redirect_uri, form)

        code = self.store.redeem_code(value, check)
        scopes = code.scopes
        if form.get("scope"):
            scopes = self._narrow(client, scopes, form["scope"])
        return self._respond(
            request,
            tenant,
            client,
            code.account,
            scopes,
            nonce=code.nonce,
            public=not has_secret,
            client_info=form.get("client_info") == "1",
        )

    def _refresh(
        self,
        request: Request,
        tenant: str,
        client: SandboxClient,
        has_secret: bool,
        form: dict[str, str],
    ) -> dict[str, Any]:
        value = form.get("refresh_token")
        if not value:
            raise missing_parameter("refresh_token")
        old = self.store.use_refresh(value)
        if old.client_id != client.client_id:
            raise AadError(
                "invalid_grant",
                700005,
                "Provided Authorization Code is intended to use against other tenant "
                "or client, thus rejected.",
            )
        if not has_secret and not old.public:
            raise _secret_required()

        scopes = old.scopes
        if form.get("scope"):
            scopes = self._narrow(client, scopes, form["scope"])
        return self._respond(
            request,
            tenant,
            client,
            old.account,
            scopes,
            nonce=None,
            public=old.public,
            client_info=form.get("client_info") == "1",
            replaces=old,
        )

    def _narrow(
        self, client: SandboxClient, granted: tuple[str, ...], raw: str
    ) -> tuple[str, ...]:
        """Scopes asked at the token endpoint: known, and within the consent."""
        requested, unknown = scope_rules.parse(raw)
        if unknown:
            raise AadError(
                "invalid_scope",
                70011,
                "The provided value for the input parameter 'scope' is not valid. "
                f"The scope '{unknown[0]}' does not exist.",
            )
        wanted = set(scope_rules.resource_scopes(requested))
        if not wanted <= set(granted):
            raise AadError(
                "invalid_grant",
                65001,
                "The user or administrator has not consented to use the application "
                f"with ID '{client.client_id}'. Send an interactive authorization "
                "request for this user and resource.",
            )
        # Sign-in scopes stay with the grant; the resource part is narrowed.
        return tuple(s for s in granted if s in wanted or s in scope_rules.OIDC_SCOPES)

    def _respond(
        self,
        request: Request,
        tenant: str,
        client: SandboxClient,
        account: Account,
        scopes: tuple[str, ...],
        *,
        nonce: str | None,
        public: bool,
        client_info: bool,
        replaces: RefreshToken | None = None,
    ) -> dict[str, Any]:
        ttl = self._context.behavior("microsoft").access_token_ttl
        access = self.store.issue_access(
            account,
            client.client_id,
            scopes,
            ttl,
            "refresh_token" if replaces else "authorization_code",
        )
        shown = [s for s in scopes if s != "offline_access"]
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(shown),
            "expires_in": ttl,
            "ext_expires_in": ttl,
            "access_token": access.value,
        }
        if "offline_access" in scopes:
            fresh = self.store.issue_refresh(account, client.client_id, scopes, public)
            if replaces is not None:
                self.store.rotate(replaces, fresh)
            body["refresh_token"] = fresh.value
        if "openid" in scopes:
            body["id_token"] = self.id_token(request, tenant, client, account, nonce)
        if client_info:
            info = {"uid": account.oid, "utid": TENANT_ID}
            body["client_info"] = b64url(json.dumps(info).encode())
        return body

    def id_token(
        self,
        request: Request,
        tenant: str,
        client: SandboxClient,
        account: Account,
        nonce: str | None,
    ) -> str:
        now = int(self._clock.now())
        subject = hashlib.sha256(f"{account.oid}:{client.client_id}".encode()).digest()
        claims: dict[str, Any] = {
            "ver": "2.0",
            "iss": f"{origin(request)}{LOGIN_PREFIX}/{TENANT_ID}/v2.0",
            "sub": b64url(subject[:24]),
            "aud": client.client_id,
            "exp": now + 3600,
            "iat": now,
            "nbf": now,
            "name": account.display_name,
            "preferred_username": account.email,
            "email": account.email,
            "oid": account.oid,
            "tid": TENANT_ID,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return self.signer.sign(claims)


def _check_code(
    code: AuthCode,
    client: SandboxClient,
    has_secret: bool,
    redirect_uri: str,
    form: dict[str, str],
) -> None:
    """Everything a code redemption must satisfy besides being fresh and unused."""
    if code.client_id != client.client_id:
        raise AadError(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant "
            "or client, thus rejected.",
        )
    if code.redirect_uri != redirect_uri:
        raise AadError(
            "invalid_grant",
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not "
            "match the redirect URI used in the authorization request for the "
            f"application '{client.client_id}'.",
        )
    if code.code_challenge is not None and code.challenge_method is not None:
        verifier = form.get("code_verifier")
        if not verifier:
            raise missing_parameter("code_verifier")
        if not verifier_matches(verifier, code.code_challenge, code.challenge_method):
            raise AadError(
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in "
                "the authorization request.",
            )
    elif not has_secret:
        raise _secret_required()


def _secret_required() -> AadError:
    return AadError(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' "
        "or 'client_secret'.",
        status=401,
    )


def _basic_credentials(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 has both halves form-encoded before they are joined.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
