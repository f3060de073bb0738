from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from integration_hub.exports.models import Template
from integration_hub.microsoft.models import Document

ConflictBehavior = Literal["fail", "replace", "rename"]
DocumentStatus = Literal["uploading", "done", "failed"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connection_id: uuid.UUID | None = Field(
        None, description="Which Microsoft connection; optional when you have one."
    )


class RenderDocument(_Request):
    """Build a Word document from a template and upload it."""

    template: str = Field(
        min_length=1,
        description="A template id from POST /templates, or a .docx as base64.",
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="The values the template's placeholders use."
    )
    path: str = Field(
        min_length=1, max_length=400, examples=["Reports/2026/summary.docx"]
    )
    conflict_behavior: ConflictBehavior = "fail"


class UploadDetails(BaseModel):
    """How this request moved the bytes; absent on plain reads."""

    method: Literal["simple", "session"]
    chunks_sent: int = Field(description="Chunk PUTs this request sent.")
    resumed_from: int = Field(0, description="Byte offset this request started at.")
    session_restarted: bool = Field(
        False, description="The earlier upload session had expired; a new one began."
    )


class DocumentOut(BaseModel):
    id: uuid.UUID
    status: DocumentStatus
    path: str
    size: int | None
    uploaded_bytes: int = Field(description="Bytes the provider has confirmed.")
    remote_id: str | None
    web_url: str | None
    conflict_behavior: ConflictBehavior
    error: str | None = Field(description="Why the last attempt stopped, if it did.")
    connection_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    upload: UploadDetails | None = None

    @classmethod
    def of(cls, document: Document, upload: UploadDetails | None = None) -> DocumentOut:
        done = document.status == "done"
        return cls(
            id=document.id,
            status=document.status,
            path=document.path,
            size=document.size,
            uploaded_bytes=(document.size or 0) if done else document.upload_offset,
            remote_id=document.remote_id,
            web_url=document.web_url,
            conflict_behavior=document.conflict_behavior,
            error=document.error,
            connection_id=document.connection_id,
            created_at=document.created_at,
            updated_at=document.updated_at,
            upload=upload,
        )


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["view", "edit"] = "view"
    scope: Literal["anonymous", "organization"] = "anonymous"
    expiration: datetime | None = Field(
        None, description="When the link stops working (with a time zone)."
    )


class InviteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipients: list[str] = Field(min_length=1, max_length=100)
    role: Literal["read", "write"] = "read"
    message: str | None = Field(None, max_length=2000)
    send_invitation: bool = False


class ShareDocument(_Request):
    """Share a document (or any drive item) by link or by invitation."""

    document_id: uuid.UUID | None = None
    item_id: str | None = Field(None, min_length=1, max_length=200)
    link: LinkRequest | None = None
    invite: InviteRequest | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> ShareDocument:
        if (self.document_id is None) == (self.item_id is None):
            raise ValueError("give exactly one of document_id and item_id")
        if (self.link is None) == (self.invite is None):
            raise ValueError("give exactly one of link and invite")
        if self.invite is not None:
            for email in self.invite.recipients:
                if "@" not in email or len(email) > 320:
                    raise ValueError(f"{email!r} is not an email address")
        return self


class PermissionOut(BaseModel):
    id: str
    roles: list[str]
    link_type: str | None = None
    link_scope: str | None = None
    web_url: str | None = Field(None, description="The sharing link, for links.")
    granted_to: str | None = Field(None, description="The invitee, for invitations.")
    expiration: str | None = None

    @classmethod
    def of(cls, permission: dict[str, Any]) -> PermissionOut:
        link = permission.get("link") or {}
        invitation = permission.get("invitation") or {}
        granted = (permission.get("grantedToV2") or {}).get("user") or {}
        return cls(
            id=permission["id"],
            roles=list(permission.get("roles") or []),
            link_type=link.get("type"),
            link_scope=link.get("scope"),
            web_url=link.get("webUrl"),
            granted_to=invitation.get("email") or granted.get("email"),
            expiration=permission.get("expirationDateTime"),
        )


class InviteOut(BaseModel):
    item_id: str
    permissions: list[PermissionOut]


class PermissionPage(BaseModel):
    items: list[PermissionOut]
    next_cursor: str | None = None


class TemplateOut(BaseModel):
    id: uuid.UUID
    name: str
    size: int
    sha256: str
    created_at: datetime

    @classmethod
    def of(cls, template: Template, size: int) -> TemplateOut:
        return cls(
            id=template.id,
            name=template.name,
            size=size,
            sha256=template.sha256,
            created_at=template.created_at,
        )


class TemplatePage(BaseModel):
    items: list[TemplateOut]
    next_cursor: str | None
