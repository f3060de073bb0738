"""OAuth calls to a provider's authorization server, through Authlib."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2
import structlog

from integration_hub.connections.providers import ProviderConfig
from integration_hub.upstream.errors import (
    InvalidGrantError,
    TransientUpstreamError,
    UpstreamRequestError,
)

TIMEOUT = httpx2.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

log = structlog.get_logger("integration_hub.oauth")


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    expires_in: int
    scope: str
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)


class OAuthClient:
    """Builds authorization URLs and calls the token and revocation endpoints."""

    def __init__(
        self, config: ProviderConfig, transport: httpx2.AsyncBaseTransport
    ) -> None:
        self.config = config
        self._transport = transport

    def _session(self, *, with_scope: bool = True) -> Any:
        # Authlib's client keeps the last token on itself, so each flow gets its
        # own; they share the pooled transport.
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        client = AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scope=" ".join(self.config.scopes) if with_scope else None,
            redirect_uri=self.config.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 -- a method name
            transport=self._transport,
            timeout=TIMEOUT,
        )
        client.register_compliance_hook("access_token_response", self._check_status)
        client.register_compliance_hook("refresh_token_response", self._check_status)
        return client

    def authorization_url(
        self, *, state: str, code_verifier: str, nonce: str | None
    ) -> str:
        params = dict(self.config.extra_authorize_params)
        if nonce is not None:
            params["nonce"] = nonce
        url, _state = self._session().create_authorization_url(
            self.config.authorize_url,
            state=state,
            code_verifier=code_verifier,
            **params,
        )
        return str(url)

    async def exchange_code(self, code: str, code_verifier: str) -> TokenResponse:
        async with self._session() as session:
            token = await self._call(
                session.fetch_token(
                    self.config.token_url,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
            )
        return _token_response(token)

    async def refresh(self, refresh_token: str) -> TokenResponse:
        async with self._session(with_scope=self.config.scope_on_refresh) as session:
            token = await self._call(
                session.refresh_token(
                    self.config.token_url, refresh_token=refresh_token
                )
            )
        response = _token_response(token)
        # Authlib copies the old refresh token in when none came back; only a
        # token the provider really sent counts as rotated.
        if response.refresh_token == refresh_token:
            return TokenResponse(
                response.access_token,
                response.expires_in,
                response.scope,
                None,
                response.id_token,
            )
        return response

    async def revoke(self, token: str) -> None:
        if self.config.revoke_url is None:
            return
        async with httpx2.AsyncClient(
            transport=self._transport, timeout=TIMEOUT
        ) as http:
            try:
                response = await http.post(
                    self.config.revoke_url, data={"token": token}
                )
            except httpx2.TransportError as exc:
                raise self._transient(str(type(exc).__name__)) from exc
        # 400 means the token was already invalid: revoked is revoked.
        if response.status_code >= 500:
            raise self._transient(f"revocation answered {response.status_code}")

    async def _call(self, pending: Any) -> dict[str, Any]:
        from authlib.integrations.base_client.errors import OAuthError

        try:
            token: dict[str, Any] = await pending
        except httpx2.TransportError as exc:
            raise self._transient(type(exc).__name__) from exc
        except OAuthError as exc:
            raise self._refused(
                exc.error or "oauth_error", exc.description or ""
            ) from exc
        except ValueError as exc:
            raise self._transient(
                "token endpoint answered something that is not JSON"
            ) from exc
        return token

    def _check_status(self, response: httpx2.Response) -> httpx2.Response:
        """Authlib treats any JSON as a token; sort out overload answers first."""
        if response.status_code >= 500 or response.status_code == 429:
            retry_after = response.headers.get("retry-after")
            raise TransientUpstreamError(
                f"{self.config.name} token endpoint answered {response.status_code}",
                provider=self.config.name,
                endpoint=self.config.token_url,
                upstream_status=response.status_code,
                body=response.text,
                retry_after=float(retry_after)
                if retry_after and retry_after.isdigit()
                else None,
            )
        return response

    def _transient(self, what: str) -> TransientUpstreamError:
        return TransientUpstreamError(
            f"{self.config.name} authorization server unreachable ({what})",
            provider=self.config.name,
            endpoint=self.config.token_url,
        )

    def _refused(self, error: str, description: str) -> UpstreamRequestError:
        first_line = description.splitlines()[0] if description else ""
        detail = f"{self.config.name} refused the grant: {error} {first_line}".strip()
        error_type = (
            InvalidGrantError if error == "invalid_grant" else UpstreamRequestError
        )
        return error_type(
            detail,
            provider=self.config.name,
            endpoint=self.config.token_url,
            # Not the caller's request that was refused: keep the class's status.
            upstream_status=None,
            body=f"{error}: {first_line}",
        )


def _token_response(token: dict[str, Any]) -> TokenResponse:
    return TokenResponse(
        access_token=str(token["access_token"]),
        expires_in=int(token.get("expires_in") or 3600),
        scope=str(token.get("scope") or ""),
        refresh_token=token.get("refresh_token"),
        id_token=token.get("id_token"),
    )
