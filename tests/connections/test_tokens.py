"""Access tokens on demand: refresh ahead of expiry, single-flight, rotation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from integration_hub.connections.models import Connection
from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.tokens import NeedsReauthError
from integration_hub.connections.vault import TokenVault
from integration_hub.context import HubContext
from integration_hub.db.base import utcnow
from integration_hub.upstream.errors import TransientUpstreamError
from tests.support.live import Hub

pytestmark = pytest.mark.anyio

TOKEN_PATHS = {
    "google": "/sandbox/google/oauth2/token",
    "microsoft": "/sandbox/microsoft/login/common/oauth2/v2.0/token",
}


async def expire_access_token(context: HubContext, connection_id: uuid.UUID) -> None:
    async with context.sessions() as session, session.begin():
        await session.execute(
            update(Connection)
            .where(Connection.id == connection_id)
            .values(access_token_expires_at=utcnow() - timedelta(minutes=1))
        )


async def load(context: HubContext, connection_id: uuid.UUID) -> Connection:
    async with context.sessions() as session:
        connection = await session.scalar(
            select(Connection).where(Connection.id == connection_id)
        )
    assert connection is not None
    return connection


async def refreshes_since(hub: Hub, provider: str, since: int) -> int:
    entries = await hub.requests_since(provider, since)
    return sum(
        1
        for e in entries
        if e["path"] == TOKEN_PATHS[provider] and e["method"] == "POST"
    )


async def connected(hub: Hub, provider: str) -> tuple[uuid.UUID, uuid.UUID]:
    connection = await hub.connect(provider)
    return uuid.UUID(str(connection["id"])), await user_id_of(hub)


async def user_id_of(hub: Hub) -> uuid.UUID:
    me = await hub.http.get("/api/v1/integrations/me", headers=hub.auth)
    return uuid.UUID(me.json()["id"])


class TestAccessToken:
    @pytest.mark.parametrize("provider", ["google", "microsoft"])
    async def test_valid_token_is_served_without_upstream_calls(
        self, hub: Hub, runtime: ConnectionRuntime, provider: str
    ) -> None:
        """A token far from expiry is returned as stored, no refresh."""
        connection_id, user_id = await connected(hub, provider)
        since = await hub.last_sequence()

        first = await runtime.tokens.access_token(user_id, connection_id)
        second = await runtime.tokens.access_token(user_id, connection_id)

        assert first == second
        assert await refreshes_since(hub, provider, since) == 0

    @pytest.mark.parametrize("provider", ["google", "microsoft"])
    async def test_fifty_concurrent_callers_cause_one_refresh(
        self, hub: Hub, runtime: ConnectionRuntime, context: HubContext, provider: str
    ) -> None:
        """Single flight: 50 callers on an expired token, one refresh upstream."""
        connection_id, user_id = await connected(hub, provider)
        await expire_access_token(context, connection_id)
        since = await hub.last_sequence()

        tokens = await asyncio.gather(
            *(runtime.tokens.access_token(user_id, connection_id) for _ in range(50))
        )

        assert len(set(tokens)) == 1
        assert await refreshes_since(hub, provider, since) == 1
        access = [t["value"] for t in await hub.issued(provider, "access_tokens")]
        assert tokens[0] in access

    async def test_two_instances_share_one_refresh(
        self,
        hub: Hub,
        runtime: ConnectionRuntime,
        context: HubContext,
        live_settings: object,
    ) -> None:
        """Two hub instances on one database (and Redis) refresh once between them."""
        if context.redis is None and context.settings.is_sqlite:
            pytest.skip("instances share refresh locks through PostgreSQL or Redis")
        connection_id, user_id = await connected(hub, "microsoft")
        await expire_access_token(context, connection_id)
        other = ConnectionRuntime(
            runtime.settings,
            context.sessions,
            context.redis,
            TokenVault(runtime.settings.keys),
        )
        since = await hub.last_sequence()

        try:
            tokens = await asyncio.gather(
                *(
                    instance.tokens.access_token(user_id, connection_id)
                    for instance in (runtime, other) * 25
                )
            )
        finally:
            await other.close()

        assert len(set(tokens)) == 1
        assert await refreshes_since(hub, "microsoft", since) == 1

    async def test_microsoft_rotated_refresh_token_is_stored(
        self, hub: Hub, runtime: ConnectionRuntime, context: HubContext
    ) -> None:
        """After each refresh the stored refresh token is Microsoft's newest one."""
        connection_id, user_id = await connected(hub, "microsoft")

        for _ in range(2):
            await expire_access_token(context, connection_id)
            await runtime.tokens.forget(connection_id)
            await runtime.tokens.access_token(user_id, connection_id)

            connection = await load(context, connection_id)
            assert connection.refresh_token is not None
            stored = runtime.vault.open(
                connection.refresh_token, connection.secret_owner("refresh_token")
            )
            live = [
                t["value"]
                for t in await hub.issued("microsoft", "refresh_tokens")
                if t["state"] == "active"
            ]
            assert live == [stored]

    async def test_rejected_token_is_refreshed_once(
        self, hub: Hub, runtime: ConnectionRuntime
    ) -> None:
        """A token the provider answered 401 to is replaced by a fresh one."""
        connection_id, user_id = await connected(hub, "google")
        old = await runtime.tokens.access_token(user_id, connection_id)
        since = await hub.last_sequence()

        new = await runtime.tokens.access_token(user_id, connection_id, rejected=old)
        again = await runtime.tokens.access_token(user_id, connection_id, rejected=old)

        assert new != old
        assert again == new
        assert await refreshes_since(hub, "google", since) == 1

    async def test_other_users_connection_is_not_found(
        self, hub: Hub, runtime: ConnectionRuntime
    ) -> None:
        """A token is only ever handed to the connection's owner."""
        connection_id, _user_id = await connected(hub, "google")

        with pytest.raises(Exception, match="no such connection"):
            await runtime.tokens.access_token(uuid.uuid4(), connection_id)


class TestRefreshFailures:
    async def test_revoked_grant_turns_the_connection_to_needs_reauth(
        self, hub: Hub, runtime: ConnectionRuntime, context: HubContext
    ) -> None:
        """A grant revoked at Google moves the connection to needs_reauth."""
        connection_id, user_id = await connected(hub, "google")
        for token in await hub.issued("google", "refresh_tokens"):
            await hub.http.post(
                "/sandbox/google/oauth2/revoke", data={"token": str(token["value"])}
            )
        await expire_access_token(context, connection_id)

        with pytest.raises(NeedsReauthError):
            await runtime.tokens.access_token(user_id, connection_id)

        listed = await hub.http.get(
            "/api/v1/integrations/connections", headers=hub.auth
        )
        item = listed.json()["items"][0]
        assert item["status"] == "needs_reauth"
        assert "invalid_grant" in item["status_reason"]
        health = await hub.http.get("/api/v1/integrations/health")
        assert health.json()["connections_needing_reauth"] == 1

    async def test_outage_backs_off_without_breaking_the_connection(
        self, hub: Hub, runtime: ConnectionRuntime, context: HubContext
    ) -> None:
        """Transient refresh failures are reported and leave the connection active."""
        connection_id, user_id = await connected(hub, "google")
        await expire_access_token(context, connection_id)
        await hub.behave("google", error_rate=1.0, error_statuses=[503], seed=1)
        since = await hub.last_sequence()

        with pytest.raises(TransientUpstreamError):
            await runtime.tokens.access_token(user_id, connection_id)
        with pytest.raises(TransientUpstreamError) as backoff:
            await runtime.tokens.access_token(user_id, connection_id)
        await hub.behave("google", error_rate=0.0)

        assert backoff.value.retry_after is not None
        assert await refreshes_since(hub, "google", since) == 1
        assert (await load(context, connection_id)).status == "active"

    async def test_token_still_valid_is_used_when_refresh_fails(
        self, hub: Hub, runtime: ConnectionRuntime, context: HubContext
    ) -> None:
        """Inside the lead window, a failed refresh falls back to the valid token."""
        connection_id, user_id = await connected(hub, "google")
        async with context.sessions() as session, session.begin():
            await session.execute(
                update(Connection)
                .where(Connection.id == connection_id)
                .values(access_token_expires_at=utcnow() + timedelta(minutes=2))
            )
        await hub.behave("google", error_rate=1.0, error_statuses=[500], seed=2)

        token = await runtime.tokens.access_token(user_id, connection_id)
        await hub.behave("google", error_rate=0.0)

        assert token
        assert (await load(context, connection_id)).status == "active"


async def test_refreshes_are_counted_in_the_metrics(
    hub: Hub, context: HubContext
) -> None:
    """A refresh the live hub makes for an operation shows in /metrics."""
    connection_id, _user_id = await connected(hub, "google")
    await expire_access_token(context, connection_id)

    response = await hub.http.post(
        "/api/v1/integrations/google/spreadsheets",
        json={"title": "t"},
        headers=hub.auth,
    )

    assert response.status_code == 201, response.text
    metrics = (await hub.http.get("/metrics")).text
    line = next(
        line
        for line in metrics.splitlines()
        if line.startswith("hub_token_refreshes_total{")
        and 'provider="google"' in line
        and 'outcome="success"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 1.0
