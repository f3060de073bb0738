"""Shared fixtures: the database and Redis a run was told to use, and a hub app.

The backends come from the environment, so that CI runs the same suite against
each of them:

- ``HUB_TEST_DATABASE``: ``sqlite`` (default) or ``postgresql``; PostgreSQL tests
  get a fresh database of their own on ``HUB_TEST_POSTGRES_URL``.
- ``HUB_TEST_REDIS_URL``: when set, the hub under test uses this Redis.

A backend that was asked for and cannot be reached fails the run; it never skips.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from integration_hub.app import create_app
from integration_hub.cli import new_key_entry
from integration_hub.config import Settings
from integration_hub.context import HubContext
from integration_hub.db import migrate
from integration_hub.db.models import AuditChainHead, Base
from integration_hub.observability.audit import GENESIS_HASH
from tests.support.databases import execute_autocommit

pytest_plugins = ["tests.support.live"]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this run, on the backend asked for."""
    backend = os.environ.get("HUB_TEST_DATABASE", "sqlite")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'hub.db'}"
        migrate.upgrade(url)
        yield url
    elif backend == "postgresql":
        yield from _postgres_database()
    else:
        pytest.fail(f"HUB_TEST_DATABASE={backend!r}: use sqlite or postgresql")


def _postgres_database() -> Iterator[str]:
    server = os.environ.get("HUB_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = server.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        asyncio.run(execute_autocommit(admin, f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        pytest.fail(f"PostgreSQL was asked for and is unreachable at {server}: {exc}")

    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(
            execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    url = os.environ.get("HUB_TEST_REDIS_URL") or None
    if url is not None:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.fail(f"Redis was asked for and is unreachable at {url}: {exc}")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str | None) -> Settings:
    return Settings(
        _env_file=None,
        var_dir=tmp_path / "var",
        database_url=database_url,
        redis_url=redis_url,
        encryption_keys=new_key_entry(),
        public_url="http://hub.test",
    )


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[HubContext]:
    """A hub context whose tables are emptied after the test."""
    hub = await HubContext.open(settings)
    try:
        yield hub
    finally:
        async with hub.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != AuditChainHead.__tablename__:
                    await connection.execute(table.delete())
            await connection.execute(
                update(AuditChainHead).values(length=0, head_hash=GENESIS_HASH)
            )
        await hub.close()


@pytest.fixture
async def app(settings: Settings, context: HubContext) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://hub.test") as c:
        yield c
