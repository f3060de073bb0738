from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from integration_hub.db.base import Base, CreatedAtMixin, utcnow


class Document(CreatedAtMixin, Base):
    """A file the hub created or uploaded in a user's account.

    While an upload is in flight, the session URL (a capability, so encrypted) and
    the next byte to send are kept, so that an interrupted upload resumes.
    """

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hub_users.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_integrations.id", ondelete="SET NULL")
    )
    provider: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="uploading")
    path: Mapped[str] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(255))
    web_url: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    upload_session: Mapped[bytes | None] = mapped_column(LargeBinary)
    upload_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    # What a new session after an expired one must ask for again.
    conflict_behavior: Mapped[str] = mapped_column(String(16), default="fail")
    # Why the last attempt did not finish; kept so a failure is never silent.
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
