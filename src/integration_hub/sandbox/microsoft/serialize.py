"""Graph's JSON for drives, driveItems and permissions, with URLs back to us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from .accounts import Account
from .asgi import GRAPH_PREFIX, origin
from .drive import Drive, DriveStore, Item, Permission, quota
from .storage import DownloadSigner

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
OWNER_PERMISSION_ID = "aTowIy5mfG1lbWJlcnNoaXB8b3duZXI"


def iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def identity(account: Account) -> dict[str, Any]:
    return {
        "user": {
            "email": account.email,
            "id": account.oid,
            "displayName": account.display_name,
        }
    }


@dataclass
class Urls:
    """Every URL a response hands out, rooted at the address the client used."""

    base: str
    signer: DownloadSigner
    now: float

    @classmethod
    def of(cls, request: Request, signer: DownloadSigner, now: float) -> Urls:
        return cls(f"{origin(request)}{GRAPH_PREFIX}", signer, now)

    @property
    def v1(self) -> str:
        return f"{self.base}/v1.0"

    def download(self, drive: Drive, item: Item) -> str:
        token = self.signer.sign(
            {
                "d": drive.id,
                "i": item.id,
                "v": item.content_version,
                "e": int(self.now) + self.signer.lifetime,
            }
        )
        return f"{self.base}/_sandbox/download/{token}"

    def web(self, drive: Drive, item: Item) -> str:
        return f"{self.base}/_sandbox/web/{drive.id}/{item.id}"

    def link(self, token: str) -> str:
        return f"{self.base}/_sandbox/links/{token}"

    def upload(self, session_id: str) -> str:
        return f"{self.base}/_sandbox/upload/{session_id}"


def drive_json(drive: Drive, store: DriveStore, urls: Urls) -> dict[str, Any]:
    root = store.item(drive, "root")
    return {
        "@odata.context": f"{urls.v1}/$metadata#drives/$entity",
        "createdDateTime": iso(drive.created),
        "description": "",
        "id": drive.id,
        "lastModifiedDateTime": iso(root.modified),
        "name": "OneDrive",
        "webUrl": f"{urls.base}/_sandbox/web/{drive.id}",
        "driveType": "business",
        "createdBy": {"user": {"displayName": "System Account"}},
        "owner": identity(drive.owner),
        "quota": quota(store.folder_size(drive, root)),
    }


def item_json(
    drive: Drive, item: Item, store: DriveStore, urls: Urls, *, context: bool = True
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if context:
        body["@odata.context"] = (
            f"{urls.v1}/$metadata#drives('{drive.id}')/items/$entity"
        )
    if not item.is_folder:
        body["@microsoft.graph.downloadUrl"] = urls.download(drive, item)
    size = store.folder_size(drive, item) if item.is_folder else item.size
    body |= {
        "createdDateTime": iso(item.created),
        "eTag": f'"{{{item.guid}}},{item.version}"',
        "id": item.id,
        "lastModifiedDateTime": iso(item.modified),
        "name": item.name,
        "webUrl": urls.web(drive, item),
        "cTag": f'"c:{{{item.guid}}},{item.content_version}"',
        "size": size,
        "createdBy": identity(item.created_by),
        "lastModifiedBy": identity(item.created_by),
        "parentReference": _parent_reference(drive, item, store),
        "fileSystemInfo": {
            "createdDateTime": iso(item.created),
            "lastModifiedDateTime": iso(item.modified),
        },
    }
    if item.is_folder:
        body["folder"] = {"childCount": len(store.list_children(drive, item))}
        if item.parent_id is None:
            body["root"] = {}
    else:
        body["file"] = {"mimeType": item.mime_type, "hashes": dict(item.hashes or {})}
    return body


def _parent_reference(drive: Drive, item: Item, store: DriveStore) -> dict[str, Any]:
    reference: dict[str, Any] = {"driveType": "business", "driveId": drive.id}
    if item.parent_id is None:
        return reference
    parent = store.item(drive, item.parent_id)
    reference["id"] = parent.id
    reference["name"] = parent.name
    reference["path"] = f"/drive/root:{store.path_of(drive, parent)}"
    return reference


def permission_json(
    permission: Permission, urls: Urls, owner: Account
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": permission.id, "roles": list(permission.roles)}
    if permission.link_type is not None and permission.link_token is not None:
        body["link"] = {
            "type": permission.link_type,
            "scope": permission.link_scope,
            "webUrl": urls.link(permission.link_token),
            "preventsDownload": False,
            "application": {"id": GRAPH_APP_ID, "displayName": "Integration Hub"},
        }
        body["hasPassword"] = permission.has_password
        body["grantedToIdentitiesV2"] = []
    if permission.recipient is not None:
        grantee = identity(Account(permission.recipient))
        body["grantedTo"] = grantee
        body["grantedToV2"] = grantee
        body["invitation"] = {
            "email": permission.recipient,
            "signInRequired": permission.require_sign_in,
            "invitedBy": identity(owner),
        }
    if permission.expiration is not None:
        body["expirationDateTime"] = permission.expiration
    return body


def owner_permission(owner: Account) -> dict[str, Any]:
    return {
        "id": OWNER_PERMISSION_ID,
        "roles": ["owner"],
        "grantedTo": identity(owner),
        "grantedToV2": identity(owner),
    }
