"""A hub served over real HTTP with its sandbox, and a client for driving it.

Loaded as a pytest plugin by tests/conftest.py, so every test package can use the
``hub``, ``live_url`` and ``runtime`` fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx2
import pytest

from integration_hub.app import create_app
from integration_hub.config import Settings
from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.vault import TokenVault
from integration_hub.context import HubContext
from tests.support.servers import free_port, serve_in_thread
from tests.support.users import create_user


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return settings.model_copy(update={"public_url": url})


@pytest.fixture
def live_url(live_settings: Settings, context: HubContext) -> Iterator[str]:
    """The hub (and its sandbox) served by uvicorn at live_settings.public_url."""
    port = int(live_settings.public_url.rsplit(":", 1)[1])
    with serve_in_thread(create_app(live_settings), port=port) as url:
        yield url


@dataclass
class Hub:
    """An HTTP client on the live hub, plus its sandbox's admin API."""

    http: httpx2.AsyncClient
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def behave(self, provider: str, **changes: object) -> None:
        response = await self.http.put(
            "/sandbox/_admin/behavior", json={"provider": provider, **changes}
        )
        assert response.status_code == 200, response.text

    async def grants(self, provider: str) -> dict[str, object]:
        response = await self.http.get(
            "/sandbox/_admin/grants", params={"provider": provider}
        )
        assert response.status_code == 200, response.text
        grants: dict[str, object] = response.json()
        return grants

    async def requests_since(
        self, provider: str, since: int
    ) -> list[dict[str, object]]:
        response = await self.http.get(
            "/sandbox/_admin/requests", params={"provider": provider, "since": since}
        )
        assert response.status_code == 200, response.text
        entries: list[dict[str, object]] = response.json()["items"]
        return entries

    async def last_sequence(self) -> int:
        entries = await self.requests_since("google", 0) + await self.requests_since(
            "microsoft", 0
        )
        return max((int(str(e["sequence"])) for e in entries), default=0)

    async def issued(self, provider: str, kind: str) -> list[dict[str, object]]:
        """The sandbox's issued tokens of one kind, each with its ``value``."""
        items = (await self.grants(provider))[kind]
        assert isinstance(items, list)
        return items

    async def start(self, provider: str, **params: str) -> dict[str, str]:
        response = await self.http.get(
            f"/api/v1/integrations/{provider}/auth-url",
            params=params,
            headers=self.auth,
        )
        assert response.status_code == 200, response.text
        started: dict[str, str] = response.json()
        return started

    async def consent(self, auth_url: str) -> httpx2.URL:
        """Let the sandbox consent at once; return where it redirects to."""
        response = await self.http.get(auth_url)
        assert response.status_code in (302, 303), response.text
        return httpx2.URL(response.headers["location"])

    async def connect(
        self, provider: str, *, via: str = "authenticate"
    ) -> dict[str, object]:
        started = await self.start(provider)
        redirect = await self.consent(started["auth_url"])
        if via == "callback":
            response = await self.http.get(str(redirect))
            assert response.status_code == 303, response.text
            connection_id = httpx2.URL(response.headers["location"]).params[
                "connection_id"
            ]
            got = await self.http.get(
                f"/api/v1/integrations/connections/{connection_id}", headers=self.auth
            )
            connection: dict[str, object] = got.json()
            return connection
        response = await self.http.post(
            f"/api/v1/integrations/{provider}/authenticate",
            json={"code": redirect.params["code"], "state": redirect.params["state"]},
            headers=self.auth,
        )
        assert response.status_code == 200, response.text
        connection = response.json()
        return connection


@pytest.fixture
async def hub(live_url: str, context: HubContext) -> AsyncIterator[Hub]:
    token = await create_user(context, "alice")
    async with httpx2.AsyncClient(base_url=live_url, timeout=30) as http:
        for provider in ("google", "microsoft"):
            reset = await http.put(
                "/sandbox/_admin/behavior",
                json={"provider": provider, "auto_consent": True},
            )
            assert reset.status_code == 200, reset.text
        yield Hub(http, token)


@pytest.fixture
async def runtime(
    live_settings: Settings, context: HubContext, live_url: str
) -> AsyncIterator[ConnectionRuntime]:
    """A second, independent hub runtime on the same database and sandbox."""
    runtime = ConnectionRuntime(
        live_settings, context.sessions, context.redis, TokenVault(live_settings.keys)
    )
    yield runtime
    await runtime.close()
