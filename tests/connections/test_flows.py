"""Connecting accounts end to end: hub over HTTP, sandbox over HTTP, real database."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from sqlalchemy import func, select, update

from integration_hub.connections.models import Connection, OAuthState
from integration_hub.connections.service import hash_state
from integration_hub.context import HubContext
from integration_hub.db.base import utcnow
from tests.support.live import Hub
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

PROVIDERS = ["google", "microsoft"]


async def count_connections(context: HubContext) -> int:
    async with context.sessions() as session:
        return int(await session.scalar(select(func.count(Connection.id))) or 0)


class TestConnect:
    @pytest.mark.parametrize("provider", PROVIDERS)
    @pytest.mark.parametrize("via", ["callback", "authenticate"])
    async def test_full_flow_creates_an_active_connection(
        self, hub: Hub, provider: str, via: str
    ) -> None:
        """Both providers connect through the callback and through authenticate."""
        connection = await hub.connect(provider, via=via)

        assert connection["provider"] == provider
        assert connection["status"] == "active"
        assert connection["account_email"]
        assert not {"access_token", "refresh_token"} & set(connection)

    @pytest.mark.parametrize("provider", PROVIDERS)
    async def test_auth_url_uses_pkce_s256_and_configured_redirect(
        self, hub: Hub, provider: str
    ) -> None:
        """The authorization URL carries an S256 challenge and the hub's callback."""
        started = await hub.start(provider)

        params = httpx2.URL(started["auth_url"]).params
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) == 43
        assert params["state"] == started["state"]
        assert params["redirect_uri"].endswith(
            f"/api/v1/integrations/{provider}/callback"
        )

    async def test_callback_returns_to_the_requested_path(self, hub: Hub) -> None:
        """After the callback the browser goes back to the path it started from."""
        started = await hub.start("google", return_to="/connections?tab=google")
        redirect = await hub.consent(started["auth_url"])

        response = await hub.http.get(str(redirect))

        location = response.headers["location"]
        assert location.startswith("/connections?tab=google&connected=google")

    @pytest.mark.parametrize(
        "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
    )
    async def test_return_to_off_the_hub_is_refused(
        self, hub: Hub, target: str
    ) -> None:
        """No open redirect: return_to must be a path on the hub."""
        response = await hub.http.get(
            "/api/v1/integrations/google/auth-url",
            params={"return_to": target},
            headers=hub.auth,
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_return_to"

    async def test_reconnecting_the_same_account_updates_one_connection(
        self, hub: Hub, context: HubContext
    ) -> None:
        """Connecting the same account twice keeps one connection, same id."""
        first = await hub.connect("google")
        second = await hub.connect("google")

        assert first["id"] == second["id"]
        assert await count_connections(context) == 1

    async def test_denied_consent_redirects_with_the_error(self, hub: Hub) -> None:
        """A user who refuses consent lands back on the dashboard with the error."""
        started = await hub.start("google")
        state = started["state"]

        response = await hub.http.get(
            "/api/v1/integrations/google/callback",
            params={"error": "access_denied", "state": state},
        )

        assert response.status_code == 303
        assert "error=access_denied" in response.headers["location"]


class TestStateChecks:
    async def complete(
        self, hub: Hub, provider: str, code: str, state: str, token: str | None = None
    ) -> httpx2.Response:
        return await hub.http.post(
            f"/api/v1/integrations/{provider}/authenticate",
            json={"code": code, "state": state},
            headers=bearer(token) if token else hub.auth,
        )

    async def test_forged_state_is_refused(self, hub: Hub, context: HubContext) -> None:
        """A state the hub never issued is refused and nothing is created."""
        started = await hub.start("google")
        redirect = await hub.consent(started["auth_url"])

        response = await self.complete(hub, "google", redirect.params["code"], "forged")

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_state"
        assert await count_connections(context) == 0

    async def test_replayed_state_is_refused(
        self, hub: Hub, context: HubContext
    ) -> None:
        """A state works once; the second use is refused."""
        started = await hub.start("google")
        redirect = await hub.consent(started["auth_url"])
        code, state = redirect.params["code"], redirect.params["state"]
        assert (await self.complete(hub, "google", code, state)).status_code == 200

        again = await self.complete(hub, "google", code, state)

        assert again.status_code == 400
        assert "used already" in again.json()["detail"]

    async def test_expired_state_is_refused_and_left_unused(
        self, hub: Hub, context: HubContext
    ) -> None:
        """A state older than ten minutes is refused and changes nothing."""
        started = await hub.start("google")
        redirect = await hub.consent(started["auth_url"])
        async with context.sessions() as session, session.begin():
            await session.execute(
                update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1))
            )

        response = await self.complete(
            hub, "google", redirect.params["code"], redirect.params["state"]
        )

        assert response.status_code == 400
        assert "expired" in response.json()["detail"]
        assert await count_connections(context) == 0
        async with context.sessions() as session:
            state = await session.scalar(
                select(OAuthState).where(
                    OAuthState.state_hash == hash_state(started["state"])
                )
            )
        assert state is not None
        assert state.consumed_at is None

    async def test_foreign_state_is_refused_and_still_works_for_its_owner(
        self, hub: Hub, context: HubContext
    ) -> None:
        """Another user's state is refused without spending it."""
        started = await hub.start("google")
        redirect = await hub.consent(started["auth_url"])
        code, state = redirect.params["code"], redirect.params["state"]
        mallory = await create_user(context, "mallory")

        stolen = await self.complete(hub, "google", code, state, token=mallory)
        owner = await self.complete(hub, "google", code, state)

        assert stolen.status_code == 400
        assert "another user" in stolen.json()["detail"]
        assert owner.status_code == 200

    async def test_state_of_the_other_provider_is_refused(self, hub: Hub) -> None:
        """A Google state cannot finish a Microsoft flow."""
        started = await hub.start("google")
        redirect = await hub.consent(started["auth_url"])

        response = await self.complete(
            hub, "microsoft", redirect.params["code"], redirect.params["state"]
        )

        assert response.status_code == 400
        assert "google flow" in response.json()["detail"]

    @pytest.mark.parametrize("provider", PROVIDERS)
    async def test_pkce_is_verified_by_the_provider(
        self, hub: Hub, provider: str
    ) -> None:
        """A code redeemed with another flow's verifier is refused upstream."""
        first = await hub.start(provider)
        second = await hub.start(provider)
        code = (await hub.consent(first["auth_url"])).params["code"]
        await hub.consent(second["auth_url"])

        response = await self.complete(hub, provider, code, second["state"])

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_code"
