"""The async work behind ``integration-hub users ...``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from integration_hub.accounts.repository import AccountRepository
from integration_hub.accounts.service import AccountService
from integration_hub.config import Settings
from integration_hub.db.engine import create_engine, create_session_factory


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[AccountService]:
    engine = create_engine(settings.async_database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            yield AccountService(AccountRepository(session))
    finally:
        await engine.dispose()


async def create_user(settings: Settings, name: str, *, is_admin: bool) -> str:
    async with _service(settings) as service:
        _user, token = await service.create_user(name, is_admin=is_admin)
    return token


async def issue_token(settings: Settings, name: str) -> str:
    async with _service(settings) as service:
        return await service.issue_token_for(name)


async def list_users(settings: Settings) -> list[tuple[str, bool, list[str]]]:
    async with _service(settings) as service:
        users = await service.repository.list_users_with_tokens()
    return [
        (
            user.name,
            user.is_admin,
            [t.prefix for t in user.tokens if t.revoked_at is None],
        )
        for user in users
    ]


async def revoke(settings: Settings, *, token: str | None, user: str | None) -> int:
    async with _service(settings) as service:
        if user is not None:
            return await service.revoke_user_tokens(user)
        assert token is not None
        return await service.revoke_token(token)
