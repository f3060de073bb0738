"""Sharing: createLink, invite, permissions, and resolving what links point at."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .accounts import Clock
from .drive import Drive, DriveStore, Item, Permission
from .errors import GraphError, graph_headers, graph_json, invalid_request, not_found
from .serialize import (
    OWNER_PERMISSION_ID,
    Urls,
    item_json,
    owner_permission,
    permission_json,
)

LINK_TYPES = {"view": ["read"], "edit": ["write"], "embed": ["read"]}
LINK_SCOPES = {"anonymous", "organization", "users"}
MAX_MESSAGE = 2000


class Sharing:
    """Permissions live on items; this keeps the index from link token to item."""

    def __init__(self, drives: DriveStore, clock: Clock) -> None:
        self._drives = drives
        self._clock = clock
        self._lock = threading.Lock()
        self._links: dict[str, tuple[str, str, str]] = {}

    def clear(self) -> None:
        with self._lock:
            self._links.clear()

    async def create_link(
        self, request: Request, urls: Urls, drive: Drive, item: Item
    ) -> Response:
        body = await json_body(request)
        link_type = body.get("type")
        if not isinstance(link_type, str) or link_type not in LINK_TYPES:
            raise invalid_request("The link type must be one of view, edit or embed.")
        scope = body.get("scope") or "anonymous"
        if not isinstance(scope, str) or scope not in LINK_SCOPES:
            raise invalid_request(
                "The link scope must be one of anonymous, organization or users."
            )
        password = body.get("password")
        expiration = _expiration(body.get("expirationDateTime"))

        existing = self._same_link(item, link_type, scope, password, expiration)
        if existing is not None:
            return self._permission_response(request, urls, drive, existing, 200)
        permission = Permission(
            id=secrets.token_urlsafe(12),
            roles=list(LINK_TYPES[link_type]),
            created=self._clock.now(),
            link_type=link_type,
            link_scope=scope,
            link_token=secrets.token_urlsafe(18),
            has_password=bool(password),
            expiration=expiration,
        )
        self._add(drive, item, permission)
        return self._permission_response(request, urls, drive, permission, 201)

    async def invite(
        self, request: Request, urls: Urls, drive: Drive, item: Item
    ) -> Response:
        body = await json_body(request)
        recipients = _recipients(body.get("recipients"))
        roles = body.get("roles")
        if (
            not isinstance(roles, list)
            or not roles
            or not all(role in ("read", "write") for role in roles)
        ):
            raise invalid_request("roles must list 'read' or 'write'.")
        message = body.get("message") or ""
        if not isinstance(message, str) or len(message) > MAX_MESSAGE:
            raise invalid_request("The message must be at most 2000 characters.")
        expiration = _expiration(body.get("expirationDateTime"))

        created = []
        for email in recipients:
            permission = Permission(
                id=secrets.token_urlsafe(12),
                roles=list(dict.fromkeys(roles)),
                created=self._clock.now(),
                expiration=expiration,
                recipient=email,
                require_sign_in=bool(body.get("requireSignIn", True)),
            )
            self._add(drive, item, permission)
            created.append(permission_json(permission, urls, drive.owner))
        context = f"{urls.v1}/$metadata#Collection(microsoft.graph.permission)"
        return graph_json(request, {"@odata.context": context, "value": created})

    def list_permissions(
        self, request: Request, urls: Urls, drive: Drive, item: Item
    ) -> Response:
        with self._drives.lock:
            permissions = list(item.permissions)
        value = [owner_permission(drive.owner)]
        value += [permission_json(p, urls, drive.owner) for p in permissions]
        context = (
            f"{urls.v1}/$metadata#drives('{drive.id}')/items('{item.id}')/permissions"
        )
        return graph_json(request, {"@odata.context": context, "value": value})

    def get_permission(
        self, request: Request, urls: Urls, drive: Drive, item: Item, permission_id: str
    ) -> Response:
        permission = _find(item, permission_id)
        return self._permission_response(request, urls, drive, permission, 200)

    def delete_permission(
        self, request: Request, item: Item, permission_id: str
    ) -> Response:
        if permission_id == OWNER_PERMISSION_ID:
            raise GraphError(
                403, "accessDenied", "The owner permission cannot be removed."
            )
        permission = _find(item, permission_id)
        with self._drives.lock:
            item.permissions.remove(permission)
        if permission.link_token is not None:
            with self._lock:
                self._links.pop(permission.link_token, None)
        return Response(status_code=204, headers=graph_headers(request))

    def resolve_share(self, share_id: str) -> tuple[Drive, Item]:
        """What ``/shares/{id}`` names: a link URL encoded as ``u!`` + base64url."""
        if not share_id.startswith("u!"):
            raise not_found()
        encoded = share_id[2:]
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise invalid_request("The sharing token is not valid.") from exc
        token = url.rstrip("/").rsplit("/_sandbox/links/", 1)[-1]
        return self.resolve_link(token)

    def resolve_link(self, token: str) -> tuple[Drive, Item]:
        with self._lock:
            entry = self._links.get(token)
        if entry is None:
            raise not_found()
        drive_id, item_id, permission_id = entry
        drive = self._drives.by_id(drive_id)
        item = self._drives.item(drive, item_id)
        permission = _find(item, permission_id)
        if (
            permission.expiration
            and _parse_time(permission.expiration) <= self._clock.now()
        ):
            raise not_found()
        return drive, item

    def open_link(self, request: Request, urls: Urls, token: str) -> Response:
        """What a browser (or a test) gets from a link's webUrl, without a token.

        JSON clients get the driveItem; anyone else is sent to the file's bytes.
        """
        drive, item = self.resolve_link(token)
        wants_json = "application/json" in request.headers.get("accept", "")
        if wants_json or item.is_folder:
            return graph_json(request, item_json(drive, item, self._drives, urls))
        return RedirectResponse(urls.download(drive, item), status_code=302)

    def _add(self, drive: Drive, item: Item, permission: Permission) -> None:
        with self._drives.lock:
            item.permissions.append(permission)
        if permission.link_token is not None:
            with self._lock:
                self._links[permission.link_token] = (drive.id, item.id, permission.id)

    def _same_link(
        self,
        item: Item,
        link_type: str,
        scope: str,
        password: Any,
        expiration: str | None,
    ) -> Permission | None:
        if password:
            return None
        with self._drives.lock:
            for permission in item.permissions:
                if (
                    permission.link_type == link_type
                    and permission.link_scope == scope
                    and not permission.has_password
                    and permission.expiration == expiration
                ):
                    return permission
        return None

    def _permission_response(
        self,
        request: Request,
        urls: Urls,
        drive: Drive,
        permission: Permission,
        status: int,
    ) -> Response:
        body = {
            "@odata.context": f"{urls.v1}/$metadata#permission",
            **permission_json(permission, urls, drive.owner),
        }
        return graph_json(request, body, status=status)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise invalid_request("The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return body


def _recipients(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise invalid_request("At least one recipient is required.")
    emails = []
    for recipient in value:
        email = recipient.get("email") if isinstance(recipient, dict) else None
        if not isinstance(email, str) or "@" not in email:
            raise invalid_request("Each recipient needs a valid email address.")
        emails.append(email)
    return emails


def _expiration(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_request("expirationDateTime must be an ISO 8601 date and time.")
    _parse_time(value)
    return value


def _parse_time(value: str) -> float:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise invalid_request(
            "expirationDateTime must be an ISO 8601 date and time."
        ) from exc


def _find(item: Item, permission_id: str) -> Permission:
    for permission in item.permissions:
        if permission.id == permission_id:
            return permission
    raise not_found()
