from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.schemas import (
    AuthenticateRequest,
    AuthUrl,
    ConnectionOut,
    ConnectionPage,
)
from integration_hub.connections.service import ConnectionService
from integration_hub.dependencies import Context, CurrentUser
from integration_hub.errors import HubError, ValidationFailedError

Provider = Literal["google", "microsoft"]

router = APIRouter(tags=["connections"])
# The provider sends the user's browser back here, without the hub's API token;
# the single-use state names the hub user instead.
callback_router = APIRouter(tags=["connections"])


def get_service(context: Context) -> ConnectionService:
    runtime: ConnectionRuntime = context.connections
    return ConnectionService(runtime)


Service = Annotated[ConnectionService, Depends(get_service)]


def request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


@router.get(
    "/{provider}/auth-url",
    response_model=AuthUrl,
    summary="Start connecting a provider account (OAuth 2.0 with PKCE)",
)
async def auth_url(
    provider: Provider,
    user: CurrentUser,
    service: Service,
    return_to: Annotated[
        str | None,
        Query(description="A path on the hub to return to after the callback."),
    ] = None,
) -> AuthUrl:
    start = await service.start(user.id, provider, return_to)
    return AuthUrl(auth_url=start.auth_url, state=start.state)


@router.post(
    "/{provider}/authenticate",
    response_model=ConnectionOut,
    summary="Finish connecting with the code and state a front end received",
)
async def authenticate(
    provider: Provider,
    body: AuthenticateRequest,
    user: CurrentUser,
    service: Service,
    request: Request,
) -> ConnectionOut:
    connection, _return_to = await service.complete(
        provider,
        code=body.code,
        state=body.state,
        user_id=user.id,
        request_id=request_id(request),
    )
    return ConnectionOut.of(connection)


@callback_router.get(
    "/{provider}/callback",
    response_class=RedirectResponse,
    status_code=303,
    summary="The OAuth redirect URI: finishes the flow, back to the dashboard",
)
async def callback(
    provider: Provider,
    service: Service,
    request: Request,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    if error is not None:
        return _back("/", error=error)
    if not code or not state:
        return _back("/", error="invalid_request")
    try:
        connection, return_to = await service.complete(
            provider,
            code=code,
            state=state,
            user_id=None,
            request_id=request_id(request),
        )
    except HubError as exc:
        return _back("/", error=exc.code)
    return _back(return_to or "/", connected=provider, connection_id=str(connection.id))


def _back(path: str, **params: str) -> RedirectResponse:
    separator = "&" if "?" in path else "?"
    return RedirectResponse(path + separator + urlencode(params), status_code=303)


@router.get("/connections", response_model=ConnectionPage, summary="Your connections")
async def list_connections(
    user: CurrentUser,
    service: Service,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ConnectionPage:
    after = _parse_cursor(cursor)
    page = await service.list_page(user.id, after=after, limit=limit + 1)
    items = [ConnectionOut.of(c) for c in page[:limit]]
    next_cursor = str(page[limit - 1].id) if len(page) > limit else None
    return ConnectionPage(items=items, next_cursor=next_cursor)


@router.get("/connections/{connection_id}", response_model=ConnectionOut)
async def get_connection(
    connection_id: uuid.UUID, user: CurrentUser, service: Service
) -> ConnectionOut:
    return ConnectionOut.of(await service.get(user.id, connection_id))


@router.delete(
    "/connections/{connection_id}",
    status_code=204,
    summary="Disconnect: revoke upstream where possible, then delete the tokens",
)
async def delete_connection(
    connection_id: uuid.UUID, user: CurrentUser, service: Service, request: Request
) -> Response:
    await service.disconnect(user.id, connection_id, request_id(request))
    return Response(status_code=204)


def _parse_cursor(cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    try:
        return uuid.UUID(cursor)
    except ValueError:
        raise ValidationFailedError("cursor is not one this API handed out") from None
