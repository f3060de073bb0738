"""File contents on disk: streamed in with their hashes, streamed out by signed URL."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Self

from starlette.requests import ClientDisconnect

from .errors import GraphError, invalid_request
from .quickxor import QuickXorHash
from .signing import b64url


class ContentHasher:
    """The three hashes OneDrive reports, fed one chunk at a time."""

    def __init__(self) -> None:
        self._sha1 = hashlib.sha1()  # noqa: S324 - OneDrive reports it; not for security
        self._sha256 = hashlib.sha256()
        self._quickxor = QuickXorHash()

    def update(self, chunk: bytes) -> None:
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self._quickxor.update(chunk)

    def copy(self) -> Self:
        clone = type(self).__new__(type(self))
        clone._sha1 = self._sha1.copy()
        clone._sha256 = self._sha256.copy()
        clone._quickxor = self._quickxor.copy()
        return clone

    def hashes(self) -> dict[str, str]:
        return {
            "quickXorHash": self._quickxor.b64digest(),
            "sha1Hash": self._sha1.hexdigest().upper(),
            "sha256Hash": self._sha256.hexdigest().upper(),
        }


@dataclass
class Received:
    """What one request body added to a file."""

    size: int
    hasher: ContentHasher


class BlobStore:
    """Directories under ``data_dir/microsoft``: committed blobs and uploads."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    def new_blob(self) -> Path:
        self.blobs.mkdir(parents=True, exist_ok=True)
        return self.blobs / secrets.token_hex(16)

    def new_upload(self) -> Path:
        self.uploads.mkdir(parents=True, exist_ok=True)
        path = self.uploads / secrets.token_hex(16)
        path.touch()
        return path

    def adopt(self, upload: Path) -> Path:
        """Move a finished upload among the committed blobs."""
        blob = self.new_blob()
        upload.replace(blob)
        return blob

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def discard(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


async def receive_body(
    stream: AsyncIterator[bytes],
    file: BinaryIO,
    hasher: ContentHasher,
    limit: int,
) -> Received:
    """Append a request body to ``file`` chunk by chunk, never holding all of it.

    More than ``limit`` bytes is refused; the caller rolls the file back on error.
    """
    size = 0
    try:
        async for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise invalid_request(
                    "The request body is longer than its Content-Length or "
                    "Content-Range declares."
                )
            file.write(chunk)
            hasher.update(chunk)
    except ClientDisconnect as exc:
        raise invalid_request("The client closed the request early.") from exc
    return Received(size, hasher)


class DownloadSigner:
    """Short-lived, pre-authenticated download URLs that need no server state."""

    lifetime = 3600

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def sign(self, payload: dict[str, Any]) -> str:
        body = b64url(json.dumps(payload, separators=(",", ":")).encode())
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return f"{body}.{b64url(mac[:18])}"

    def verify(self, token: str) -> dict[str, Any]:
        body, _, mac = token.partition(".")
        expected = b64url(
            hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:18]
        )
        if not mac or not hmac.compare_digest(mac, expected):
            raise GraphError(401, "unauthenticated", "The download URL is not valid.")
        try:
            payload: dict[str, Any] = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
        except (binascii.Error, ValueError) as exc:
            raise GraphError(
                401, "unauthenticated", "The download URL is not valid."
            ) from exc
        return payload
