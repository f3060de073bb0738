"""Moving a file's bytes: request body to disk, then disk to OneDrive.

Memory stays flat whatever the size. The incoming body is spooled to a file
under ``var_dir/uploads`` while it is counted against the configured maximum;
then small files go in one PUT and larger ones through an upload session, one
chunk read from the spool at a time. The document row records the sealed
session URL and the offset Graph confirmed after every chunk, so an upload cut
off midway resumes where Graph says it stopped.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import structlog
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

from integration_hub.connections.runtime import ConnectionRuntime
from integration_hub.connections.vault import SecretOwner
from integration_hub.errors import (
    ConflictError,
    HubError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from integration_hub.microsoft.client import MicrosoftClient
from integration_hub.microsoft.models import Document
from integration_hub.microsoft.repository import DocumentRepository
from integration_hub.microsoft.schemas import UploadDetails
from integration_hub.upstream.client import Caller
from integration_hub.upstream.errors import (
    InvalidGrantError,
    TransientUpstreamError,
    UpstreamRequestError,
)

# Graph's own advice: one PUT up to 4 MiB, an upload session above.
SIMPLE_UPLOAD_MAX = 4 * 1024 * 1024
CHUNK_UNIT = 320 * 1024
MAX_FIELD_BYTES = 4096
FILE_FIELD = "file"

log = structlog.get_logger("integration_hub.microsoft")


class UploadInterruptedError(ServiceUnavailableError):
    """The provider stopped answering midway; the document can be resumed."""

    code = "upload_interrupted"

    def __init__(self, detail: str, *, location: str) -> None:
        super().__init__(detail)
        self.location = location

    def headers(self) -> dict[str, str]:
        return {"Location": self.location, "Retry-After": "5"}


# -- spooling the request body ---------------------------------------------------


@dataclass
class Spooled:
    """A body on disk: the file's bytes, and the form fields sent beside them."""

    path: Path
    size: int
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def move_to(self, path: Path) -> None:
        os.replace(self.path, path)
        self.path = path


class _SpoolWriter:
    """Writes to a temporary file, counting, and refuses past the limit."""

    def __init__(self, directory: Path, limit: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=directory, suffix=".part")
        self.file = os.fdopen(handle, "wb")
        self.path = Path(name)
        self.limit = limit
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise PayloadTooLargeError(
                f"the file is larger than this hub accepts ({self.limit} bytes)"
            )
        self.file.write(data)

    def finish(
        self, fields: dict[str, str] | None = None, filename: str | None = None
    ) -> Spooled:
        self.file.close()
        return Spooled(self.path, self.size, fields or {}, filename)

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


async def spool_raw(
    stream: AsyncIterator[bytes], directory: Path, limit: int
) -> Spooled:
    """Stream a raw request body to disk."""
    writer = _SpoolWriter(directory, limit)
    try:
        async for chunk in stream:
            writer.write(chunk)
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


def spool_bytes(directory: Path, data: bytes) -> Spooled:
    """Put bytes the hub made itself (a rendered document) where uploads start."""
    writer = _SpoolWriter(directory, len(data))
    try:
        writer.write(data)
    except BaseException:
        writer.discard()
        raise
    return writer.finish()


async def spool_multipart(
    stream: AsyncIterator[bytes], content_type: str, directory: Path, limit: int
) -> Spooled:
    """Stream a multipart body: the ``file`` part to disk, other fields kept."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise ValidationFailedError("the multipart body names no boundary")

    writer = _SpoolWriter(directory, limit)
    form = _FormReader(writer)
    parser = MultipartParser(boundary, form.callbacks())
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        writer.discard()
        raise ValidationFailedError(f"the multipart body is malformed: {exc}") from exc
    except BaseException:
        writer.discard()
        raise
    if not form.saw_file:
        writer.discard()
        raise ValidationFailedError(f"the multipart body has no '{FILE_FIELD}' part")
    return writer.finish(form.fields, form.filename)


class _FormReader:
    """python-multipart callbacks: the file part to the writer, fields to memory."""

    def __init__(self, writer: _SpoolWriter) -> None:
        self.writer = writer
        self.fields: dict[str, str] = {}
        self.saw_file = False
        self.filename: str | None = None
        self._headers: dict[bytes, bytes] = {}
        self._header = b""
        self._value = b""
        self._name = ""
        self._buffer: bytearray | None = None

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._header, self._value = {}, b"", b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header.lower()] = self._value
        self._header, self._value = b"", b""

    def _headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if self._name == FILE_FIELD:
            if self.saw_file:
                raise ValidationFailedError("send one 'file' part, not several")
            self.saw_file = True
            self._buffer = None
            filename = options.get(b"filename")
            self.filename = filename.decode("utf-8", "replace") if filename else None
        else:
            self._buffer = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._buffer is None:
            self.writer.write(data[start:end])
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD_BYTES:
            raise ValidationFailedError(f"the form field {self._name!r} is too long")

    def _part_end(self) -> None:
        if self._buffer is not None:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")


# -- sending a spooled file ------------------------------------------------------


@dataclass
class UploadJob:
    """One attempt at getting a document's bytes into the drive."""

    document: Document
    source: Path
    caller: Callable[[], Caller]  # a fresh deadline for every provider call
    details: UploadDetails


class Uploader:
    """Runs uploads for documents, keeping their rows up to date."""

    def __init__(
        self,
        runtime: ConnectionRuntime,
        client: MicrosoftClient,
        chunk_multiple: int,
        location: Callable[[uuid.UUID], str],
    ) -> None:
        self.runtime = runtime
        self.client = client
        self.chunk_size = chunk_multiple * CHUNK_UNIT
        self.location = location

    async def run(self, job: UploadJob) -> Document:
        """Upload (or continue uploading) ``job``; the row says how it ended."""
        try:
            item = await self._upload(job)
        except (TransientUpstreamError, InvalidGrantError) as exc:
            await self._interrupted(job.document, exc)
            raise UploadInterruptedError(
                f"the upload of {job.document.path} stopped at byte "
                f"{job.document.upload_offset}: {exc.detail}; resume it with "
                f"POST {self.location(job.document.id)}/resume",
                location=self.location(job.document.id),
            ) from exc
        except HubError as exc:
            await self._failed(job, exc)
            raise _for_caller(exc) from exc
        return await self._done(job, item)

    async def _upload(self, job: UploadJob) -> dict[str, Any]:
        document = job.document
        if (document.size or 0) <= SIMPLE_UPLOAD_MAX:
            job.details.method = "simple"
            content = await anyio.Path(job.source).read_bytes()
            return await self.client.simple_upload(
                job.caller(), document.path, content, document.conflict_behavior
            )
        url = await self._session_url(job)
        try:
            return await self._send_chunks(job, url)
        except UpstreamRequestError as exc:
            if exc.upstream_status != 404:
                raise
        # The session expired or was cancelled: Graph forgot its bytes too.
        log.info("document.upload_session_expired", document_id=str(document.id))
        job.details.session_restarted = True
        url = await self._new_session(job)
        return await self._send_chunks(job, url)

    async def _session_url(self, job: UploadJob) -> str:
        """The open session's URL, at the offset Graph confirms; or a new one."""
        document = job.document
        if document.upload_session is None:
            return await self._new_session(job)
        url = self.runtime.vault.open(document.upload_session, _owner(document))
        try:
            offset = await self.client.session_status(job.caller(), url)
        except UpstreamRequestError as exc:
            if exc.upstream_status != 404:
                raise
            job.details.session_restarted = True
            return await self._new_session(job)
        await self._save_offset(document, offset or 0)
        job.details.resumed_from = document.upload_offset
        return url

    async def _new_session(self, job: UploadJob) -> str:
        document = job.document
        session = await self.client.create_upload_session(
            job.caller(), document.path, document.conflict_behavior
        )
        url: str = session["uploadUrl"]
        sealed = self.runtime.vault.seal(url, _owner(document))
        document.upload_session, document.upload_offset = sealed, 0
        await self._change(document.id, upload_session=sealed, upload_offset=0)
        return url

    async def _send_chunks(self, job: UploadJob, url: str) -> dict[str, Any]:
        document = job.document
        total = document.size or 0
        job.details.method = "session"
        while True:
            offset = document.upload_offset
            data = await anyio.to_thread.run_sync(
                _read_range, job.source, offset, self.chunk_size
            )
            try:
                answer = await self.client.upload_chunk(
                    job.caller(), url, data, offset, total
                )
            except UpstreamRequestError as exc:
                if exc.upstream_status != 416:
                    raise
                # A retried chunk that had landed overlaps: ask where Graph is.
                await self._resync(job, url)
                continue
            finally:
                job.details.chunks_sent += 1
            if answer.item is not None:
                return answer.item
            await self._save_offset(document, answer.next_offset)

    async def _resync(self, job: UploadJob, url: str) -> None:
        offset = await self.client.session_status(job.caller(), url)
        if offset is None:
            raise ConflictError(
                "Graph holds every byte but its answer to the last chunk was lost; "
                "look for the file in the drive"
            )
        await self._save_offset(job.document, offset)

    async def _save_offset(self, document: Document, offset: int | None) -> None:
        if offset is None or offset > (document.size or 0):
            raise ValidationFailedError(
                "Graph asked for a byte range beyond the end of the file"
            )
        document.upload_offset = offset
        await self._change(document.id, upload_offset=offset)

    async def _done(self, job: UploadJob, item: dict[str, Any]) -> Document:
        document = job.document
        values: dict[str, Any] = {
            "status": "done",
            "remote_id": item["id"],
            "web_url": item.get("webUrl"),
            "size": item.get("size", document.size),
            "path": _final_path(document.path, item.get("name")),
            "upload_session": None,
            "upload_offset": item.get("size", document.size) or 0,
            "error": None,
        }
        await self._change(document.id, **values)
        for name, value in values.items():
            setattr(document, name, value)
        job.source.unlink(missing_ok=True)
        log.info(
            "document.uploaded",
            document_id=str(document.id),
            size=document.size,
            method=job.details.method,
            chunks=job.details.chunks_sent,
        )
        return document

    async def _interrupted(self, document: Document, exc: HubError) -> None:
        document.error = exc.detail
        await self._change(document.id, error=exc.detail)
        log.warning(
            "document.upload_interrupted",
            document_id=str(document.id),
            offset=document.upload_offset,
            error=exc.detail,
        )

    async def _failed(self, job: UploadJob, exc: HubError) -> None:
        document = job.document
        document.status, document.error = "failed", exc.detail
        document.upload_session = None
        await self._change(
            document.id, status="failed", error=exc.detail, upload_session=None
        )
        job.source.unlink(missing_ok=True)
        log.warning(
            "document.upload_failed", document_id=str(document.id), error=exc.detail
        )

    async def _change(self, document_id: uuid.UUID, **values: Any) -> None:
        async with self.runtime.sessions() as session, session.begin():
            await DocumentRepository(session).change(document_id, **values)


def _owner(document: Document) -> SecretOwner:
    return SecretOwner(document.user_id, "microsoft", document.id, "upload_session")


def _read_range(path: Path, offset: int, size: int) -> bytes:
    with path.open("rb") as file:
        file.seek(offset)
        return file.read(size)


def _final_path(requested: str, name: object) -> str:
    """The path the file landed at: rename may have changed its name."""
    if not isinstance(name, str) or not name:
        return requested
    folder, _, _ = requested.rpartition("/")
    return f"{folder}/{name}" if folder else name


def _for_caller(exc: HubError) -> HubError:
    """A name conflict is the caller's to resolve: say so in its own code."""
    if isinstance(exc, UpstreamRequestError) and exc.upstream_status == 409:
        return ConflictError(exc.detail, code="name_already_exists")
    return exc


def spool_path(directory: Path, document_id: uuid.UUID) -> Path:
    return directory / f"{document_id}.part"
