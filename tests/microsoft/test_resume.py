"""Interrupted uploads: the row keeps its place, and resume continues from it."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import httpx2
import pytest

from integration_hub.connections.vault import SecretOwner
from integration_hub.context import HubContext
from integration_hub.microsoft.models import Document
from tests.microsoft.support import CHUNK, DOCUMENTS, chunk_puts, download, payload
from tests.support.live import Hub

pytestmark = pytest.mark.anyio

SIZE = 12 * 1024 * 1024
CHUNKS = -(-SIZE // CHUNK)


async def interrupted_upload(hub: Hub, content: bytes) -> dict[str, Any]:
    """Upload ``content`` and drop every connection once a few chunks landed."""
    await hub.behave("microsoft", latency_ms=60)
    since = await hub.last_sequence()
    sending = asyncio.create_task(
        hub.http.post(
            DOCUMENTS,
            data={"path": "Resume/big.bin"},
            files={"file": ("big.bin", content)},
            headers=hub.auth,
        )
    )
    # Polls another process's log: there is no event to wait on.
    while len(await chunk_puts(hub, since)) < 5:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    await hub.behave("microsoft", latency_ms=0, error_rate=1.0, error_statuses=["drop"])
    response: httpx2.Response = await sending
    await hub.behave("microsoft", error_rate=0.0)

    assert response.status_code == 503, response.text
    assert response.json()["error"] == "upload_interrupted"
    document_id = response.headers["location"].rsplit("/", 1)[-1]
    got = await hub.http.get(f"{DOCUMENTS}/{document_id}", headers=hub.auth)
    document: dict[str, Any] = got.json()
    return document


class TestResume:
    async def test_resume_after_a_dropped_connection_resends_at_most_one_chunk(
        self, hub: Hub
    ) -> None:
        """Cut off midway, the row stays 'uploading' at its offset; resume
        (without re-sending the file) finishes it with at most one chunk again."""
        await hub.connect("microsoft")
        content = payload(SIZE, seed=11)

        document = await interrupted_upload(hub, content)

        assert document["status"] == "uploading"
        assert document["error"]
        offset = document["uploaded_bytes"]
        assert 0 < offset < SIZE
        assert offset % CHUNK == 0

        since = await hub.last_sequence()
        response = await hub.http.post(
            f"{DOCUMENTS}/{document['id']}/resume", headers=hub.auth
        )

        assert response.status_code == 200, response.text
        resumed = response.json()
        assert resumed["status"] == "done"
        assert resumed["error"] is None
        assert resumed["upload"]["resumed_from"] == offset
        remaining = CHUNKS - offset // CHUNK
        puts = await chunk_puts(hub, since)
        assert remaining <= len(puts) <= remaining + 1
        got = await download(hub, document["id"])
        assert hashlib.sha256(got).digest() == hashlib.sha256(content).digest()

    async def test_resume_with_the_file_sent_again(
        self, hub: Hub, live_settings: Any
    ) -> None:
        """When the hub no longer holds the file, the same file re-sent resumes."""
        await hub.connect("microsoft")
        content = payload(SIZE, seed=12)
        document = await interrupted_upload(hub, content)
        spool = live_settings.var_dir / "uploads" / f"{document['id']}.part"
        spool.unlink()

        without = await hub.http.post(
            f"{DOCUMENTS}/{document['id']}/resume", headers=hub.auth
        )
        wrong = await hub.http.post(
            f"{DOCUMENTS}/{document['id']}/resume",
            files={"file": ("big.bin", content[:-1])},
            headers=hub.auth,
        )
        right = await hub.http.post(
            f"{DOCUMENTS}/{document['id']}/resume",
            files={"file": ("big.bin", content)},
            headers=hub.auth,
        )

        assert without.status_code == 409
        assert without.json()["error"] == "file_needed"
        assert wrong.status_code == 422
        assert right.status_code == 200, right.text
        assert await download(hub, document["id"]) == content

    async def test_an_expired_session_starts_over_and_says_so(
        self, hub: Hub, context: HubContext
    ) -> None:
        """When Graph forgot the session, resume opens a new one from byte 0."""
        await hub.connect("microsoft")
        content = payload(SIZE, seed=13)
        document = await interrupted_upload(hub, content)
        url = await session_url(context, document["id"])
        gone = await hub.http.delete(url)
        assert gone.status_code == 204

        since = await hub.last_sequence()
        response = await hub.http.post(
            f"{DOCUMENTS}/{document['id']}/resume", headers=hub.auth
        )

        assert response.status_code == 200, response.text
        assert response.json()["upload"]["session_restarted"] is True
        assert len(await chunk_puts(hub, since)) == CHUNKS
        assert await download(hub, document["id"]) == content

    async def test_a_finished_document_cannot_be_resumed(self, hub: Hub) -> None:
        """Resuming what is done is a 409, not a second upload."""
        await hub.connect("microsoft")
        response = await hub.http.post(
            DOCUMENTS,
            data={"path": "done.txt"},
            files={"file": ("done.txt", b"x")},
            headers=hub.auth,
        )

        again = await hub.http.post(
            f"{DOCUMENTS}/{response.json()['id']}/resume", headers=hub.auth
        )

        assert again.status_code == 409

    async def test_the_session_url_is_stored_sealed(
        self, hub: Hub, context: HubContext
    ) -> None:
        """The upload URL is a capability: the row holds it encrypted only."""
        await hub.connect("microsoft")
        document = await interrupted_upload(hub, payload(SIZE, seed=14))

        url = await session_url(context, document["id"])
        async with context.sessions() as session:
            row = await session.get(Document, uuid.UUID(document["id"]))
        assert row is not None
        assert row.upload_session is not None
        assert url.encode() not in row.upload_session
        assert b"/_sandbox/upload/" not in row.upload_session


async def session_url(context: HubContext, document_id: str) -> str:
    async with context.sessions() as session:
        row = await session.get(Document, uuid.UUID(document_id))
    assert row is not None
    assert row.upload_session is not None
    owner = SecretOwner(row.user_id, "microsoft", row.id, "upload_session")
    return context.connections.vault.open(row.upload_session, owner)
