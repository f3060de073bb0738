"""Hub users and API tokens: creation, authentication, revocation.

Tokens are 256 random bits behind a recognisable prefix. Only their SHA-256 is
stored: a slow hash buys nothing against guessing at that entropy, and a fast one
keeps authentication off the hot path.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from integration_hub.accounts.models import HubUser
from integration_hub.accounts.repository import AccountRepository
from integration_hub.db.base import utcnow
from integration_hub.errors import AuthenticationError, ConflictError, NotFoundError

TOKEN_PREFIX = "ihub_"  # noqa: S105 -- a public marker, not a secret
_TOKEN_BODY_LENGTH = 43  # secrets.token_urlsafe(32)
_DISPLAY_PREFIX_LENGTH = 12
# Recording every use would turn each read into a write; once a minute is plenty.
_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class AuthenticatedUser:
    id: uuid.UUID
    name: str
    is_admin: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def looks_like_token(token: str) -> bool:
    body = token.removeprefix(TOKEN_PREFIX)
    return (
        token.startswith(TOKEN_PREFIX)
        and len(body) == _TOKEN_BODY_LENGTH
        and all(c.isalnum() or c in "-_" for c in body)
    )


class AccountService:
    def __init__(self, repository: AccountRepository) -> None:
        self.repository = repository

    async def create_user(
        self, name: str, *, is_admin: bool = False
    ) -> tuple[HubUser, str]:
        """Create a user with a first API token; the token is returned once."""
        if await self.repository.get_user_by_name(name) is not None:
            raise ConflictError(f"a user named {name!r} exists already")

        user = await self.repository.add_user(name, is_admin=is_admin)
        token = await self.issue_token(user)
        return user, token

    async def issue_token(self, user: HubUser) -> str:
        token = new_token()
        await self.repository.add_token(
            user.id, hash_token(token), token[:_DISPLAY_PREFIX_LENGTH]
        )
        return token

    async def issue_token_for(self, name: str) -> str:
        return await self.issue_token(await self._user(name))

    async def authenticate(self, token: str) -> AuthenticatedUser:
        if not looks_like_token(token):
            raise AuthenticationError("the API token is malformed")

        found = await self.repository.find_live_token(hash_token(token))
        if found is None:
            raise AuthenticationError("the API token is unknown or revoked")

        api_token, user = found
        now = utcnow()
        if (
            api_token.last_used_at is None
            or now - api_token.last_used_at > _TOUCH_INTERVAL
        ):
            await self.repository.touch_token(api_token.id, now)
        return AuthenticatedUser(id=user.id, name=user.name, is_admin=user.is_admin)

    async def revoke_user_tokens(self, name: str) -> int:
        user = await self._user(name)
        return await self.repository.revoke_tokens(when=utcnow(), user_id=user.id)

    async def revoke_token(self, token: str) -> int:
        """Revoke one token, given whole or by the prefix ``users list`` shows."""
        if looks_like_token(token):
            found = await self.repository.find_live_token(hash_token(token))
            prefix = None if found is None else found[0].prefix
        else:
            prefix = token
        if prefix is None:
            return 0
        return await self.repository.revoke_tokens(when=utcnow(), prefix=prefix)

    async def _user(self, name: str) -> HubUser:
        user = await self.repository.get_user_by_name(name)
        if user is None:
            raise NotFoundError(f"no user named {name!r}")
        return user
