"""Queries on connections and pending OAuth states, always scoped to a user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from integration_hub.connections.models import Connection, OAuthState


class ConnectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_state(self, state: OAuthState) -> None:
        self.session.add(state)
        await self.session.flush()

    async def consume_state(self, state_hash: str, now: datetime) -> OAuthState | None:
        """Mark a pending state used and return it; None if unknown or used.

        The conditional update makes consumption single-use even when two
        callbacks race: only one of them changes the row.
        """
        result = await self.session.execute(
            update(OAuthState)
            .where(
                OAuthState.state_hash == state_hash, OAuthState.consumed_at.is_(None)
            )
            .values(consumed_at=now)
            .returning(OAuthState.id)
        )
        state_id = result.scalar_one_or_none()
        if state_id is None:
            return None
        return await self.session.get(OAuthState, state_id)

    async def find_state(self, state_hash: str) -> OAuthState | None:
        result = await self.session.scalars(
            select(OAuthState).where(OAuthState.state_hash == state_hash)
        )
        return result.one_or_none()

    async def delete_expired_states(self, before: datetime) -> None:
        await self.session.execute(
            delete(OAuthState).where(OAuthState.expires_at < before)
        )

    async def count_needing_reauth(self) -> int:
        query = select(func.count(Connection.id)).where(
            Connection.status == "needs_reauth"
        )
        return int(await self.session.scalar(query) or 0)

    async def get(
        self, user_id: uuid.UUID, connection_id: uuid.UUID
    ) -> Connection | None:
        result = await self.session.scalars(
            select(Connection).where(
                Connection.id == connection_id, Connection.user_id == user_id
            )
        )
        return result.one_or_none()

    async def get_for_update(self, connection_id: uuid.UUID) -> Connection | None:
        """Read a connection fresh, row-locked on PostgreSQL until commit."""
        result = await self.session.scalars(
            select(Connection)
            .where(Connection.id == connection_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.one_or_none()

    async def find_account(
        self, user_id: uuid.UUID, provider: str, account_id: str
    ) -> Connection | None:
        result = await self.session.scalars(
            select(Connection).where(
                Connection.user_id == user_id,
                Connection.provider == provider,
                Connection.account_id == account_id,
            )
        )
        return result.one_or_none()

    async def list_page(
        self, user_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[Connection]:
        query = select(Connection).where(Connection.user_id == user_id)
        if after is not None:
            query = query.where(Connection.id > after)
        query = query.order_by(Connection.id).limit(limit)
        return list(await self.session.scalars(query))

    async def for_provider(
        self, user_id: uuid.UUID, provider: str, *, limit: int
    ) -> Sequence[Connection]:
        query = (
            select(Connection)
            .where(Connection.user_id == user_id, Connection.provider == provider)
            .order_by(Connection.id)
            .limit(limit)
        )
        return list(await self.session.scalars(query))

    async def add(self, connection: Connection) -> Connection:
        self.session.add(connection)
        await self.session.flush()
        return connection

    async def compare_and_set_tokens(
        self, connection_id: uuid.UUID, expected_version: int, values: dict[str, Any]
    ) -> bool:
        """Write token fields only if nobody changed them since ``expected_version``."""
        result = await self.session.execute(
            update(Connection)
            .where(
                Connection.id == connection_id,
                Connection.token_version == expected_version,
            )
            .values(token_version=expected_version + 1, **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, connection: Connection) -> None:
        await self.session.delete(connection)
