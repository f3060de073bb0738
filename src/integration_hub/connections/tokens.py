"""Valid access tokens on demand, refreshed ahead of expiry, one refresh at a time.

A refresh is single-flight per connection: an asyncio lock inside the process, a
Redis lock across instances when Redis is configured, and always a row lock
(PostgreSQL) plus a compare-and-swap on ``token_version``, so that a refresh that
lost a race never overwrites the winner. Whoever takes the lock reads the row
again first: the token it came for may be fresh by then.

Valid tokens are cached, sealed, in Redis when configured (so that a disconnect
on one instance is seen by all) and otherwise in process memory.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
import weakref
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog

from integration_hub.connections.models import Connection
from integration_hub.connections.repository import ConnectionRepository
from integration_hub.connections.vault import SecretOwner, VaultError
from integration_hub.db.base import utcnow
from integration_hub.errors import HubError, NotFoundError
from integration_hub.observability.audit import AuditEvent, append
from integration_hub.upstream.errors import InvalidGrantError, TransientUpstreamError

if TYPE_CHECKING:
    from integration_hub.connections.runtime import ConnectionRuntime

REDIS_LOCK_TIMEOUT = 30.0
REDIS_CACHE_PREFIX = "hub:token:"
REDIS_LOCK_PREFIX = "hub:lock:refresh:"
# After a transient refresh failure, callers wait this long before trying again.
TRANSIENT_BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)

log = structlog.get_logger("integration_hub.tokens")


class NeedsReauthError(HubError):
    status_code = 409
    code = "needs_reauth"


@dataclass(frozen=True)
class CachedToken:
    user_id: uuid.UUID
    token: str
    expires_at: float  # epoch seconds

    def usable(self, lead: float) -> bool:
        return self.expires_at - lead > time.time()


class TokenManager:
    def __init__(self, runtime: ConnectionRuntime) -> None:
        self.runtime = runtime
        self.lead = float(runtime.settings.refresh_lead_seconds)
        self._local: dict[uuid.UUID, CachedToken] = {}
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._failures: dict[uuid.UUID, tuple[int, float]] = {}
        self.upstream_refreshes = 0

    async def access_token(
        self,
        user_id: uuid.UUID,
        connection_id: uuid.UUID,
        *,
        rejected: str | None = None,
    ) -> str:
        """A valid access token for the user's connection.

        ``rejected`` is a token the provider just answered 401 to: it is refreshed
        unless someone else has replaced it already.
        """
        token = self._valid(await self._cached(connection_id), user_id, rejected)
        if token is not None:
            return token

        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            token = self._valid(await self._cached(connection_id), user_id, rejected)
            if token is not None:
                return token
            async with self._distributed_lock(connection_id):
                return await self._refresh_if_needed(user_id, connection_id, rejected)

    async def forget(self, connection_id: uuid.UUID) -> None:
        self._local.pop(connection_id, None)
        if self.runtime.redis is not None:
            await self.runtime.redis.delete(REDIS_CACHE_PREFIX + str(connection_id))

    async def _refresh_if_needed(
        self, user_id: uuid.UUID, connection_id: uuid.UUID, rejected: str | None
    ) -> str:
        async with self.runtime.sessions() as session:
            try:
                fresh = await self._read_or_refresh(
                    ConnectionRepository(session), user_id, connection_id, rejected
                )
            except NeedsReauthError:
                # Keep the needs_reauth mark and its audit entry.
                await session.commit()
                raise
            await session.commit()
        await self._remember(connection_id, fresh)
        return fresh.token

    async def _read_or_refresh(
        self,
        repository: ConnectionRepository,
        user_id: uuid.UUID,
        connection_id: uuid.UUID,
        rejected: str | None,
    ) -> CachedToken:
        connection = await repository.get_for_update(connection_id)
        if connection is None or connection.user_id != user_id:
            raise NotFoundError("no such connection")
        if connection.status == "needs_reauth":
            raise NeedsReauthError(
                f"the {connection.provider} account must be connected again: "
                f"{connection.status_reason}"
            )

        current = self._stored_access_token(connection)
        if self._valid(current, user_id, rejected) is not None:
            assert current is not None
            return current
        return await self._refresh(repository, connection, current)

    def _valid(
        self, cached: CachedToken | None, user_id: uuid.UUID, rejected: str | None
    ) -> str | None:
        if (
            cached is None
            or cached.user_id != user_id
            or cached.token == rejected
            or not cached.usable(self.lead)
        ):
            return None
        return cached.token

    async def _refresh(
        self,
        repository: ConnectionRepository,
        connection: Connection,
        current: CachedToken | None,
    ) -> CachedToken:
        self._wait_out_backoff(connection)
        vault = self.runtime.vault
        owner = connection.secret_owner
        if connection.refresh_token is None:
            await self._mark_needs_reauth(repository, connection, "no refresh token")
            raise NeedsReauthError("the connection holds no refresh token")

        refresh_token = vault.open(connection.refresh_token, owner("refresh_token"))
        client = self.runtime.oauth_client(connection.provider)
        started = time.perf_counter()
        try:
            self.upstream_refreshes += 1
            tokens = await client.refresh(refresh_token)
        except InvalidGrantError as exc:
            self._count_refresh(connection.provider, "invalid_grant")
            await self._mark_needs_reauth(repository, connection, exc.detail)
            raise NeedsReauthError(exc.detail) from exc
        except TransientUpstreamError:
            self._count_refresh(connection.provider, "transient_error")
            self._note_failure(connection.id)
            if current is not None and current.expires_at > time.time():
                # Still valid, only inside the lead window: use it meanwhile.
                return current
            raise

        self._count_refresh(connection.provider, "success")
        self._failures.pop(connection.id, None)
        values: dict[str, object] = {
            "access_token": vault.seal(tokens.access_token, owner("access_token")),
            "access_token_expires_at": utcnow() + timedelta(seconds=tokens.expires_in),
            "last_refreshed_at": utcnow(),
        }
        # Microsoft replaces the refresh token every time; store the new one in the
        # same write as the access token it came with.
        if tokens.refresh_token is not None:
            values["refresh_token"] = vault.seal(
                tokens.refresh_token, owner("refresh_token")
            )
        if not await repository.compare_and_set_tokens(
            connection.id, connection.token_version, values
        ):
            raise TransientUpstreamError(
                "connection tokens changed during refresh",
                provider=connection.provider,
                endpoint=client.config.token_url,
            )
        await append(
            repository.session,
            AuditEvent(
                action="connection.refreshed",
                outcome="success",
                user_id=connection.user_id,
                connection_id=connection.id,
                target=connection.provider,
                duration_ms=(time.perf_counter() - started) * 1000,
                details={"rotated_refresh_token": tokens.refresh_token is not None},
            ),
        )
        log.info(
            "oauth.token.refreshed",
            connection_id=str(connection.id),
            provider=connection.provider,
            rotated=tokens.refresh_token is not None,
        )
        return CachedToken(
            connection.user_id, tokens.access_token, time.time() + tokens.expires_in
        )

    async def _mark_needs_reauth(
        self, repository: ConnectionRepository, connection: Connection, reason: str
    ) -> None:
        await repository.compare_and_set_tokens(
            connection.id,
            connection.token_version,
            {"status": "needs_reauth", "status_reason": reason[:500]},
        )
        await append(
            repository.session,
            AuditEvent(
                action="connection.refresh_failed",
                outcome="failure",
                user_id=connection.user_id,
                connection_id=connection.id,
                target=connection.provider,
                details={"reason": reason[:500], "needs_reauth": True},
            ),
        )
        log.warning(
            "oauth.token.needs_reauth",
            connection_id=str(connection.id),
            provider=connection.provider,
            reason=reason,
        )
        await self.forget(connection.id)

    def _count_refresh(self, provider: str, outcome: str) -> None:
        if self.runtime.metrics is not None:
            self.runtime.metrics.token_refresh(provider=provider, outcome=outcome)

    def _stored_access_token(self, connection: Connection) -> CachedToken | None:
        if (
            connection.access_token is None
            or connection.access_token_expires_at is None
        ):
            return None
        try:
            token = self.runtime.vault.open(
                connection.access_token, connection.secret_owner("access_token")
            )
        except VaultError:
            return None
        return CachedToken(
            connection.user_id, token, connection.access_token_expires_at.timestamp()
        )

    def _note_failure(self, connection_id: uuid.UUID) -> None:
        count, _ = self._failures.get(connection_id, (0, 0.0))
        delay = TRANSIENT_BACKOFF[min(count, len(TRANSIENT_BACKOFF) - 1)]
        self._failures[connection_id] = (count + 1, time.monotonic() + delay)

    def _wait_out_backoff(self, connection: Connection) -> None:
        count, until = self._failures.get(connection.id, (0, 0.0))
        remaining = until - time.monotonic()
        if remaining > 0:
            raise TransientUpstreamError(
                f"refresh failed {count} time(s) just now; retrying after a pause",
                provider=connection.provider,
                endpoint=self.runtime.oauth_client(
                    connection.provider
                ).config.token_url,
                retry_after=remaining,
            )

    async def _cached(self, connection_id: uuid.UUID) -> CachedToken | None:
        redis = self.runtime.redis
        if redis is None:
            return self._local.get(connection_id)

        raw = await redis.get(REDIS_CACHE_PREFIX + str(connection_id))
        if raw is None:
            return None
        entry = json.loads(raw)
        owner = SecretOwner(
            uuid.UUID(entry["user_id"]), "cache", connection_id, "access_token"
        )
        try:
            token = self.runtime.vault.open(bytes.fromhex(entry["sealed"]), owner)
        except VaultError:
            return None
        return CachedToken(owner.user_id, token, float(entry["expires_at"]))

    async def _remember(self, connection_id: uuid.UUID, token: CachedToken) -> None:
        redis = self.runtime.redis
        if redis is None:
            self._local[connection_id] = token
            return

        owner = SecretOwner(token.user_id, "cache", connection_id, "access_token")
        entry = {
            "user_id": str(token.user_id),
            "sealed": self.runtime.vault.seal(token.token, owner).hex(),
            "expires_at": token.expires_at,
        }
        ttl = max(1, int(token.expires_at - time.time()))
        await redis.set(
            REDIS_CACHE_PREFIX + str(connection_id), json.dumps(entry), ex=ttl
        )

    def _distributed_lock(
        self, connection_id: uuid.UUID
    ) -> AbstractAsyncContextManager[Any]:
        redis = self.runtime.redis
        if redis is None:
            return nullcontext()
        return redis.lock(
            REDIS_LOCK_PREFIX + str(connection_id),
            timeout=REDIS_LOCK_TIMEOUT,
            blocking_timeout=REDIS_LOCK_TIMEOUT,
        )
