"""Queries on hub users and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from integration_hub.accounts.models import ApiToken, HubUser


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_user(self, name: str, *, is_admin: bool) -> HubUser:
        user = HubUser(name=name, is_admin=is_admin)
        self.session.add(user)
        await self.session.flush()
        return user

    async def get_user_by_name(self, name: str) -> HubUser | None:
        result = await self.session.scalars(select(HubUser).where(HubUser.name == name))
        return result.one_or_none()

    async def list_users_with_tokens(self) -> list[HubUser]:
        query = (
            select(HubUser).options(selectinload(HubUser.tokens)).order_by(HubUser.name)
        )
        return list(await self.session.scalars(query))

    async def add_token(self, user_id: uuid.UUID, token_hash: str, prefix: str) -> None:
        self.session.add(
            ApiToken(user_id=user_id, token_hash=token_hash, prefix=prefix)
        )
        await self.session.flush()

    async def find_live_token(self, token_hash: str) -> tuple[ApiToken, HubUser] | None:
        query = (
            select(ApiToken, HubUser)
            .join(HubUser, HubUser.id == ApiToken.user_id)
            .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        )
        row = (await self.session.execute(query)).one_or_none()
        return None if row is None else (row[0], row[1])

    async def touch_token(self, token_id: uuid.UUID, when: datetime) -> None:
        await self.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when)
        )

    async def revoke_tokens(
        self,
        *,
        when: datetime,
        user_id: uuid.UUID | None = None,
        prefix: str | None = None,
    ) -> int:
        """Revoke a user's live tokens, or the live token with ``prefix``."""
        query = update(ApiToken).where(ApiToken.revoked_at.is_(None))
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
        if prefix is not None:
            query = query.where(ApiToken.prefix == prefix)
        result = await self.session.execute(query.values(revoked_at=when))
        return int(result.rowcount)  # type: ignore[attr-defined]
