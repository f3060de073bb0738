from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from integration_hub.connections.vault import SecretOwner
from integration_hub.db.base import Base, CreatedAtMixin, utcnow


class Connection(CreatedAtMixin, Base):
    """A provider account a hub user connected; its tokens are stored encrypted."""

    __tablename__ = "api_integrations"
    __table_args__ = (UniqueConstraint("user_id", "provider", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hub_users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(255))
    account_email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_reason: Mapped[str | None] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(Text, default="")
    access_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_token_expires_at: Mapped[datetime | None]
    refresh_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Bumped by every token change; writers compare-and-swap on it.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    last_refreshed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def secret_owner(self, field: str) -> SecretOwner:
        """The vault binding for one of this connection's secrets."""
        return SecretOwner(self.user_id, self.provider, self.id, field)


class OAuthState(CreatedAtMixin, Base):
    """A pending authorization: single-use, short-lived, bound to its user."""

    __tablename__ = "oauth_states"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hub_users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    redirect_uri: Mapped[str] = mapped_column(Text)
    code_verifier: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[str | None] = mapped_column(String(64))
    return_to: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
