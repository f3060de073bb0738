from __future__ import annotations

import httpx2
import pytest

from integration_hub.accounts.repository import AccountRepository
from integration_hub.accounts.service import AccountService
from integration_hub.context import HubContext
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

ME = "/api/v1/integrations/me"


class TestBearerTokens:
    async def test_created_users_token_works(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """A freshly created user's token authenticates as that user."""
        token = await create_user(context, "alice", admin=True)

        response = await client.get(ME, headers=bearer(token))

        assert response.status_code == 200
        assert response.json()["name"] == "alice"
        assert response.json()["is_admin"] is True

    async def test_missing_token_is_401(self, client: httpx2.AsyncClient) -> None:
        """A call without Authorization gets 401 JSON with a WWW-Authenticate."""
        response = await client.get(ME)

        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header",
        [
            "Bearer",
            "Bearer not-a-token",
            "Basic dXNlcjpwYXNz",
            "Bearer ihub_" + "x" * 10,
            "Bearer ihub_" + "!" * 43,
        ],
    )
    async def test_malformed_token_is_401(
        self, client: httpx2.AsyncClient, header: str
    ) -> None:
        """A malformed Authorization header is refused, not crashed on."""
        response = await client.get(ME, headers={"Authorization": header})

        assert response.status_code == 401
        assert set(response.json()) == {"error", "detail"}

    async def test_unknown_well_formed_token_is_401(
        self, client: httpx2.AsyncClient
    ) -> None:
        """A token that looks right but was never issued is refused."""
        response = await client.get(ME, headers=bearer("ihub_" + "a" * 43))

        assert response.status_code == 401
        assert "unknown or revoked" in response.json()["detail"]

    async def test_revoked_token_is_401(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Once revoked, a token stops working at once."""
        token = await create_user(context, "bob")
        async with context.sessions() as session, session.begin():
            revoked = await AccountService(AccountRepository(session)).revoke_token(
                token
            )

        response = await client.get(ME, headers=bearer(token))

        assert revoked == 1
        assert response.status_code == 401

    async def test_other_tokens_of_the_user_survive_a_revocation(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Revoking one token leaves the user's other tokens working."""
        first = await create_user(context, "carol")
        async with context.sessions() as session, session.begin():
            service = AccountService(AccountRepository(session))
            second = await service.issue_token_for("carol")
            await service.revoke_token(first)

        assert (await client.get(ME, headers=bearer(first))).status_code == 401
        assert (await client.get(ME, headers=bearer(second))).status_code == 200


class TestUnknownRoutes:
    async def test_unknown_api_path_is_401_without_token(
        self, client: httpx2.AsyncClient
    ) -> None:
        """Unauthenticated callers cannot probe which routes exist."""
        response = await client.get("/api/v1/integrations/nope")

        assert response.status_code == 401

    async def test_unknown_api_path_is_404_with_token(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """An authenticated call to an unknown path gets a JSON 404."""
        token = await create_user(context, "dave")

        response = await client.get("/api/v1/integrations/nope", headers=bearer(token))

        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
