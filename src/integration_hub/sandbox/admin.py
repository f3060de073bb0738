"""The sandbox admin API: reset, mint tokens, inspect grants and requests, faults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from integration_hub.sandbox.base import Behavior, Emulator, Provider
from integration_hub.sandbox.requestlog import RequestLog
from integration_hub.sandbox.state import SandboxState


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Provider
    account: str = Field(min_length=1)
    scopes: list[str] = Field(default_factory=list)
    expires_in: int | None = Field(None, ge=1)


class TokenResponse(BaseModel):
    access_token: str
    expires_in: int


class BehaviorList(BaseModel):
    items: list[Behavior]


class RequestList(BaseModel):
    items: list[dict[str, Any]]
    next_since: int = Field(description="Pass as `since` to get only newer requests.")


def create_admin_app(
    state: SandboxState,
    emulators: Mapping[Provider, Emulator],
    log: RequestLog,
) -> FastAPI:
    """The admin API, meant to be mounted at ``/sandbox/_admin``."""
    app = FastAPI(title="Integration Hub sandbox admin", docs_url=None, redoc_url=None)
    router = APIRouter()

    def emulator(provider: Provider) -> Emulator:
        if provider not in emulators:
            raise RequestValidationError(
                [{"loc": ["provider"], "msg": "provider not emulated", "type": "value"}]
            )
        return emulators[provider]

    @router.post("/reset", status_code=204)
    def reset() -> None:
        """Forget every grant, file, counter, logged request and behaviour."""
        for each in emulators.values():
            each.reset()
        state.reset()
        log.clear()

    @router.post("/tokens")
    def issue_token(body: TokenRequest) -> TokenResponse:
        """Mint an access token for an account without an OAuth dance."""
        issued = emulator(body.provider).issue_token(
            body.account, body.scopes, body.expires_in
        )
        return TokenResponse.model_validate(issued)

    @router.get("/grants")
    def grants(provider: Provider) -> dict[str, Any]:
        """Codes, access and refresh tokens the provider issued, with their state."""
        return emulator(provider).grants()

    @router.get("/requests")
    def requests(
        provider: Provider | None = None,
        since: Annotated[int, Query(ge=0)] = 0,
    ) -> RequestList:
        """Requests the emulators received after sequence number ``since``."""
        entries = log.since(provider, since)
        last = entries[-1].sequence if entries else since
        return RequestList(items=[e.to_json() for e in entries], next_since=last)

    @router.get("/behavior", response_model=None)
    def get_behavior(provider: Provider | None = None) -> Behavior | BehaviorList:
        """One provider's behaviour, or all of them when no provider is named."""
        if provider is not None:
            return state.behavior(provider)
        return BehaviorList(items=[state.behavior(p) for p in emulators])

    @router.put("/behavior")
    def put_behavior(changes: Annotated[dict[str, Any], Body()]) -> Behavior:
        """Change some fields of one provider's behaviour; the rest stay as they are."""
        try:
            return state.update_behavior(changes)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from exc

    app.include_router(router)
    return app
