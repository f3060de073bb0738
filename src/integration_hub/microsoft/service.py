"""OneDrive documents as users need them: upload, render, resume, share.

Every operation is written to the audit log with its outcome, and every
document keeps a row whose status says where it stands: a failed or cut-off
upload is listed with its reason, never left unnoticed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

from integration_hub.connections.service import ConnectionService
from integration_hub.errors import (
    ConflictError,
    HubError,
    NotFoundError,
    ValidationFailedError,
)
from integration_hub.microsoft.client import MicrosoftClient
from integration_hub.microsoft.models import Document
from integration_hub.microsoft.repository import DocumentRepository
from integration_hub.microsoft.schemas import (
    DocumentOut,
    InviteOut,
    PermissionOut,
    RenderDocument,
    ShareDocument,
    TemplateOut,
    UploadDetails,
)
from integration_hub.microsoft.templates import TemplateStore, render
from integration_hub.microsoft.uploads import (
    Spooled,
    Uploader,
    UploadJob,
    spool_bytes,
    spool_path,
)
from integration_hub.observability.audit import Actor, audited
from integration_hub.upstream.client import Caller
from integration_hub.upstream.runtime import Upstream

T = TypeVar("T")
DOCUMENTS_URL = "/api/v1/integrations/microsoft/documents"
MAX_PATH_CHARS = 400
MAX_NAME_CHARS = 255
# What OneDrive refuses in a file or folder name.
_FORBIDDEN_CHARS = re.compile(r'["*:<>?\\|\x00-\x1f\x7f]')
_RESERVED_NAMES = {"con", "prn", "aux", "nul", ".lock", "desktop.ini"} | {
    f"{device}{n}" for device in ("com", "lpt") for n in range(10)
}


def check_path(path: str) -> str:
    """A drive path OneDrive accepts, without leading or trailing slashes."""
    cleaned = path.strip().strip("/")
    if not cleaned:
        raise _bad_path("the path is empty")
    if len(cleaned) > MAX_PATH_CHARS:
        raise _bad_path(f"the path is longer than {MAX_PATH_CHARS} characters")
    for segment in cleaned.split("/"):
        _check_segment(segment)
    return cleaned


def _check_segment(segment: str) -> None:
    if segment in ("", ".", ".."):
        raise _bad_path("the path has an empty, '.' or '..' segment")
    if _FORBIDDEN_CHARS.search(segment):
        raise _bad_path(
            f"{segment!r} holds a character OneDrive forbids "
            '(" * : < > ? \\ | or a control character)'
        )
    folded = segment.casefold()
    if (
        segment != segment.strip()
        or segment.endswith(".")
        or folded in _RESERVED_NAMES
        or folded.startswith("~$")
        or "_vti_" in folded
    ):
        raise _bad_path(f"OneDrive does not accept the name {segment!r}")
    if len(segment) > MAX_NAME_CHARS:
        raise _bad_path(f"a name is at most {MAX_NAME_CHARS} characters")


def _bad_path(detail: str) -> ValidationFailedError:
    return ValidationFailedError(detail, code="invalid_path")


class DocumentService:
    def __init__(
        self,
        upstream: Upstream,
        connections: ConnectionService,
        client: MicrosoftClient,
        actor: Actor,
    ) -> None:
        self.upstream = upstream
        self.settings = upstream.settings
        self.connections = connections
        self.sessions = connections.runtime.sessions
        self.client = client
        self.actor = actor
        self.templates = TemplateStore(self.sessions)
        self.spool_dir = self.settings.var_dir / "uploads"
        self.uploader = Uploader(
            connections.runtime,
            client,
            self.settings.upload_chunk_multiple,
            location=lambda document_id: f"{DOCUMENTS_URL}/{document_id}",
        )

    # -- plumbing ------------------------------------------------------------------

    async def _connection(self, connection_id: uuid.UUID | None) -> uuid.UUID:
        connection = await self.connections.pick(
            self.actor.user_id, "microsoft", connection_id
        )
        return connection.id

    def _callers(self, connection_id: uuid.UUID) -> Callable[[], Caller]:
        # Each provider call gets the whole deadline: a long upload is many
        # calls, and no single one may take longer than that.
        def caller() -> Caller:
            return Caller.within(
                self.settings.upstream_deadline_seconds,
                self.actor.user_id,
                connection_id,
                self.actor.request_id,
            )

        return caller

    async def _audited(
        self,
        action: str,
        target: str,
        connection_id: uuid.UUID | None,
        work: Callable[[], Awaitable[T]],
        details: dict[str, Any] | None = None,
    ) -> T:
        return await audited(
            self.sessions, self.actor, action, target, connection_id, work, details
        )

    async def _document(self, document_id: uuid.UUID) -> Document:
        async with self.sessions() as session:
            document = await DocumentRepository(session).get(
                self.actor.user_id, document_id
            )
        if document is None:
            raise NotFoundError("no such document")
        return document

    # -- uploads -------------------------------------------------------------------

    async def upload(
        self,
        spooled: Spooled,
        path: str,
        conflict: str,
        connection_id: uuid.UUID | None,
    ) -> DocumentOut:
        """Upload a spooled file; the spool is the service's from here on."""
        try:
            path = check_path(path)
            connection = await self._connection(connection_id)
        except HubError:
            spooled.discard()
            raise

        async def work() -> DocumentOut:
            return await self._upload(spooled, path, conflict, connection)

        details = {"size": spooled.size, "conflict_behavior": conflict}
        return await self._audited("documents.upload", path, connection, work, details)

    async def _upload(
        self, spooled: Spooled, path: str, conflict: str, connection_id: uuid.UUID
    ) -> DocumentOut:
        document = Document(
            id=uuid.uuid4(),
            user_id=self.actor.user_id,
            connection_id=connection_id,
            provider="microsoft",
            status="uploading",
            path=path,
            size=spooled.size,
            upload_offset=0,
            conflict_behavior=conflict,
        )
        async with self.sessions() as session, session.begin():
            await DocumentRepository(session).add(document)
        spooled.move_to(spool_path(self.spool_dir, document.id))
        return await self._run(document, spooled, connection_id)

    async def _run(
        self, document: Document, spooled: Spooled, connection_id: uuid.UUID
    ) -> DocumentOut:
        details = UploadDetails(
            method="simple", chunks_sent=0, resumed_from=document.upload_offset
        )
        job = UploadJob(document, spooled.path, self._callers(connection_id), details)
        return DocumentOut.of(await self.uploader.run(job), details)

    async def render(self, request: RenderDocument) -> DocumentOut:
        path = check_path(request.path)
        connection = await self._connection(request.connection_id)

        async def work() -> DocumentOut:
            template = await self.templates.content(
                self.actor.user_id, request.template
            )
            rendered = await anyio.to_thread.run_sync(render, template, request.data)
            spooled = spool_bytes(self.spool_dir, rendered)
            return await self._upload(
                spooled, path, request.conflict_behavior, connection
            )

        details = {"conflict_behavior": request.conflict_behavior}
        return await self._audited("documents.render", path, connection, work, details)

    async def resume(
        self, document_id: uuid.UUID, spooled: Spooled | None
    ) -> DocumentOut:
        """Continue an interrupted upload from where Graph says it stopped."""
        try:
            document, source = await self._resumable(document_id, spooled)
        except HubError:
            if spooled is not None:
                spooled.discard()
            raise
        connection = document.connection_id
        if connection is None:
            raise NotFoundError("the connection this upload used is gone")

        async def work() -> DocumentOut:
            return await self._run(document, source, connection)

        details = {"offset": document.upload_offset, "resent": spooled is not None}
        return await self._audited(
            "documents.resume", str(document_id), connection, work, details
        )

    async def _resumable(
        self, document_id: uuid.UUID, spooled: Spooled | None
    ) -> tuple[Document, Spooled]:
        document = await self._document(document_id)
        if document.status == "done":
            raise ConflictError("this document is uploaded already")
        if document.status == "failed":
            raise ConflictError(
                f"this upload failed ({document.error}); upload the file again"
            )
        source = spool_path(self.spool_dir, document.id)
        if spooled is not None:
            if spooled.size != document.size:
                raise ValidationFailedError(
                    f"the file sent has {spooled.size} bytes; the upload being "
                    f"resumed has {document.size}"
                )
            spooled.move_to(source)
            return document, spooled
        if not source.exists():
            raise ConflictError(
                "this hub no longer holds the file: send it again with the resume",
                code="file_needed",
            )
        return document, Spooled(source, source.stat().st_size)

    # -- reading -------------------------------------------------------------------

    async def get(self, document_id: uuid.UUID) -> DocumentOut:
        return DocumentOut.of(await self._document(document_id))

    async def list_page(
        self, *, after: uuid.UUID | None, limit: int
    ) -> list[DocumentOut]:
        async with self.sessions() as session:
            page = await DocumentRepository(session).list_page(
                self.actor.user_id, after=after, limit=limit
            )
        return [DocumentOut.of(d) for d in page]

    # -- sharing -------------------------------------------------------------------

    async def _item(
        self, document_id: uuid.UUID | None, item_id: str | None, connection: Any
    ) -> tuple[str, uuid.UUID]:
        """The drive item and the connection that reaches it."""
        if document_id is None:
            assert item_id is not None
            return item_id, await self._connection(connection)
        document = await self._document(document_id)
        if document.status != "done" or document.remote_id is None:
            raise ConflictError("this document is not uploaded yet")
        if document.connection_id is None:
            raise NotFoundError("the connection this document used is gone")
        return document.remote_id, document.connection_id

    async def share(
        self, request: ShareDocument
    ) -> tuple[PermissionOut | InviteOut, bool]:
        """A sharing link (and whether it is new) or the invitations made."""
        item_id, connection = await self._item(
            request.document_id, request.item_id, request.connection_id
        )
        caller = self._callers(connection)()

        async def link() -> tuple[PermissionOut | InviteOut, bool]:
            assert request.link is not None
            body: dict[str, Any] = {
                "type": request.link.type,
                "scope": request.link.scope,
            }
            if request.link.expiration is not None:
                body["expirationDateTime"] = _iso(request.link.expiration)
            permission, created = await self.client.create_link(caller, item_id, body)
            return PermissionOut.of(permission), created

        async def invite() -> tuple[PermissionOut | InviteOut, bool]:
            assert request.invite is not None
            body = _invite_body(request)
            permissions = await self.client.invite(caller, item_id, body)
            out = InviteOut(
                item_id=item_id, permissions=[PermissionOut.of(p) for p in permissions]
            )
            return out, True

        if request.link is not None:
            return await self._audited(
                "documents.share_link", item_id, connection, link
            )
        return await self._audited("documents.invite", item_id, connection, invite)

    async def permissions(self, document_id: uuid.UUID) -> list[PermissionOut]:
        item_id, connection = await self._item(document_id, None, None)
        listed = await self.client.permissions(self._callers(connection)(), item_id)
        return [PermissionOut.of(p) for p in listed]

    async def delete_permission(
        self, document_id: uuid.UUID, permission_id: str
    ) -> None:
        item_id, connection = await self._item(document_id, None, None)

        async def work() -> None:
            await self.client.delete_permission(
                self._callers(connection)(), item_id, permission_id
            )

        await self._audited(
            "documents.unshare",
            item_id,
            connection,
            work,
            {"permission_id": permission_id},
        )

    # -- templates -----------------------------------------------------------------

    async def add_template(self, name: str, content: bytes) -> TemplateOut:
        async def work() -> TemplateOut:
            template = await self.templates.add(self.actor.user_id, name, content)
            return TemplateOut.of(template, len(content))

        return await self._audited("templates.create", name, None, work)

    async def list_templates(
        self, *, after: uuid.UUID | None, limit: int
    ) -> list[TemplateOut]:
        page = await self.templates.list_page(
            self.actor.user_id, after=after, limit=limit
        )
        return [TemplateOut.of(t, size) for t, size in page]

    async def delete_template(self, template_id: uuid.UUID) -> None:
        async def work() -> None:
            await self.templates.delete(self.actor.user_id, template_id)

        await self._audited("templates.delete", str(template_id), None, work)


def _invite_body(request: ShareDocument) -> dict[str, Any]:
    assert request.invite is not None
    invite = request.invite
    body: dict[str, Any] = {
        "recipients": [{"email": email} for email in invite.recipients],
        "roles": [invite.role],
        "requireSignIn": True,
        "sendInvitation": invite.send_invitation,
    }
    if invite.message:
        body["message"] = invite.message
    return body


def _iso(moment: Any) -> str:
    if moment.tzinfo is None:
        raise ValidationFailedError("link.expiration needs a time zone")
    return str(moment.isoformat())
