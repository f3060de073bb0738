"""Serving a hub with its sandbox inside a benchmark, and connecting accounts."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.servers import free_port, serve_in_thread

from integration_hub.app import create_app
from integration_hub.cli import new_key_entry
from integration_hub.config import Settings
from integration_hub.db import migrate


def bench_settings(var: Path, redis_url: str | None = None, **extra: Any) -> Settings:
    var.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        _env_file=None,
        var_dir=var,
        database_url=f"sqlite+aiosqlite:///{var / 'bench.db'}",
        redis_url=redis_url,
        encryption_keys=new_key_entry(),
        public_url=f"http://127.0.0.1:{free_port()}",
        log_level=extra.pop("log_level", "warning"),
        **extra,
    )
    migrate.upgrade(settings.async_database_url)
    return settings


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    port = int(settings.public_url.rsplit(":", 1)[1])
    with serve_in_thread(create_app(settings), port=port) as base:
        yield base


async def connect(http: httpx2.AsyncClient, provider: str, token: str) -> uuid.UUID:
    """Connect the sandbox's default account through the real OAuth flow."""
    auth = {"Authorization": f"Bearer {token}"}
    await http.put(
        "/sandbox/_admin/behavior", json={"provider": provider, "auto_consent": True}
    )
    started = await http.get(f"/api/v1/integrations/{provider}/auth-url", headers=auth)
    consent = await http.get(started.json()["auth_url"])
    redirect = httpx2.URL(consent.headers["location"])
    connection = await http.post(
        f"/api/v1/integrations/{provider}/authenticate",
        json={"code": redirect.params["code"], "state": redirect.params["state"]},
        headers=auth,
    )
    return uuid.UUID(connection.json()["id"])


def create_user(settings: Settings, name: str = "bench") -> str:
    """A hub user straight in the database; returns its API token."""
    from integration_hub.accounts.repository import AccountRepository
    from integration_hub.accounts.service import AccountService
    from integration_hub.context import HubContext

    async def create() -> str:
        context = await HubContext.open(settings)
        try:
            async with context.sessions() as session, session.begin():
                service = AccountService(AccountRepository(session))
                _, token = await service.create_user(name)
        finally:
            await context.close()
        return token

    return asyncio.run(create())
