"""Re-encrypting every stored secret with the active key, while the hub serves.

Rows are resealed in small batches, each in its own short transaction.
Connection tokens are written with a compare-and-swap on ``token_version``, so a
refresh running at the same moment is never overwritten; its row is picked up
again by the next pass. Passes repeat until one finds nothing sealed with an
older key, which also catches instances that sealed a secret just before they
noticed the new key.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integration_hub.connections.models import Connection, OAuthState
from integration_hub.connections.repository import ConnectionRepository
from integration_hub.connections.tokens import REDIS_CACHE_PREFIX
from integration_hub.connections.vault import SecretOwner, TokenVault
from integration_hub.microsoft.models import Document

BATCH_SIZE = 200
MAX_PASSES = 10
PASS_PAUSE = 1.5  # longer than the vault's reload interval

log = structlog.get_logger("integration_hub.keys")


@dataclass
class RotationReport:
    resealed: int = 0
    passes: int = 0
    left_behind: int = 0


async def reencrypt_all(
    sessions: async_sessionmaker[AsyncSession],
    vault: TokenVault,
    redis: Redis | None = None,
) -> RotationReport:
    report = RotationReport()
    for number in range(1, MAX_PASSES + 1):
        if number > 1:
            await asyncio.sleep(PASS_PAUSE)
        resealed, skipped = await _one_pass(sessions, vault)
        report.resealed += resealed
        report.passes = number
        report.left_behind = skipped
        log.info(
            "keys.reencrypt.pass", number=number, resealed=resealed, skipped=skipped
        )
        if resealed == 0 and skipped == 0:
            break

    if redis is not None:
        # The token cache is only a cache: drop it rather than reseal it.
        async for key in redis.scan_iter(match=REDIS_CACHE_PREFIX + "*"):
            await redis.delete(key)
    return report


async def _one_pass(
    sessions: async_sessionmaker[AsyncSession], vault: TokenVault
) -> tuple[int, int]:
    resealed = skipped = 0
    for table in (_reseal_connections, _reseal_states, _reseal_documents):
        done, missed = await table(sessions, vault)
        resealed += done
        skipped += missed
    return resealed, skipped


async def _reseal_connections(
    sessions: async_sessionmaker[AsyncSession], vault: TokenVault
) -> tuple[int, int]:
    resealed = skipped = 0
    after: uuid.UUID | None = None
    while True:
        async with sessions() as session, session.begin():
            query = select(Connection).order_by(Connection.id).limit(BATCH_SIZE)
            if after is not None:
                query = query.where(Connection.id > after)
            batch = list(await session.scalars(query))
            repository = ConnectionRepository(session)
            for connection in batch:
                values = {
                    field: vault.reseal(sealed, connection.secret_owner(field))
                    for field in ("access_token", "refresh_token")
                    if (sealed := getattr(connection, field)) is not None
                    and vault.needs_reseal(sealed)
                }
                if not values:
                    continue
                swapped = await repository.compare_and_set_tokens(
                    connection.id, connection.token_version, values
                )
                resealed += len(values) if swapped else 0
                skipped += 0 if swapped else 1
        if len(batch) < BATCH_SIZE:
            return resealed, skipped
        after = batch[-1].id


async def _reseal_states(
    sessions: async_sessionmaker[AsyncSession], vault: TokenVault
) -> tuple[int, int]:
    resealed = 0
    async with sessions() as session, session.begin():
        for state in await session.scalars(select(OAuthState)):
            if vault.needs_reseal(state.code_verifier):
                owner = SecretOwner(
                    state.user_id, state.provider, state.id, "code_verifier"
                )
                await session.execute(
                    update(OAuthState)
                    .where(OAuthState.id == state.id)
                    .values(code_verifier=vault.reseal(state.code_verifier, owner))
                )
                resealed += 1
    return resealed, 0


async def _reseal_documents(
    sessions: async_sessionmaker[AsyncSession], vault: TokenVault
) -> tuple[int, int]:
    resealed = 0
    async with sessions() as session, session.begin():
        query = select(Document).where(Document.upload_session.is_not(None))
        for document in await session.scalars(query):
            sealed = document.upload_session
            if sealed is None or not vault.needs_reseal(sealed):
                continue
            owner = SecretOwner(
                document.user_id, document.provider, document.id, "upload_session"
            )
            await session.execute(
                update(Document)
                .where(Document.id == document.id, Document.upload_session == sealed)
                .values(upload_session=vault.reseal(sealed, owner))
            )
            resealed += 1
    return resealed, 0
