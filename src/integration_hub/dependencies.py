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
from integration_hub.middleware import EXTRA_HEADERS


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
    await _spend_request_budget(request, context, user)
    return user


async def _spend_request_budget(
    request: Request, context: HubContext, user: AuthenticatedUser
) -> None:
    """Count the request against the user's budget; over it raises 429.

    Part of authentication so that every authenticated route is limited; the
    RateLimit headers reach the response through the request-context middleware,
    whatever kind of response the endpoint returns.
    """
    budget = await context.inbound_limiter.take(user.id)
    if budget is not None:
        setattr(request.state, EXTRA_HEADERS, budget.headers())


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]
