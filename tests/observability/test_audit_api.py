"""GET /audit: filters, cursor pagination, and who sees which entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx2
import pytest

from integration_hub.context import HubContext
from integration_hub.db.base import utcnow
from integration_hub.observability.audit import AuditEvent, record
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

AUDIT = "/api/v1/integrations/audit"


@dataclass
class Person:
    id: uuid.UUID
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


async def person(
    client: httpx2.AsyncClient, context: HubContext, name: str, *, admin: bool = False
) -> Person:
    token = await create_user(context, name, admin=admin)
    me = await client.get("/api/v1/integrations/me", headers=bearer(token))
    return Person(uuid.UUID(me.json()["id"]), token)


async def entries(context: HubContext, user: Person, actions: list[str]) -> None:
    for action in actions:
        await record(
            context.sessions,
            AuditEvent(
                action=action,
                outcome="failure" if action.endswith("failed") else "success",
                user_id=user.id,
                target="google",
            ),
        )


async def read(
    client: httpx2.AsyncClient, user: Person, **params: str
) -> dict[str, object]:
    response = await client.get(AUDIT, params=params, headers=user.auth)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def actions_of(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["action"] for item in items]


class TestAuditLog:
    async def test_requires_a_token(self, client: httpx2.AsyncClient) -> None:
        """Without a token the audit log answers 401."""
        response = await client.get(AUDIT)

        assert response.status_code == 401

    async def test_users_see_only_their_own_entries_newest_first(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """A user's page holds their entries only, the newest first."""
        alice = await person(client, context, "alice")
        bob = await person(client, context, "bob")
        await entries(context, alice, ["a.one", "a.two"])
        await entries(context, bob, ["b.one"])

        body = await read(client, alice)

        assert actions_of(body) == ["a.two", "a.one"]
        assert body["next_cursor"] is None

    async def test_users_may_not_read_someone_elses_entries(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Asking for another user's entries is forbidden to non-admins."""
        alice = await person(client, context, "alice")
        bob = await person(client, context, "bob")

        response = await client.get(
            AUDIT, params={"user_id": str(bob.id)}, headers=alice.auth
        )

        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"

    async def test_admins_see_everyone_and_may_pick_one_user(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Admins read all entries, or one user's with user_id."""
        admin = await person(client, context, "root", admin=True)
        alice = await person(client, context, "alice")
        bob = await person(client, context, "bob")
        await entries(context, alice, ["a.one"])
        await entries(context, bob, ["b.one"])

        everyone = await read(client, admin)
        only_bob = await read(client, admin, user_id=str(bob.id))

        assert actions_of(everyone) == ["b.one", "a.one"]
        assert actions_of(only_bob) == ["b.one"]

    async def test_filters_by_action_outcome_connection_and_time(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Each filter narrows the page to the entries that match it."""
        alice = await person(client, context, "alice")
        connection_id = uuid.uuid4()
        await entries(context, alice, ["connection.refreshed", "refresh.failed"])
        await record(
            context.sessions,
            AuditEvent(
                action="connection.deleted",
                outcome="success",
                user_id=alice.id,
                connection_id=connection_id,
            ),
        )
        later = (utcnow() + timedelta(minutes=1)).isoformat()
        earlier = (utcnow() - timedelta(minutes=1)).isoformat()

        by_action = await read(client, alice, action="connection.refreshed")
        by_outcome = await read(client, alice, outcome="failure")
        by_connection = await read(client, alice, connection_id=str(connection_id))
        future = await read(client, alice, since=later)
        past = await read(client, alice, until=earlier)
        window = await read(client, alice, since=earlier, until=later)

        assert actions_of(by_action) == ["connection.refreshed"]
        assert actions_of(by_outcome) == ["refresh.failed"]
        assert actions_of(by_connection) == ["connection.deleted"]
        assert actions_of(future) == actions_of(past) == []
        assert len(actions_of(window)) == 3

    async def test_cursor_walks_every_entry_once(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """Following next_cursor visits each entry exactly once, then stops."""
        alice = await person(client, context, "alice")
        names = [f"step.{n}" for n in range(5)]
        await entries(context, alice, names)

        seen: list[str] = []
        params = {"limit": "2"}
        for _ in range(5):
            body = await read(client, alice, **params)
            seen += actions_of(body)
            if body["next_cursor"] is None:
                break
            params["cursor"] = str(body["next_cursor"])

        assert seen == list(reversed(names))

    async def test_rejects_a_cursor_it_did_not_hand_out(
        self, client: httpx2.AsyncClient, context: HubContext
    ) -> None:
        """A forged cursor answers 422, not 500."""
        alice = await person(client, context, "alice")

        response = await client.get(
            AUDIT, params={"cursor": "not-a-cursor"}, headers=alice.auth
        )

        assert response.status_code == 422
