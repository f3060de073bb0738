"""What must never happen to a user's tokens and connections."""

from __future__ import annotations

import uuid

import pytest
import structlog
from sqlalchemy import select

from integration_hub.cli import new_key_entry
from integration_hub.config import parse_keys
from integration_hub.connections.models import Connection
from integration_hub.connections.rotation import reencrypt_all
from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.vault import TokenVault, key_id_of
from integration_hub.context import HubContext
from integration_hub.db.models import Base
from integration_hub.logging import configure_logging
from integration_hub.observability.models import AuditLogEntry
from tests.support.live import Hub
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio


async def dump_database(context: HubContext) -> str:
    """Every row of every table as text, as a database dump would show it."""
    lines = []
    async with context.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in await connection.execute(table.select()):
                lines.append(" ".join(_as_text(value) for value in row))
    return "\n".join(lines)


def _as_text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


async def sandbox_secrets(hub: Hub) -> list[str]:
    values = []
    for provider in ("google", "microsoft"):
        for kind in ("codes", "access_tokens", "refresh_tokens"):
            values += [str(item["value"]) for item in await hub.issued(provider, kind)]
    return values


class TestNoSecretLeaks:
    async def test_database_and_logs_hold_no_issued_token(
        self,
        hub: Hub,
        context: HubContext,
        runtime: ConnectionRuntime,
        capfd: pytest.CaptureFixture[str],
    ) -> None:
        """No code, access or refresh token the sandbox issued is in the DB or logs."""
        configure_logging(fmt="json", level="debug")
        user_id = uuid.UUID(
            (await hub.http.get("/api/v1/integrations/me", headers=hub.auth)).json()[
                "id"
            ]
        )
        for provider in ("google", "microsoft"):
            connection = await hub.connect(provider)
            await runtime.tokens.access_token(user_id, uuid.UUID(str(connection["id"])))
        structlog.get_logger("test").info("done")

        secrets = await sandbox_secrets(hub)
        dump = await dump_database(context)
        logs = capfd.readouterr()

        assert len(secrets) >= 6
        for secret in secrets:
            assert secret not in dump
            assert secret not in logs.out + logs.err

    async def test_api_responses_hold_no_secret(self, hub: Hub) -> None:
        """Connection listings never include token material."""
        await hub.connect("google")
        listing = await hub.http.get(
            "/api/v1/integrations/connections", headers=hub.auth
        )

        for secret in await sandbox_secrets(hub):
            assert secret not in listing.text


class TestTenancy:
    async def test_another_users_connection_is_404(
        self, hub: Hub, context: HubContext
    ) -> None:
        """Someone else's connection is invisible: get and delete answer 404."""
        connection = await hub.connect("google")
        other = bearer(await create_user(context, "oscar"))
        path = f"/api/v1/integrations/connections/{connection['id']}"

        got = await hub.http.get(path, headers=other)
        deleted = await hub.http.delete(path, headers=other)
        listed = await hub.http.get("/api/v1/integrations/connections", headers=other)

        assert got.status_code == 404
        assert deleted.status_code == 404
        assert listed.json() == {"items": [], "next_cursor": None}
        assert (await hub.http.get(path, headers=hub.auth)).status_code == 200

    async def test_endpoints_need_a_token(self, hub: Hub) -> None:
        """Every connection endpoint answers 401 without a token."""
        some_id = uuid.uuid4()
        calls = [
            ("GET", "/api/v1/integrations/google/auth-url"),
            ("GET", "/api/v1/integrations/microsoft/auth-url"),
            ("POST", "/api/v1/integrations/google/authenticate"),
            ("POST", "/api/v1/integrations/microsoft/authenticate"),
            ("GET", "/api/v1/integrations/connections"),
            ("GET", f"/api/v1/integrations/connections/{some_id}"),
            ("DELETE", f"/api/v1/integrations/connections/{some_id}"),
        ]
        for method, path in calls:
            response = await hub.http.request(method, path, json={})
            assert response.status_code == 401, path


class TestDisconnect:
    async def test_disconnect_revokes_at_google_and_forgets(
        self, hub: Hub, context: HubContext
    ) -> None:
        """Disconnecting revokes the grant upstream, deletes the row, and audits."""
        connection = await hub.connect("google")

        response = await hub.http.delete(
            f"/api/v1/integrations/connections/{connection['id']}", headers=hub.auth
        )

        assert response.status_code == 204
        states = {t["state"] for t in await hub.issued("google", "refresh_tokens")}
        assert states == {"revoked"}
        async with context.sessions() as session:
            assert (
                await session.get(Connection, uuid.UUID(str(connection["id"]))) is None
            )
            actions = list(await session.scalars(select(AuditLogEntry.action)))
        assert actions == ["connection.connected", "connection.disconnected"]

    async def test_pagination_walks_every_connection(self, hub: Hub) -> None:
        """Lists page with a cursor until next_cursor is null."""
        await hub.connect("google")
        await hub.connect("microsoft")
        seen, cursor = [], None
        while True:
            params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
            page = (
                await hub.http.get(
                    "/api/v1/integrations/connections", params=params, headers=hub.auth
                )
            ).json()
            seen += [item["provider"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert sorted(seen) == ["google", "microsoft"]


class TestKeyRotation:
    async def test_after_rotation_every_connection_works_on_the_new_key(
        self, hub: Hub, context: HubContext, runtime: ConnectionRuntime
    ) -> None:
        """Re-encryption leaves no old-key ciphertext, and tokens still refresh."""
        user_id = uuid.UUID(
            (await hub.http.get("/api/v1/integrations/me", headers=hub.auth)).json()[
                "id"
            ]
        )
        ids = [
            uuid.UUID(str((await hub.connect(p))["id"]))
            for p in ("google", "microsoft")
        ]
        new_entry = new_key_entry()
        rotated = TokenVault(
            parse_keys(new_entry, source="test") + context.settings.keys
        )

        report = await reencrypt_all(context.sessions, rotated, context.redis)

        assert report.resealed >= 4
        new_id = new_entry.split(":")[0]
        async with context.sessions() as session:
            for connection in await session.scalars(select(Connection)):
                for sealed in (connection.access_token, connection.refresh_token):
                    assert sealed is not None
                    assert key_id_of(sealed) == new_id
        after = ConnectionRuntime(
            runtime.settings, context.sessions, context.redis, rotated
        )
        try:
            for connection_id in ids:
                stored = await after.tokens.access_token(user_id, connection_id)
                fresh = await after.tokens.access_token(
                    user_id, connection_id, rejected=stored
                )
                assert fresh != stored
        finally:
            await after.close()
