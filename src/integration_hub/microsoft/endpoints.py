"""OneDrive documents and Word templates over HTTP.

Upload bodies never reach memory whole: the endpoints read the raw ASGI stream
themselves (FastAPI's form parsing would spool outside the hub's limits) and
hand it to the spoolers in ``uploads.py``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from integration_hub.config import Settings
from integration_hub.connections.service import ConnectionService
from integration_hub.dependencies import Context, CurrentUser
from integration_hub.errors import (
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
)
from integration_hub.microsoft.client import MicrosoftClient
from integration_hub.microsoft.schemas import (
    ConflictBehavior,
    DocumentOut,
    DocumentPage,
    InviteOut,
    PermissionOut,
    PermissionPage,
    RenderDocument,
    ShareDocument,
    TemplateOut,
    TemplatePage,
)
from integration_hub.microsoft.service import DocumentService, check_path
from integration_hub.microsoft.templates import MAX_TEMPLATE_BYTES
from integration_hub.microsoft.uploads import Spooled, spool_multipart, spool_raw
from integration_hub.observability.audit import Actor

router = APIRouter(prefix="/microsoft/documents", tags=["microsoft documents"])
templates_router = APIRouter(prefix="/templates", tags=["templates"])

JSON, MULTIPART, RAW = (
    "application/json",
    "multipart/form-data",
    "application/octet-stream",
)
CONFLICT_BEHAVIORS = ("fail", "replace", "rename")
# Room for multipart boundaries and the small fields beside the file.
MULTIPART_OVERHEAD = 64 * 1024
# A render request carries data and perhaps an inline template as base64.
MAX_JSON_BYTES = MAX_TEMPLATE_BYTES * 2


def get_service(
    request: Request, context: Context, user: CurrentUser
) -> DocumentService:
    config = context.connections.oauth_client("microsoft").config
    return DocumentService(
        context.upstream,
        ConnectionService(context.connections),
        MicrosoftClient(context.upstream, config),
        Actor(user.id, getattr(request.state, "request_id", None)),
    )


Service = Annotated[DocumentService, Depends(get_service)]


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _check_length(request: Request, limit: int) -> None:
    """Refuse a body whose declared length is over the limit before reading it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the body is {declared} bytes; this hub accepts files of up to "
            f"{limit} bytes"
        )


async def _spool_body(request: Request, settings: Settings, limit: int) -> Spooled:
    """The request's file on disk, from multipart or a raw body."""
    media = _media_type(request)
    directory = settings.var_dir / "uploads"
    if media == MULTIPART:
        _check_length(request, limit + MULTIPART_OVERHEAD)
        return await spool_multipart(
            request.stream(), request.headers["content-type"], directory, limit
        )
    if media == RAW:
        _check_length(request, limit)
        return await spool_raw(request.stream(), directory, limit)
    raise UnsupportedMediaTypeError(
        f"send {JSON} (a template and its data), {MULTIPART} (a 'file' part) "
        f"or {RAW} (the file itself), not {media or 'no Content-Type'}"
    )


async def _render_request(request: Request) -> RenderDocument:
    _check_length(request, MAX_JSON_BYTES)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise PayloadTooLargeError(f"a JSON body is at most {MAX_JSON_BYTES} bytes")
    try:
        return RenderDocument.model_validate_json(bytes(body))
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


def _conflict(value: str | None) -> str:
    behavior = value or "fail"
    if behavior not in CONFLICT_BEHAVIORS:
        raise ValidationFailedError(
            f"conflict_behavior must be one of {', '.join(CONFLICT_BEHAVIORS)}"
        )
    return behavior


def _connection(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        raise ValidationFailedError("connection_id is not a connection id") from None


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {"schema": {"$ref": "#/components/schemas/RenderDocument"}},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "required": ["file", "path"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "path": {"type": "string"},
                        "conflict_behavior": {"enum": list(CONFLICT_BEHAVIORS)},
                        "connection_id": {"type": "string", "format": "uuid"},
                    },
                }
            },
            RAW: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "",
    response_model=DocumentOut,
    status_code=201,
    summary="Render a Word template, or upload a file (multipart or raw body)",
    openapi_extra=_UPLOAD_BODY,
)
async def create_document(
    request: Request,
    service: Service,
    context: Context,
    path: Annotated[str | None, Query(max_length=400)] = None,
    conflict_behavior: ConflictBehavior | None = None,
    connection_id: uuid.UUID | None = None,
) -> DocumentOut:
    if _media_type(request) == JSON:
        return await service.render(await _render_request(request))
    if _media_type(request) == RAW:
        # The path comes first here, so a bad one costs no upload.
        check_path(path or "")
    settings = context.settings
    spooled = await _spool_body(request, settings, settings.upload_max_bytes)
    try:
        fields = spooled.fields
        target = fields.get("path") or path or ""
        conflict = _conflict(fields.get("conflict_behavior") or conflict_behavior)
        connection = _connection(fields.get("connection_id")) or connection_id
    except ValidationFailedError:
        spooled.discard()
        raise
    return await service.upload(spooled, target, conflict, connection)


@router.get("", response_model=DocumentPage, summary="Your documents, newest last")
async def list_documents(
    service: Service,
    cursor: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DocumentPage:
    page = await service.list_page(after=cursor, limit=limit + 1)
    next_cursor = str(page[limit - 1].id) if len(page) > limit else None
    return DocumentPage(items=page[:limit], next_cursor=next_cursor)


@router.post(
    "/share",
    response_model=PermissionOut | InviteOut,
    status_code=201,
    summary="Share by link (201 new, 200 existing) or invite people",
)
async def share_document(
    body: ShareDocument, service: Service, response: Response
) -> PermissionOut | InviteOut:
    shared, created = await service.share(body)
    response.status_code = 201 if created else 200
    return shared


@router.get("/{document_id}", response_model=DocumentOut, summary="One document")
async def get_document(document_id: uuid.UUID, service: Service) -> DocumentOut:
    return await service.get(document_id)


@router.post(
    "/{document_id}/resume",
    response_model=DocumentOut,
    summary="Continue an interrupted upload (re-send the file unless the hub has it)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                k: v
                for k, v in _UPLOAD_BODY["requestBody"]["content"].items()
                if k != JSON
            },
        }
    },
)
async def resume_document(
    document_id: uuid.UUID, request: Request, service: Service, context: Context
) -> DocumentOut:
    spooled = None
    if _media_type(request) or request.headers.get("content-length", "0") != "0":
        settings = context.settings
        spooled = await _spool_body(request, settings, settings.upload_max_bytes)
    return await service.resume(document_id, spooled)


@router.get(
    "/{document_id}/permissions",
    response_model=PermissionPage,
    summary="Who and which links can reach a document",
)
async def list_permissions(document_id: uuid.UUID, service: Service) -> PermissionPage:
    return PermissionPage(items=await service.permissions(document_id))


@router.delete(
    "/{document_id}/permissions/{permission_id}",
    status_code=204,
    summary="Remove a sharing link or an invitation",
)
async def delete_permission(
    document_id: uuid.UUID,
    permission_id: Annotated[str, "the permission's id"],
    service: Service,
) -> Response:
    await service.delete_permission(document_id, permission_id)
    return Response(status_code=204)


@templates_router.post(
    "",
    response_model=TemplateOut,
    status_code=201,
    summary="Store a Word (.docx) template: multipart 'file' (and 'name') or raw",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                MULTIPART: {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "name": {"type": "string"},
                        },
                    }
                },
                RAW: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def create_template(
    request: Request,
    service: Service,
    context: Context,
    name: Annotated[str | None, Query(max_length=255)] = None,
) -> TemplateOut:
    spooled = await _spool_body(request, context.settings, MAX_TEMPLATE_BYTES)
    try:
        content = spooled.path.read_bytes()
    finally:
        spooled.discard()
    title = spooled.fields.get("name") or name or spooled.filename or "template.docx"
    return await service.add_template(title[:255], content)


@templates_router.get("", response_model=TemplatePage, summary="Your templates")
async def list_templates(
    service: Service,
    cursor: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TemplatePage:
    page = await service.list_templates(after=cursor, limit=limit + 1)
    next_cursor = str(page[limit - 1].id) if len(page) > limit else None
    return TemplatePage(items=page[:limit], next_cursor=next_cursor)


@templates_router.delete("/{template_id}", status_code=204, summary="Delete a template")
async def delete_template(template_id: uuid.UUID, service: Service) -> Response:
    await service.delete_template(template_id)
    return Response(status_code=204)
