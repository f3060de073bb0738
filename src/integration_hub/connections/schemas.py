from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from integration_hub.connections.models import Connection


class AuthUrl(BaseModel):
    auth_url: str = Field(description="Send the user's browser here.")
    state: str = Field(description="Single-use; valid for ten minutes.")


class AuthenticateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=4096)
    state: str = Field(min_length=1, max_length=512)


class ConnectionOut(BaseModel):
    """A connected account; secrets are never part of it."""

    id: uuid.UUID
    provider: Literal["google", "microsoft"]
    account_id: str
    account_email: str | None
    status: Literal["active", "needs_reauth"]
    status_reason: str | None
    scopes: list[str]
    access_token_expires_at: datetime | None
    last_refreshed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @field_validator("scopes", mode="before")
    @classmethod
    def _split_scopes(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value

    @classmethod
    def of(cls, connection: Connection) -> ConnectionOut:
        return cls.model_validate(connection, from_attributes=True)


class ConnectionPage(BaseModel):
    items: list[ConnectionOut]
    next_cursor: str | None
