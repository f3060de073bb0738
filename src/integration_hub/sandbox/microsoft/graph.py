"""Microsoft Graph v1.0: the user, OneDrive items, uploads and sharing.

Served under ``/sandbox/microsoft/graph`` with Graph's own paths after the prefix.
URLs that real Graph hands out on other hosts (upload sessions, download URLs,
sharing links, web views) live here under ``/_sandbox/`` and need no token.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from . import scopes as scope_rules
from .accounts import Account, Clock
from .asgi import GRAPH_PREFIX, LOGIN_PREFIX, PrefixedApp, origin
from .drive import (
    Drive,
    DriveStore,
    Item,
    check_conflict_behavior,
    commit_upload,
    upload_target,
)
from .errors import (
    GraphError,
    graph_error_response,
    graph_headers,
    graph_json,
    invalid_request,
    not_found,
)
from .paths import ItemAddress, parse_item_address
from .serialize import Urls, drive_json, item_json
from .sharing import Sharing, json_body
from .storage import ContentHasher, DownloadSigner, discard, receive_body
from .tokens import AccessToken, TokenStore
from .uploads import UploadSessions

MAX_SIMPLE_UPLOAD = 250 * 1024 * 1024
DEFAULT_PAGE = 200


@dataclass
class Call:
    """One authenticated Graph request against one drive."""

    request: Request
    account: Account
    drive: Drive
    urls: Urls


class GraphApi:
    """The graph mount; the stores it works on belong to the emulator."""

    def __init__(
        self,
        tokens: TokenStore,
        drives: DriveStore,
        uploads: UploadSessions,
        sharing: Sharing,
        clock: Clock,
    ) -> None:
        self._tokens = tokens
        self._drives = drives
        self._uploads = uploads
        self._sharing = sharing
        self._clock = clock
        self.downloads = DownloadSigner()
        self.app = PrefixedApp(GRAPH_PREFIX, self._dispatch)

    async def _dispatch(self, request: Request, path: str) -> Response:
        try:
            if path.startswith("/_sandbox/"):
                return await self._public(request, path[len("/_sandbox/") :])
            version, _, rest = path.lstrip("/").partition("/")
            if version != "v1.0":
                raise GraphError(400, "BadRequest", f"Invalid version: {version}")
            return await self._v1(request, "/" + rest)
        except GraphError as error:
            return graph_error_response(request, error)

    def _urls(self, request: Request) -> Urls:
        return Urls.of(request, self.downloads, self._clock.now())

    # -- authenticated API -----------------------------------------------------------

    async def _v1(self, request: Request, path: str) -> Response:
        token = self._authenticate(request)
        urls = self._urls(request)
        if path.rstrip("/") == "/me":
            return self._me(request, token, urls)

        head, _, rest = path.partition("/drive")
        if path.startswith("/shares/"):
            return self._shares(request, token, urls, path[len("/shares/") :])
        if head in {
            "/me",
            f"/users/{token.account.email}",
            f"/users/{token.account.oid}",
        }:
            drive = self._drives.for_account(token.account)
        elif path.startswith("/drives/"):
            drive_id, _, tail = path[len("/drives/") :].partition("/")
            drive = self._own_drive(token.account, drive_id)
            rest = "/" + tail if tail else ""
        else:
            segment = path.strip("/").split("/", 1)[0]
            raise GraphError(
                400, "BadRequest", f"Resource not found for the segment '{segment}'."
            )
        if rest and not rest.startswith("/"):
            raise GraphError(400, "BadRequest", "Resource not found for the segment.")

        _require(
            token, scope_rules.FILE_READ if _reads(request) else scope_rules.FILE_WRITE
        )
        call = Call(request, token.account, drive, urls)
        if not rest:
            return self._drive(call)
        return await self._item(call, parse_item_address(rest))

    def _authenticate(self, request: Request) -> AccessToken:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if not value.strip():
            raise self._unauthenticated(request, "Access token is empty.")
        token = (
            self._tokens.find_access(value.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if token is None:
            raise self._unauthenticated(request, "Access token validation failure.")
        if self._clock.now() >= token.expires_at:
            raise self._unauthenticated(
                request, "Access token has expired or is not yet valid."
            )
        return token

    @staticmethod
    def _unauthenticated(request: Request, message: str) -> GraphError:
        authorize = f"{origin(request)}{LOGIN_PREFIX}/common/oauth2/authorize"
        challenge = (
            f'Bearer realm="", authorization_uri="{authorize}", '
            'client_id="00000003-0000-0000-c000-000000000000"'
        )
        return GraphError(
            401,
            "InvalidAuthenticationToken",
            message,
            headers={"WWW-Authenticate": challenge},
        )

    def _me(self, request: Request, token: AccessToken, urls: Urls) -> Response:
        if request.method != "GET":
            raise GraphError.for_status(405)
        if not set(token.scopes) & scope_rules.USER_READ:
            raise GraphError(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
        body = {"@odata.context": f"{urls.v1}/$metadata#users/$entity"}
        return graph_json(request, body | token.account.profile())

    def _own_drive(self, account: Account, drive_id: str) -> Drive:
        drive = self._drives.by_id(drive_id)
        if drive.owner.oid != account.oid:
            raise not_found()
        return drive

    def _drive(self, call: Call) -> Response:
        if call.request.method != "GET":
            raise GraphError.for_status(405)
        return graph_json(call.request, drive_json(call.drive, self._drives, call.urls))

    async def _item(self, call: Call, address: ItemAddress) -> Response:
        method, action = call.request.method, address.action
        if method == "PUT" and action == ("content",):
            return await self._upload(call, address)
        if method == "POST" and action == ("createUploadSession",):
            target = upload_target(
                self._drives, call.drive, address.base, address.segments
            )
            return await self._uploads.create(
                call.request, call.urls, target, call.account
            )

        item = self._resolve(call.drive, address)
        name = action[0] if action else ""
        if name == "permissions":
            return self._permissions(call, item, action[1:])
        handlers = {
            ("GET", ""): self._get_item,
            ("DELETE", ""): self._delete_item,
            ("GET", "children"): self._children,
            ("GET", "content"): self._download_redirect,
        }
        handler = handlers.get((method, name))
        if handler is not None and len(action) <= 1:
            return handler(call, item)
        if method == "POST" and action == ("children",):
            return await self._create_folder(call, item)
        if method == "POST" and action == ("createLink",):
            return await self._sharing.create_link(
                call.request, call.urls, call.drive, item
            )
        if method == "POST" and action == ("invite",):
            return await self._sharing.invite(call.request, call.urls, call.drive, item)
        raise GraphError(
            400, "BadRequest", f"Unsupported request: {method} {'/'.join(action)}."
        )

    def _resolve(self, drive: Drive, address: ItemAddress) -> Item:
        base = self._drives.item(drive, address.base)
        return self._drives.resolve(drive, base, list(address.segments))

    def _get_item(self, call: Call, item: Item) -> Response:
        return graph_json(
            call.request, item_json(call.drive, item, self._drives, call.urls)
        )

    def _delete_item(self, call: Call, item: Item) -> Response:
        self._drives.delete(call.drive, item)
        return Response(status_code=204, headers=graph_headers(call.request))

    def _children(self, call: Call, item: Item) -> Response:
        if not item.is_folder:
            return graph_json(call.request, {"value": []})
        top, skip = _paging(call.request)
        children = self._drives.list_children(call.drive, item)
        page = children[skip : skip + top]
        body: dict[str, object] = {
            "@odata.context": (
                f"{call.urls.v1}/$metadata#drives('{call.drive.id}')"
                f"/items('{item.id}')/children"
            ),
            "value": [
                item_json(call.drive, c, self._drives, call.urls, context=False)
                for c in page
            ],
        }
        if skip + top < len(children):
            next_url = call.request.url.include_query_params(
                **{"$top": str(top), "$skiptoken": str(skip + top)}
            )
            body["@odata.nextLink"] = str(next_url)
        return graph_json(call.request, body)

    def _download_redirect(self, call: Call, item: Item) -> Response:
        if item.is_folder:
            raise invalid_request("A folder has no content to download.")
        location = call.urls.download(call.drive, item)
        return RedirectResponse(location, 302, headers=graph_headers(call.request))

    async def _create_folder(self, call: Call, parent: Item) -> Response:
        body = await json_body(call.request)
        name = body.get("name")
        if not isinstance(name, str) or "folder" not in body:
            raise invalid_request("A folder needs a name and a 'folder' facet.")
        if not parent.is_folder:
            raise invalid_request("Items can only be created inside a folder.")
        conflict = check_conflict_behavior(
            body.get("@microsoft.graph.conflictBehavior"), "fail"
        )
        folder = self._drives.create_folder(
            call.drive, parent, name, conflict, call.account
        )
        return graph_json(
            call.request, item_json(call.drive, folder, self._drives, call.urls), 201
        )

    async def _upload(self, call: Call, address: ItemAddress) -> Response:
        """Simple upload: the body is the whole file, streamed to disk."""
        request = call.request
        conflict = check_conflict_behavior(
            request.query_params.get("@microsoft.graph.conflictBehavior"), "replace"
        )
        target = upload_target(self._drives, call.drive, address.base, address.segments)
        declared = request.headers.get("content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > MAX_SIMPLE_UPLOAD
        ):
            raise GraphError(
                413, "invalidRequest", "Use an upload session above 250 MB."
            )

        upload = self._drives.blobs.new_upload()
        try:
            with upload.open("wb") as file:
                received = await receive_body(
                    request.stream(), file, ContentHasher(), MAX_SIMPLE_UPLOAD
                )
            content = (upload, received.size, received.hasher.hashes())
            item, created = commit_upload(
                self._drives, target, content, conflict, call.account
            )
        finally:
            discard(upload)
        body = item_json(call.drive, item, self._drives, call.urls)
        return graph_json(request, body, 201 if created else 200)

    def _permissions(self, call: Call, item: Item, rest: tuple[str, ...]) -> Response:
        method = call.request.method
        if not rest and method == "GET":
            return self._sharing.list_permissions(
                call.request, call.urls, call.drive, item
            )
        if len(rest) == 1 and method == "GET":
            return self._sharing.get_permission(
                call.request, call.urls, call.drive, item, rest[0]
            )
        if len(rest) == 1 and method == "DELETE":
            return self._sharing.delete_permission(call.request, item, rest[0])
        raise GraphError.for_status(405)

    def _shares(
        self, request: Request, token: AccessToken, urls: Urls, path: str
    ) -> Response:
        _require(token, scope_rules.FILE_READ)
        share_id, _, rest = path.partition("/")
        drive, item = self._sharing.resolve_share(share_id)
        if request.method != "GET" or rest.strip("/") not in {"", "driveItem"}:
            raise GraphError(400, "BadRequest", "Unsupported request on a share.")
        if rest.strip("/") == "driveItem":
            return graph_json(request, item_json(drive, item, self._drives, urls))
        body = {
            "@odata.context": f"{urls.v1}/$metadata#shares/$entity",
            "id": share_id,
            "name": item.name,
            "owner": {"user": {"displayName": drive.owner.display_name}},
        }
        return graph_json(request, body)

    # -- pre-authenticated URLs ------------------------------------------------------

    async def _public(self, request: Request, path: str) -> Response:
        kind, _, key = path.partition("/")
        urls = self._urls(request)
        if kind == "upload" and key:
            return await self._uploads.handle(request, urls, key)
        if request.method not in {"GET", "HEAD"}:
            raise GraphError.for_status(405)
        if kind == "download" and key:
            return self._serve_download(key)
        if kind == "links" and key:
            return self._sharing.open_link(request, urls, key)
        if kind == "web" and key:
            return self._web_page(key)
        raise not_found()

    def _serve_download(self, token: str) -> Response:
        payload = self.downloads.verify(token)
        if payload.get("e", 0) < self._clock.now():
            raise GraphError(401, "unauthenticated", "The download URL has expired.")
        drive = self._drives.by_id(str(payload.get("d")))
        item = self._drives.item(drive, str(payload.get("i")))
        if item.blob is None or not item.blob.exists():
            raise not_found()
        return FileResponse(item.blob, media_type=item.mime_type, filename=item.name)

    def _web_page(self, key: str) -> Response:
        """A stand-in for the OneDrive web view an item's webUrl opens."""
        drive_id, _, item_id = key.partition("/")
        drive = self._drives.by_id(drive_id)
        item = self._drives.item(drive, item_id or "root")
        kind = "Folder" if item.is_folder else "File"
        page = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(item.name)}</title></head><body>"
            f"<h1>{html.escape(item.name)}</h1><p>{kind} {html.escape(item.id)}, "
            f"{item.size} bytes, owned by {html.escape(drive.owner.email)}.</p>"
            "</body></html>"
        )
        return HTMLResponse(page)


def _reads(request: Request) -> bool:
    return request.method in {"GET", "HEAD"}


def _require(token: AccessToken, accepted: frozenset[str]) -> None:
    if not set(token.scopes) & accepted:
        raise GraphError(403, "accessDenied", "Access denied: the token lacks a scope.")


def _paging(request: Request) -> tuple[int, int]:
    top_raw = request.query_params.get("$top", str(DEFAULT_PAGE))
    skip_raw = request.query_params.get("$skiptoken", "0")
    if not top_raw.isdigit() or not skip_raw.isdigit() or not 1 <= int(top_raw) <= 999:
        raise invalid_request("Invalid $top or $skiptoken value.")
    return int(top_raw), int(skip_raw)
