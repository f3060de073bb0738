"""Connecting accounts: the authorization code flow with PKCE, start to finish.

A flow starts with a state: random, stored only as its hash, single-use, valid
for ten minutes and bound to the hub user, provider, redirect URI and the PKCE
verifier (sealed in the vault). Completing a flow checks all of that before it
touches anything, so a forged, replayed, expired or foreign state changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog

from integration_hub.connections.client import TokenResponse
from integration_hub.connections.identity import identity_from_id_token
from integration_hub.connections.models import Connection, OAuthState
from integration_hub.connections.providers import ProviderName
from integration_hub.connections.repository import ConnectionRepository
from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.vault import SecretOwner
from integration_hub.db.base import utcnow
from integration_hub.errors import BadRequestError, HubError, NotFoundError
from integration_hub.observability.audit import AuditEvent, append
from integration_hub.upstream.errors import InvalidGrantError

STATE_TTL = timedelta(minutes=10)
VERIFIER_BYTES = 64  # 86 characters, inside RFC 7636's 43 to 128

log = structlog.get_logger("integration_hub.connections")


class InvalidStateError(BadRequestError):
    code = "invalid_state"


@dataclass(frozen=True)
class AuthorizationStart:
    auth_url: str
    state: str


def hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def safe_return_path(return_to: str | None) -> str | None:
    """Accept only a path on the hub's own origin: no scheme, host or ``//``."""
    if not return_to:
        return None
    if (
        not return_to.startswith("/")
        or return_to.startswith("//")
        or "\\" in return_to
        or any(ord(c) < 32 for c in return_to)
    ):
        raise BadRequestError(
            "return_to must be a path on the hub itself, such as /connections",
            code="invalid_return_to",
        )
    return return_to


class ConnectionService:
    def __init__(self, runtime: ConnectionRuntime) -> None:
        self.runtime = runtime

    async def start(
        self, user_id: uuid.UUID, provider: ProviderName, return_to: str | None
    ) -> AuthorizationStart:
        client = self.runtime.oauth_client(provider)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(VERIFIER_BYTES)
        nonce = secrets.token_urlsafe(16)
        record = OAuthState(
            id=uuid.uuid4(),
            state_hash=hash_state(state),
            user_id=user_id,
            provider=provider,
            redirect_uri=client.config.redirect_uri,
            nonce=nonce,
            return_to=safe_return_path(return_to),
            expires_at=utcnow() + STATE_TTL,
        )
        record.code_verifier = self.runtime.vault.seal(
            verifier, _verifier_owner(record)
        )

        async with self.runtime.sessions() as session, session.begin():
            repository = ConnectionRepository(session)
            await repository.delete_expired_states(utcnow() - STATE_TTL)
            await repository.add_state(record)

        url = client.authorization_url(state=state, code_verifier=verifier, nonce=nonce)
        return AuthorizationStart(auth_url=url, state=state)

    async def complete(
        self,
        provider: ProviderName,
        *,
        code: str,
        state: str,
        user_id: uuid.UUID | None,
        request_id: str | None = None,
    ) -> tuple[Connection, str | None]:
        """Finish a flow; returns the connection and the state's return path.

        ``user_id`` is the caller when the flow is completed through the API;
        None in the browser callback, where the state alone names the user.
        """
        pending = await self._take_state(provider, state, user_id)
        verifier = self.runtime.vault.open(
            pending.code_verifier, _verifier_owner(pending)
        )

        client = self.runtime.oauth_client(provider)
        try:
            tokens = await client.exchange_code(code, verifier)
        except InvalidGrantError as exc:
            # At this point invalid_grant is about the code, not a stored grant.
            raise BadRequestError(exc.detail, code="invalid_code") from exc
        identity = identity_from_id_token(
            tokens.id_token, client_id=client.config.client_id, nonce=pending.nonce
        )

        async with self.runtime.sessions() as session, session.begin():
            repository = ConnectionRepository(session)
            connection = await repository.find_account(
                pending.user_id, provider, identity.account_id
            )
            created = connection is None
            if connection is None:
                connection = Connection(
                    id=uuid.uuid4(),
                    user_id=pending.user_id,
                    provider=provider,
                    account_id=identity.account_id,
                    token_version=0,
                )
                await repository.add(connection)
            connection.account_email = identity.email
            self._store_tokens(connection, tokens)
            await append(
                session,
                AuditEvent(
                    action="connection.connected"
                    if created
                    else "connection.reconnected",
                    outcome="success",
                    user_id=pending.user_id,
                    connection_id=connection.id,
                    target=f"{provider}:{identity.email or identity.account_id}",
                    request_id=request_id,
                ),
            )

        await self.runtime.tokens.forget(connection.id)
        log.info(
            "connection.connected",
            connection_id=str(connection.id),
            provider=provider,
            created=created,
        )
        return connection, pending.return_to

    async def _take_state(
        self, provider: ProviderName, state: str, user_id: uuid.UUID | None
    ) -> OAuthState:
        state_hash = hash_state(state)
        async with self.runtime.sessions() as session, session.begin():
            repository = ConnectionRepository(session)
            pending = await repository.find_state(state_hash)
            if pending is None:
                raise InvalidStateError("unknown state: this flow was not started here")
            if pending.consumed_at is not None:
                raise InvalidStateError("this state was used already; start again")
            if pending.expires_at < utcnow():
                raise InvalidStateError("this state has expired; start again")
            if pending.provider != provider:
                raise InvalidStateError(
                    f"this state belongs to a {pending.provider} flow"
                )
            if user_id is not None and pending.user_id != user_id:
                raise InvalidStateError("this state belongs to another user")
            if await repository.consume_state(state_hash, utcnow()) is None:
                raise InvalidStateError("this state was used already; start again")
        return pending

    def _store_tokens(self, connection: Connection, tokens: TokenResponse) -> None:
        vault = self.runtime.vault
        owner = connection.secret_owner
        connection.access_token = vault.seal(tokens.access_token, owner("access_token"))
        connection.access_token_expires_at = utcnow() + timedelta(
            seconds=tokens.expires_in
        )
        # Google sends no refresh token when the user consents again; the stored
        # one stays valid and is kept.
        if tokens.refresh_token is not None:
            connection.refresh_token = vault.seal(
                tokens.refresh_token, owner("refresh_token")
            )
        connection.scopes = tokens.scope or connection.scopes or ""
        connection.status = "active"
        connection.status_reason = None
        connection.token_version = (connection.token_version or 0) + 1
        connection.last_refreshed_at = utcnow()

    async def get(self, user_id: uuid.UUID, connection_id: uuid.UUID) -> Connection:
        async with self.runtime.sessions() as session:
            connection = await ConnectionRepository(session).get(user_id, connection_id)
        if connection is None:
            raise NotFoundError("no such connection")
        return connection

    async def pick(
        self, user_id: uuid.UUID, provider: str, connection_id: uuid.UUID | None
    ) -> Connection:
        """The connection an operation runs on: the one named, or the only one."""
        if connection_id is not None:
            connection = await self.get(user_id, connection_id)
            if connection.provider != provider:
                raise BadRequestError(
                    f"connection {connection_id} is a {connection.provider} connection"
                )
            return connection

        async with self.runtime.sessions() as session:
            # Two are enough to know whether the choice is ambiguous.
            candidates = await ConnectionRepository(session).for_provider(
                user_id, provider, limit=2
            )
        if not candidates:
            raise NotFoundError(f"no {provider} connection: connect an account first")
        if len(candidates) > 1:
            raise BadRequestError(
                f"you have several {provider} connections: say which with connection_id"
            )
        return candidates[0]

    async def list_page(
        self, user_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> list[Connection]:
        async with self.runtime.sessions() as session:
            page = await ConnectionRepository(session).list_page(
                user_id, after=after, limit=limit
            )
        return list(page)

    async def disconnect(
        self, user_id: uuid.UUID, connection_id: uuid.UUID, request_id: str | None
    ) -> None:
        """Revoke upstream where the provider can, then forget the secrets."""
        connection = await self.get(user_id, connection_id)
        revoked = await self._revoke_upstream(connection)

        async with self.runtime.sessions() as session, session.begin():
            repository = ConnectionRepository(session)
            fresh = await repository.get(user_id, connection_id)
            if fresh is not None:
                await repository.delete(fresh)
            await append(
                session,
                AuditEvent(
                    action="connection.disconnected",
                    outcome="success",
                    user_id=user_id,
                    connection_id=connection_id,
                    target=f"{connection.provider}:{connection.account_email or ''}",
                    request_id=request_id,
                    details={"revoked_upstream": revoked},
                ),
            )
        await self.runtime.tokens.forget(connection_id)

    async def _revoke_upstream(self, connection: Connection) -> bool:
        client = self.runtime.oauth_client(connection.provider)
        if client.config.revoke_url is None or connection.refresh_token is None:
            return False
        token = self.runtime.vault.open(
            connection.refresh_token, connection.secret_owner("refresh_token")
        )
        try:
            await client.revoke(token)
        except HubError as exc:
            # The user asked to disconnect; an unreachable provider must not stop
            # the hub from forgetting the tokens.
            log.warning(
                "connection.revoke_failed",
                connection_id=str(connection.id),
                error=exc.detail,
            )
            return False
        return True


def _verifier_owner(state: OAuthState) -> SecretOwner:
    return SecretOwner(state.user_id, state.provider, state.id, "code_verifier")
