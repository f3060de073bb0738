"""Resumable upload sessions: createUploadSession, then byte ranges to uploadUrl.

Choices where Microsoft documents no exact answer:

- A fragment request that carries ``Authorization`` gets 401: the upload URL is
  pre-authenticated, and sending the user's token to it would leak it to another
  host in real life. Real Graph "may" answer 401; we always do.
- Fragments must arrive in order: a gap answers 416 ``invalidRange``, an overlap
  (including a repeat of an acknowledged fragment, or one racing another) 416
  with inner code ``fragmentOverlap``.
- A non-final fragment whose size is not a multiple of 320 KiB answers 400
  ``invalidRequest``; one of 60 MiB or more answers 413.
- Each accepted fragment pushes the expiry ``ttl`` seconds further out.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .accounts import Account, Clock
from .drive import (
    Drive,
    DriveStore,
    UploadTarget,
    check_conflict_behavior,
    commit_upload,
)
from .errors import GraphError, graph_headers, graph_json, invalid_request, not_found
from .serialize import Urls, iso, item_json
from .storage import ContentHasher, discard, receive_body

FRAGMENT_UNIT = 327_680
MAX_FRAGMENT = 60 * 1024 * 1024
MAX_FILE = 250 * 1024**3
DEFAULT_TTL = 24 * 3600.0
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


@dataclass
class UploadSession:
    id: str
    target: UploadTarget
    account: Account
    conflict: str
    defer_commit: bool
    expires_at: float
    file: Path
    hasher: ContentHasher = field(default_factory=ContentHasher)
    total: int | None = None
    received: int = 0
    busy: bool = False

    @property
    def complete(self) -> bool:
        return self.total is not None and self.received == self.total


@dataclass(frozen=True)
class Fragment:
    start: int
    end: int
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class UploadSessions:
    """Open sessions by id; ``ttl`` (seconds) is settable for tests."""

    def __init__(self, drives: DriveStore, clock: Clock) -> None:
        self._drives = drives
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}
        self.ttl = DEFAULT_TTL

    def clear(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                discard(session.file)
            self._sessions.clear()

    async def create(
        self,
        request: Request,
        urls: Urls,
        target: UploadTarget,
        account: Account,
    ) -> Response:
        options = await _session_options(request)
        item = options.get("item") or {}
        conflict = check_conflict_behavior(
            item.get("@microsoft.graph.conflictBehavior"), "fail"
        )
        session = UploadSession(
            id=secrets.token_urlsafe(24),
            target=target,
            account=account,
            conflict=conflict,
            defer_commit=bool(options.get("deferCommit", False)),
            expires_at=self._clock.now() + self.ttl,
            file=self._drives.blobs.new_upload(),
        )
        with self._lock:
            self._sessions[session.id] = session

        body = {
            "@odata.context": f"{urls.v1}/$metadata#microsoft.graph.uploadSession",
            "uploadUrl": urls.upload(session.id),
            "expirationDateTime": iso(session.expires_at),
            "nextExpectedRanges": ["0-"],
        }
        return graph_json(request, body)

    async def handle(self, request: Request, urls: Urls, session_id: str) -> Response:
        """Requests to an uploadUrl, which carry no token of their own."""
        if "authorization" in request.headers:
            raise GraphError(
                401,
                "unauthenticated",
                "The upload URL is pre-authenticated; requests to it must not "
                "carry an Authorization header.",
            )
        session = self._live(session_id)
        if request.method == "PUT":
            return await self._put(request, urls, session)
        if request.method == "GET":
            return graph_json(request, _status(session))
        if request.method == "DELETE":
            self._drop(session)
            return Response(status_code=204, headers=graph_headers(request))
        if request.method == "POST":
            return self._commit_deferred(request, urls, session)
        raise GraphError.for_status(405)

    def _live(self, session_id: str) -> UploadSession:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            raise not_found()
        if self._clock.now() >= session.expires_at:
            self._drop(session)
            raise GraphError(404, "itemNotFound", "The upload session has expired.")
        return session

    def _drop(self, session: UploadSession) -> None:
        with self._lock:
            self._sessions.pop(session.id, None)
        discard(session.file)

    async def _put(
        self, request: Request, urls: Urls, session: UploadSession
    ) -> Response:
        fragment = _check_fragment(request, session)
        if session.busy:
            raise _overlap()
        session.busy = True
        try:
            await self._receive(request, session, fragment)
        finally:
            session.busy = False
        session.expires_at = self._clock.now() + self.ttl

        if not session.complete or session.defer_commit:
            return graph_json(request, _status(session), status=202)
        return self._commit(request, urls, session)

    async def _receive(
        self, request: Request, session: UploadSession, fragment: Fragment
    ) -> None:
        # Hash into a copy so that a broken fragment leaves the session as it was.
        hasher = session.hasher.copy()
        with session.file.open("r+b") as file:
            file.seek(fragment.start)
            try:
                received = await receive_body(
                    request.stream(), file, hasher, fragment.length
                )
                if received.size != fragment.length:
                    raise invalid_request(
                        "The request body is shorter than its Content-Range declares."
                    )
            except GraphError:
                file.truncate(fragment.start)
                raise
        session.hasher = hasher
        session.total = fragment.total
        session.received = fragment.end + 1

    def _commit_deferred(
        self, request: Request, urls: Urls, session: UploadSession
    ) -> Response:
        if not session.defer_commit or not session.complete:
            raise invalid_request(
                "The upload session is not complete or does not defer its commit."
            )
        return self._commit(request, urls, session)

    def _commit(self, request: Request, urls: Urls, session: UploadSession) -> Response:
        content = (session.file, session.received, session.hasher.hashes())
        try:
            item, created = commit_upload(
                self._drives, session.target, content, session.conflict, session.account
            )
        finally:
            # Committed or refused, the session is over; a conflict means a restart.
            self._drop(session)
        drive: Drive = self._drives.by_id(session.target.drive_id)
        body = item_json(drive, item, self._drives, urls)
        return graph_json(request, body, status=201 if created else 200)


async def _session_options(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        options = json.loads(raw)
    except ValueError as exc:
        raise invalid_request("The request body is not valid JSON.") from exc
    if not isinstance(options, dict) or not isinstance(options.get("item", {}), dict):
        raise invalid_request("The upload session properties are not valid.")
    return options


def _check_fragment(request: Request, session: UploadSession) -> Fragment:
    """Validate the headers of a fragment before reading a byte of its body."""
    match = _CONTENT_RANGE.match(request.headers.get("content-range", "").strip())
    if match is None:
        raise invalid_request(
            "The Content-Range header is missing or malformed; expected "
            "'bytes START-END/TOTAL'."
        )
    fragment = Fragment(*(int(g) for g in match.groups()))
    if fragment.end < fragment.start or fragment.end >= fragment.total:
        raise GraphError(416, "invalidRange", "The Content-Range header is not valid.")
    if fragment.total > MAX_FILE:
        raise invalid_request("The file is larger than the maximum file size.")
    if session.total is not None and fragment.total != session.total:
        raise invalid_request(
            "The total size in Content-Range differs from earlier fragments."
        )

    length = request.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) != fragment.length:
        raise invalid_request(
            "The Content-Length header must be present and match Content-Range."
        )
    if fragment.length >= MAX_FRAGMENT:
        raise GraphError(
            413, "invalidRequest", "A fragment must be smaller than 60 MiB."
        )
    is_last = fragment.end + 1 == fragment.total
    if not is_last and fragment.length % FRAGMENT_UNIT:
        raise invalid_request(
            "Fragments other than the last must be a multiple of 320 KiB "
            "(327,680 bytes)."
        )

    if fragment.start < session.received:
        raise _overlap()
    if fragment.start > session.received:
        raise GraphError(
            416,
            "invalidRange",
            f"The fragment must start at byte {session.received}, the next expected.",
        )
    return fragment


def _overlap() -> GraphError:
    return GraphError(
        416,
        "invalidRange",
        "Uploaded fragment overlaps with existing data.",
        inner_code="fragmentOverlap",
    )


def _status(session: UploadSession) -> dict[str, Any]:
    ranges = [] if session.complete else [f"{session.received}-"]
    return {
        "expirationDateTime": iso(session.expires_at),
        "nextExpectedRanges": ranges,
    }
