"""FastAPI dependencies shared by every domain's endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from integration_hub.accounts.repository import AccountRepository
from integration_hub.accounts.service import AccountService, AuthenticatedUser
from integration_hub.context import HubContext
from integration_hub.errors import AuthenticationError


def get_context(request: Request) -> HubContext:
    context: HubContext = request.app.state.hub
    return context


Context = Annotated[HubContext, Depends(get_context)]


async def get_session(context: Context) -> AsyncIterator[AsyncSession]:
    """A session per request that commits when the endpoint returns normally."""
    async with context.sessions() as session, session.begin():
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]


async def get_current_user(request: Request, context: Context) -> AuthenticatedUser:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("send 'Authorization: Bearer <API token>'")

    async with context.sessions() as session, session.begin():
        user = await AccountService(AccountRepository(session)).authenticate(
            token.strip()
        )
    request.state.user = user
    return user


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]
