"""The Drive v3 host (www.googleapis.com): files and permissions."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_hub.sandbox.google.access import (
    DRIVE_READ,
    DRIVE_WRITE,
    authorize,
    json_body,
    query_int,
)
from integration_hub.sandbox.google.drive_query import parse_query, select
from integration_hub.sandbox.google.errors import (
    GoogleApiError,
    api_crash_handler,
    api_error_handler,
    api_http_exception_handler,
)
from integration_hub.sandbox.google.schemas import check_drive
from integration_hub.sandbox.google.tokens import AccessToken
from integration_hub.sandbox.google.workbook import (
    SPREADSHEET_MIME,
    WRITER_ROLES,
    DriveFile,
    Permission,
    permission_id,
)
from integration_hub.sandbox.google.world import GoogleWorld

SERVICE = "drive.googleapis.com"
FILE_DEFAULT = "kind,id,name,mimeType"
PERMISSION_TYPES = ("user", "group", "domain", "anyone")
ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")


def drive_app(world: GoogleWorld) -> Starlette:
    def token(request: Request, *, write: bool) -> AccessToken:
        return authorize(world, request, DRIVE_WRITE if write else DRIVE_READ, SERVICE)

    def visible(request: Request, *, write: bool) -> tuple[AccessToken, DriveFile]:
        caller = token(request, write=write)
        file_id = request.path_params["file_id"]
        record = world.files.files.get(file_id)
        role = world.files.role(record, caller.account) if record else None
        if record is None or role is None:
            raise _file_not_found(file_id)
        if write and role not in WRITER_ROLES:
            raise _insufficient_file_permissions()
        return caller, record

    async def create_file(request: Request) -> Response:
        caller = token(request, write=True)
        body = check_drive(await json_body(request), "File")
        mime_type = body.get("mimeType") or "application/octet-stream"
        default_name = (
            "Untitled spreadsheet" if mime_type == SPREADSHEET_MIME else "Untitled"
        )
        record = world.files.create(
            caller.account, body.get("name") or default_name, mime_type
        )
        record.parents = body.get("parents") or ["root"]
        if "description" in body:
            record.extra["description"] = body["description"]
        return _file_response(request, record, caller.account)

    async def get_file(request: Request) -> Response:
        caller, record = visible(request, write=False)
        return _file_response(request, record, caller.account)

    async def list_files(request: Request) -> Response:
        caller = token(request, write=False)
        predicates = parse_query(request.query_params.get("q", ""))
        page_size = max(1, min(query_int(request, "pageSize", 100), 1000))
        offset = _page_offset(request.query_params.get("pageToken"))
        matching = [
            f
            for f in world.files.files.values()
            if world.files.role(f, caller.account) is not None
            and all(p(f, caller.account) for p in predicates)
        ]
        page = matching[offset : offset + page_size]
        body: dict[str, Any] = {
            "kind": "drive#fileList",
            "incompleteSearch": False,
            "files": [file_json(f, caller.account) for f in page],
        }
        if offset + page_size < len(matching):
            body["nextPageToken"] = str(offset + page_size)
        fields = request.query_params.get("fields")
        if fields:
            return JSONResponse(select(body, fields))
        body["files"] = [select(f, FILE_DEFAULT) for f in body["files"]]
        return JSONResponse(body)

    async def delete_file(request: Request) -> Response:
        caller, record = visible(request, write=True)
        if world.files.role(record, caller.account) != "owner":
            raise _insufficient_file_permissions()
        del world.files.files[record.file_id]
        return Response(status_code=204)

    async def create_permission(request: Request) -> Response:
        _, record = visible(request, write=True)
        body = check_drive(await json_body(request), "Permission")
        permission = _new_permission(body)
        record.permissions = [
            p for p in record.permissions if p.permission_id != permission.permission_id
        ] + [permission]
        world.files.touch(record)
        return _selected(request, permission.to_json(), "kind,id,type,role")

    async def list_permissions(request: Request) -> Response:
        _, record = visible(request, write=False)
        body = {
            "kind": "drive#permissionList",
            "permissions": [p.to_json() for p in record.permissions],
        }
        return _selected(request, body, "kind,permissions(kind,id,type,role)")

    async def get_permission(request: Request) -> Response:
        _, record = visible(request, write=False)
        permission = _permission(record, request.path_params["permission_id"])
        return _selected(request, permission.to_json(), "kind,id,type,role")

    async def delete_permission(request: Request) -> Response:
        _, record = visible(request, write=True)
        permission = _permission(record, request.path_params["permission_id"])
        if permission.role == "owner":
            raise GoogleApiError(
                403,
                "The owner of a file cannot be removed.",
                reason="cannotRemoveOwner",
            )
        record.permissions.remove(permission)
        return Response(status_code=204)

    base = "/drive/v3/files"
    routes = [
        Route(base, create_file, methods=["POST"]),
        Route(base, list_files, methods=["GET"]),
        Route(base + "/{file_id}", get_file, methods=["GET"]),
        Route(base + "/{file_id}", delete_file, methods=["DELETE"]),
        Route(base + "/{file_id}/permissions", create_permission, methods=["POST"]),
        Route(base + "/{file_id}/permissions", list_permissions, methods=["GET"]),
        Route(
            base + "/{file_id}/permissions/{permission_id}",
            get_permission,
            methods=["GET"],
        ),
        Route(
            base + "/{file_id}/permissions/{permission_id}",
            delete_permission,
            methods=["DELETE"],
        ),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={
            GoogleApiError: api_error_handler,
            HTTPException: api_http_exception_handler,
            Exception: api_crash_handler,
        },
    )


def file_json(record: DriveFile, me: str) -> dict[str, Any]:
    owner_id = permission_id(record.owner)
    return {
        "kind": "drive#file",
        "id": record.file_id,
        "name": record.name,
        "mimeType": record.mime_type,
        "starred": False,
        "trashed": False,
        "explicitlyTrashed": False,
        "parents": record.parents,
        "spaces": ["drive"],
        "version": "1",
        "webViewLink": _web_view_link(record),
        "createdTime": record.created,
        "modifiedTime": record.modified,
        "owners": [
            {
                "kind": "drive#user",
                "displayName": record.owner.partition("@")[0],
                "emailAddress": record.owner,
                "me": record.owner == me,
                "permissionId": owner_id,
            }
        ],
        "ownedByMe": record.owner == me,
        "shared": len(record.permissions) > 1,
        "permissions": [p.to_json() for p in record.permissions],
        "permissionIds": [p.permission_id for p in record.permissions],
    } | record.extra


def _web_view_link(record: DriveFile) -> str:
    if record.mime_type == SPREADSHEET_MIME:
        return (
            f"https://docs.google.com/spreadsheets/d/{record.file_id}/edit?usp=drivesdk"
        )
    return f"https://drive.google.com/file/d/{record.file_id}/view?usp=drivesdk"


def _file_response(request: Request, record: DriveFile, me: str) -> Response:
    return _selected(request, file_json(record, me), FILE_DEFAULT)


def _selected(request: Request, body: dict[str, Any], default: str) -> Response:
    return JSONResponse(select(body, request.query_params.get("fields") or default))


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise GoogleApiError(
            400,
            "Invalid Value",
            reason="invalid",
            extra={"location": "pageToken", "locationType": "parameter"},
        )
    return int(token)


def _new_permission(body: dict[str, Any]) -> Permission:
    kind, role = body.get("type"), body.get("role")
    if kind is None or role is None:
        missing = "permission.type" if kind is None else "permission.role"
        raise _required(missing)
    if kind not in PERMISSION_TYPES:
        raise _invalid_field("permission.type", kind)
    if role not in ROLES:
        raise _invalid_field("permission.role", role)
    email = body.get("emailAddress")
    if kind in ("user", "group") and not email:
        raise _required("permission.emailAddress")
    if kind == "domain" and not body.get("domain"):
        raise _required("permission.domain")
    if kind in ("user", "group"):
        identifier = permission_id(str(email))
    else:
        identifier = kind if kind == "anyone" else kind + ":" + str(body.get("domain"))
    return Permission(
        permission_id=identifier,
        type=kind,
        role=role,
        email_address=email,
        domain=body.get("domain"),
        allow_file_discovery=body.get("allowFileDiscovery"),
        expiration_time=body.get("expirationTime"),
    )


def _permission(record: DriveFile, permission_id_value: str) -> Permission:
    for permission in record.permissions:
        if permission.permission_id == permission_id_value:
            return permission
    raise GoogleApiError(
        404,
        f"Permission not found: {permission_id_value}.",
        extra={"location": "permissionId", "locationType": "parameter"},
    )


def _file_not_found(file_id: str) -> GoogleApiError:
    return GoogleApiError(
        404,
        f"File not found: {file_id}.",
        extra={"location": "fileId", "locationType": "parameter"},
    )


def _insufficient_file_permissions() -> GoogleApiError:
    return GoogleApiError(
        403,
        "The user does not have sufficient permissions for this file.",
        reason="insufficientFilePermissions",
    )


def _required(field: str) -> GoogleApiError:
    return GoogleApiError(
        400,
        f"Required parameter: {field}",
        reason="required",
        extra={"location": field, "locationType": "other"},
    )


def _invalid_field(field: str, value: Any) -> GoogleApiError:
    return GoogleApiError(
        400,
        f"Invalid value for {field}: {value}",
        reason="invalid",
        extra={"location": field, "locationType": "other"},
    )
