"""OneDrive for Business drives: a tree of items per user, contents on disk."""

from __future__ import annotations

import base64
import mimetypes
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .accounts import Account, Clock
from .errors import GraphError, invalid_request, not_found
from .storage import BlobStore, discard

CONFLICT_BEHAVIORS = ("fail", "replace", "rename")
_INVALID_NAME = re.compile(r'["*:<>?/\\|]')
_RESERVED = {"con", "prn", "aux", "nul", ".lock", "desktop.ini"} | {
    f"{d}{n}" for d in ("com", "lpt") for n in range(10)
}


@dataclass
class Permission:
    """A sharing link or an invitation on one item."""

    id: str
    roles: list[str]
    created: float
    link_type: str | None = None
    link_scope: str | None = None
    link_token: str | None = None
    has_password: bool = False
    expiration: str | None = None
    recipient: str | None = None
    require_sign_in: bool = True


@dataclass
class Item:
    id: str
    name: str
    parent_id: str | None
    is_folder: bool
    created: float
    modified: float
    created_by: Account
    guid: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    version: int = 1
    content_version: int = 1
    size: int = 0
    blob: Path | None = None
    hashes: dict[str, str] | None = None
    mime_type: str | None = None
    permissions: list[Permission] = field(default_factory=list)


@dataclass
class Drive:
    id: str
    owner: Account
    created: float
    root_id: str
    items: dict[str, Item] = field(default_factory=dict)
    # Parent id to casefolded child name to child id: names are case-insensitive.
    children: dict[str, dict[str, str]] = field(default_factory=dict)


def new_item_id() -> str:
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "01" + raw[:32]


def check_name(name: str) -> str:
    if (
        not name
        or name != name.strip()
        or _INVALID_NAME.search(name)
        or name.casefold() in _RESERVED
        or name.endswith(".")
    ):
        raise invalid_request(f"The name '{name}' contains invalid characters.")
    return name


def check_conflict_behavior(value: object, default: str) -> str:
    behavior = value or default
    if not isinstance(behavior, str) or behavior not in CONFLICT_BEHAVIORS:
        raise invalid_request(
            f"Invalid value '{behavior}' for @microsoft.graph.conflictBehavior."
        )
    return behavior


class DriveStore:
    """All drives, one per account, created on first use."""

    def __init__(self, blobs: BlobStore, clock: Clock) -> None:
        self.blobs = blobs
        self._clock = clock
        self.lock = threading.RLock()
        self._drives: dict[str, Drive] = {}
        self._by_owner: dict[str, str] = {}

    def clear(self) -> None:
        with self.lock:
            self._drives.clear()
            self._by_owner.clear()
            self.blobs.clear()

    def for_account(self, account: Account) -> Drive:
        with self.lock:
            drive_id = self._by_owner.get(account.oid)
            if drive_id is not None:
                return self._drives[drive_id]
            return self._create(account)

    def by_id(self, drive_id: str) -> Drive:
        with self.lock:
            drive = self._drives.get(drive_id)
        if drive is None:
            raise not_found()
        return drive

    def all_drives(self) -> list[Drive]:
        with self.lock:
            return list(self._drives.values())

    def _create(self, account: Account) -> Drive:
        now = self._clock.now()
        drive_id = "b!" + secrets.token_urlsafe(48)
        root = Item(new_item_id(), "root", None, True, now, now, account)
        drive = Drive(drive_id, account, now, root.id, {root.id: root}, {root.id: {}})
        self._drives[drive_id] = drive
        self._by_owner[account.oid] = drive_id
        return drive

    # -- lookups ------------------------------------------------------------------

    def item(self, drive: Drive, item_id: str) -> Item:
        with self.lock:
            found = drive.items.get(drive.root_id if item_id == "root" else item_id)
        if found is None:
            raise not_found()
        return found

    def child(self, drive: Drive, parent: Item, name: str) -> Item | None:
        with self.lock:
            child_id = drive.children.get(parent.id, {}).get(name.casefold())
            return drive.items.get(child_id) if child_id else None

    def resolve(self, drive: Drive, base: Item, segments: list[str]) -> Item:
        item = base
        for name in segments:
            found = self.child(drive, item, name) if item.is_folder else None
            if found is None:
                raise not_found()
            item = found
        return item

    def list_children(self, drive: Drive, parent: Item) -> list[Item]:
        with self.lock:
            ids = drive.children.get(parent.id, {}).values()
            items = [drive.items[i] for i in ids]
        return sorted(items, key=lambda i: i.name.casefold())

    def path_of(self, drive: Drive, item: Item) -> str:
        """``/a/b`` below the root; empty for the root itself."""
        names: list[str] = []
        with self.lock:
            while item.parent_id is not None:
                names.append(item.name)
                item = drive.items[item.parent_id]
        return "".join(f"/{n}" for n in reversed(names))

    def folder_size(self, drive: Drive, folder: Item) -> int:
        total = 0
        for child in self.list_children(drive, folder):
            total += self.folder_size(drive, child) if child.is_folder else child.size
        return total

    # -- changes ------------------------------------------------------------------

    def ensure_folders(
        self, drive: Drive, base: Item, segments: list[str], account: Account
    ) -> Item:
        """Walk ``segments`` below ``base``, creating missing folders on the way."""
        with self.lock:
            parent = base
            for name in segments:
                existing = self.child(drive, parent, check_name(name))
                if existing is not None and not existing.is_folder:
                    raise GraphError(
                        409,
                        "nameAlreadyExists",
                        f"A file named '{name}' is in the way of the folder path.",
                    )
                parent = existing or self._add(drive, parent, name, True, account)
            return parent

    def create_folder(
        self, drive: Drive, parent: Item, name: str, conflict: str, account: Account
    ) -> Item:
        with self.lock:
            name = self._free_name(drive, parent, check_name(name), conflict)
            return self._add(drive, parent, name, True, account)

    def commit_file(
        self,
        drive: Drive,
        parent: Item,
        name: str,
        content: tuple[Path, int, dict[str, str]],
        conflict: str,
        account: Account,
    ) -> tuple[Item, bool]:
        """Place an uploaded file; answers the item and whether it is new."""
        upload, size, hashes = content
        with self.lock:
            existing = self.child(drive, parent, name)
            if existing is not None and conflict == "replace":
                if existing.is_folder:
                    raise GraphError(
                        409, "nameAlreadyExists", "A folder with that name exists."
                    )
                self.replace_content(existing, content, account)
                return existing, False
            name = self._free_name(drive, parent, check_name(name), conflict)
            item = self._add(drive, parent, name, False, account)
            self._set_content(item, self.blobs.adopt(upload), size, hashes)
            return item, True

    def replace_content(
        self, item: Item, content: tuple[Path, int, dict[str, str]], account: Account
    ) -> None:
        upload, size, hashes = content
        if item.is_folder:
            raise invalid_request("A folder has no content to replace.")
        with self.lock:
            old = item.blob
            self._set_content(item, self.blobs.adopt(upload), size, hashes)
            item.version += 1
            item.content_version += 1
            item.modified = self._clock.now()
            discard(old)

    def delete(self, drive: Drive, item: Item) -> None:
        if item.parent_id is None:
            raise GraphError(403, "accessDenied", "The root folder cannot be deleted.")
        with self.lock:
            for child in self.list_children(drive, item):
                self.delete(drive, child)
            drive.children.get(item.parent_id, {}).pop(item.name.casefold(), None)
            drive.children.pop(item.id, None)
            drive.items.pop(item.id, None)
            discard(item.blob)

    def _add(
        self, drive: Drive, parent: Item, name: str, is_folder: bool, account: Account
    ) -> Item:
        now = self._clock.now()
        item = Item(new_item_id(), name, parent.id, is_folder, now, now, account)
        drive.items[item.id] = item
        drive.children.setdefault(parent.id, {})[name.casefold()] = item.id
        if is_folder:
            drive.children[item.id] = {}
        parent.modified = now
        return item

    def _free_name(self, drive: Drive, parent: Item, name: str, conflict: str) -> str:
        if self.child(drive, parent, name) is None:
            return name
        if conflict == "fail":
            raise GraphError(
                409,
                "nameAlreadyExists",
                "The specified item name already exists.",
            )
        stem, dot, suffix = name.rpartition(".")
        if not dot or not stem:
            stem, suffix = name, ""
        for number in range(1, 10_000):
            candidate = f"{stem} {number}{'.' + suffix if suffix else ''}"
            if self.child(drive, parent, candidate) is None:
                return candidate
        raise GraphError(409, "nameAlreadyExists", "No free name could be found.")

    @staticmethod
    def _set_content(item: Item, blob: Path, size: int, hashes: dict[str, str]) -> None:
        item.blob = blob
        item.size = size
        item.hashes = hashes
        guessed, _ = mimetypes.guess_type(item.name)
        item.mime_type = guessed or "application/octet-stream"


def quota(used: int) -> dict[str, Any]:
    total = 1 << 40
    return {
        "deleted": 0,
        "remaining": total - used,
        "state": "normal",
        "total": total,
        "used": used,
    }


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload lands: an existing file, or a name below a folder path."""

    drive_id: str
    base_id: str
    folders: tuple[str, ...] = ()
    name: str | None = None
    item_id: str | None = None


def upload_target(
    store: DriveStore, drive: Drive, base_id: str, segments: tuple[str, ...]
) -> UploadTarget:
    base = store.item(drive, base_id)
    if not segments:
        if base.is_folder:
            raise invalid_request("Cannot upload content to a folder.")
        return UploadTarget(drive.id, base.id, item_id=base.id)
    if not base.is_folder:
        raise invalid_request("The parent of an upload must be a folder.")
    for name in segments:
        check_name(name)
    return UploadTarget(drive.id, base.id, segments[:-1], segments[-1])


def commit_upload(
    store: DriveStore,
    target: UploadTarget,
    content: tuple[Path, int, dict[str, str]],
    conflict: str,
    account: Account,
) -> tuple[Item, bool]:
    """Store finished content at its target; answers the item and whether it is new."""
    drive = store.by_id(target.drive_id)
    if target.item_id is not None:
        item = store.item(drive, target.item_id)
        store.replace_content(item, content, account)
        return item, False
    base = store.item(drive, target.base_id)
    parent = store.ensure_folders(drive, base, list(target.folders), account)
    name = target.name or ""
    return store.commit_file(drive, parent, name, content, conflict, account)
