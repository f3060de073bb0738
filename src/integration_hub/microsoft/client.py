"""Calls to Microsoft Graph's drive API, each through the upstream layer.

Costs follow OneDrive's resource-unit model: 1 for a read, 2 for a create,
update or upload, 5 for a permission operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from integration_hub.connections.providers import ProviderConfig
from integration_hub.upstream.client import Call, Caller
from integration_hub.upstream.runtime import Upstream

READ, WRITE, PERMISSION = 1, 2, 5


@dataclass(frozen=True)
class ChunkAnswer:
    """What Graph said to one chunk: more expected, or the finished item."""

    next_offset: int | None
    item: dict[str, Any] | None


class MicrosoftClient:
    def __init__(self, upstream: Upstream, config: ProviderConfig) -> None:
        self.upstream = upstream
        self.drive = config.api_bases["graph"] + "/me/drive"

    def _call(
        self, caller: Caller, method: str, url: str, operation: str, **kw: Any
    ) -> Call:
        kw.setdefault("cost", WRITE)
        return Call(
            method=method,
            url=url,
            operation=operation,
            budgets=self.upstream.graph_budgets(caller.connection_id),
            **kw,
        )

    async def _json(self, caller: Caller, call: Call) -> dict[str, Any]:
        response = await self.upstream.microsoft.send(caller, call)
        body: dict[str, Any] = response.json()
        return body

    def _by_path(self, path: str, action: str) -> str:
        return f"{self.drive}/root:/{quote(path, safe='/')}:/{action}"

    def _item(self, item_id: str, action: str = "") -> str:
        url = f"{self.drive}/items/{quote(item_id, safe='')}"
        return f"{url}/{action}" if action else url

    async def simple_upload(
        self, caller: Caller, path: str, content: bytes, conflict: str
    ) -> dict[str, Any]:
        # Sending the same bytes twice to replace is harmless; with fail or
        # rename, a PUT that landed but lost its answer must not be repeated.
        call = self._call(
            caller,
            "PUT",
            self._by_path(path, "content"),
            "drive.upload",
            idempotent=conflict == "replace",
            params={"@microsoft.graph.conflictBehavior": conflict},
            content=content,
            headers={"Content-Type": "application/octet-stream"},
        )
        return await self._json(caller, call)

    async def create_upload_session(
        self, caller: Caller, path: str, conflict: str
    ) -> dict[str, Any]:
        # A repeated request only leaves an unused session to expire, except
        # that with fail Graph may hold the name for the first session: then
        # a blind retry could fail against our own lost request.
        name = path.rsplit("/", 1)[-1]
        call = self._call(
            caller,
            "POST",
            self._by_path(path, "createUploadSession"),
            "drive.create_upload_session",
            idempotent=conflict != "fail",
            json={
                "item": {"@microsoft.graph.conflictBehavior": conflict, "name": name}
            },
        )
        return await self._json(caller, call)

    async def upload_chunk(
        self, caller: Caller, upload_url: str, data: bytes, start: int, total: int
    ) -> ChunkAnswer:
        """PUT one byte range; a Content-Range write is safe to repeat."""
        end = start + len(data) - 1
        call = self._call(
            caller,
            "PUT",
            upload_url,
            "drive.upload_chunk",
            idempotent=True,
            authenticated=False,  # the URL carries its own authorization
            content=data,
            headers={"Content-Range": f"bytes {start}-{end}/{total}"},
        )
        response = await self.upstream.microsoft.send(caller, call)
        body = response.json()
        if response.status_code == 202:
            return ChunkAnswer(next_offset(body.get("nextExpectedRanges")), None)
        return ChunkAnswer(None, body)

    async def session_status(self, caller: Caller, upload_url: str) -> int | None:
        """The next byte the session expects; None when it expects none."""
        call = self._call(
            caller,
            "GET",
            upload_url,
            "drive.upload_status",
            cost=READ,
            idempotent=True,
            authenticated=False,
        )
        body = await self._json(caller, call)
        return next_offset(body.get("nextExpectedRanges"))

    async def cancel_session(self, caller: Caller, upload_url: str) -> None:
        call = self._call(
            caller,
            "DELETE",
            upload_url,
            "drive.cancel_upload",
            cost=READ,
            idempotent=True,
            authenticated=False,
        )
        await self.upstream.microsoft.send(caller, call)

    async def create_link(
        self, caller: Caller, item_id: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """The link permission, and whether it is new (201) or existing (200)."""
        # Asking twice for the same kind of link answers the same link.
        call = self._call(
            caller,
            "POST",
            self._item(item_id, "createLink"),
            "drive.create_link",
            cost=PERMISSION,
            idempotent=True,
            json=body,
        )
        response = await self.upstream.microsoft.send(caller, call)
        await self._changed(caller, item_id)
        permission: dict[str, Any] = response.json()
        return permission, response.status_code == 201

    async def invite(
        self, caller: Caller, item_id: str, body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # An invitation may send mail: never repeated blindly.
        call = self._call(
            caller,
            "POST",
            self._item(item_id, "invite"),
            "drive.invite",
            cost=PERMISSION,
            json=body,
        )
        permissions: list[dict[str, Any]] = (await self._json(caller, call))["value"]
        await self._changed(caller, item_id)
        return permissions

    async def permissions(self, caller: Caller, item_id: str) -> list[dict[str, Any]]:
        """An item's permissions, cached until the hub changes them."""
        call = self._call(
            caller,
            "GET",
            self._item(item_id, "permissions"),
            "drive.list_permissions",
            cost=READ,
            idempotent=True,
        )

        async def fetch() -> list[dict[str, Any]]:
            permissions: list[dict[str, Any]] = (await self._json(caller, call))[
                "value"
            ]
            return permissions

        permissions, _hit = await self.upstream.read_through(
            "microsoft",
            "drive.list_permissions",
            (caller.connection_id, item_id, "permissions"),
            fetch,
        )
        return list(permissions)

    async def _changed(self, caller: Caller, item_id: str) -> None:
        await self.upstream.cache.invalidate(caller.connection_id, item_id)

    async def delete_permission(
        self, caller: Caller, item_id: str, permission_id: str
    ) -> None:
        call = self._call(
            caller,
            "DELETE",
            self._item(item_id, f"permissions/{quote(permission_id, safe='')}"),
            "drive.delete_permission",
            cost=PERMISSION,
            idempotent=True,
        )
        await self.upstream.microsoft.send(caller, call)
        await self._changed(caller, item_id)


def next_offset(ranges: object) -> int | None:
    """The first byte Graph still expects, from ranges like ``["26-"]``.

    Graph may list several ranges, open (``"26-"``) or closed
    (``"26-1000"``); the earliest start is where sequential sending resumes.
    """
    if not isinstance(ranges, list) or not ranges:
        return None
    starts = [int(str(r).split("-", 1)[0]) for r in ranges if str(r)[:1].isdigit()]
    return min(starts) if starts else None
