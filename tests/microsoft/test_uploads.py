"""Uploads to OneDrive end to end: hub over HTTP, sandbox over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest

from tests.microsoft.support import (
    CHUNK,
    DOCUMENTS,
    chunk_puts,
    download,
    payload,
    upload,
)
from tests.support.live import Hub
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

LARGE = 12 * 1024 * 1024


class TestMultipart:
    async def test_small_file_goes_in_one_put(self, hub: Hub) -> None:
        """A file up to 4 MiB is one simple upload, and lands byte for byte."""
        await hub.connect("microsoft")
        content = payload(100_000)
        since = await hub.last_sequence()

        status, document = await upload(hub, "Reports/small.bin", content)

        assert status == 201, document
        assert document["status"] == "done"
        assert document["size"] == len(content)
        assert document["upload"]["method"] == "simple"
        assert document["remote_id"]
        assert document["web_url"]
        puts = [
            e
            for e in await hub.requests_since("microsoft", since)
            if e["method"] == "PUT"
        ]
        assert [e["path"] for e in puts] == [
            "/sandbox/microsoft/graph/v1.0/me/drive/root:/Reports/small.bin:/content"
        ]
        assert await download(hub, document["id"]) == content

    async def test_large_file_goes_through_an_upload_session(self, hub: Hub) -> None:
        """12 MB go as 320 KiB chunks (as configured), no Authorization header."""
        await hub.connect("microsoft")
        content = payload(LARGE)
        since = await hub.last_sequence()

        status, document = await upload(hub, "Big/large.bin", content)

        assert status == 201, document
        assert document["status"] == "done"
        assert document["upload"]["method"] == "session"
        puts = await chunk_puts(hub, since)
        assert len(puts) == -(-LARGE // CHUNK)
        assert all(p["status"] in (200, 201, 202) for p in puts)
        assert puts[0]["headers"]["content-range"] == f"bytes 0-{CHUNK - 1}/{LARGE}"  # type: ignore[index]
        got = await download(hub, document["id"])
        assert hashlib.sha256(got).digest() == hashlib.sha256(content).digest()


class TestStreamedBody:
    async def test_raw_body_with_path_in_the_query(self, hub: Hub) -> None:
        """An application/octet-stream body, streamed in pieces, is uploaded."""
        await hub.connect("microsoft")
        content = payload(5 * 1024 * 1024, seed=3)

        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(content), 100_000):
                yield content[start : start + 100_000]

        response = await hub.http.post(
            DOCUMENTS,
            params={"path": "Stream/raw.bin", "conflict_behavior": "replace"},
            content=pieces(),
            headers={**hub.auth, "Content-Type": "application/octet-stream"},
        )

        assert response.status_code == 201, response.text
        document = response.json()
        assert document["path"] == "Stream/raw.bin"
        assert document["upload"]["method"] == "session"
        assert await download(hub, document["id"]) == content

    async def test_raw_body_with_a_bad_path_is_refused_before_reading(
        self, hub: Hub
    ) -> None:
        """The path of a raw upload is checked before its body is read."""
        await hub.connect("microsoft")

        response = await hub.http.post(
            DOCUMENTS,
            params={"path": "a/../b.txt"},
            content=b"x",
            headers={**hub.auth, "Content-Type": "application/octet-stream"},
        )

        assert response.status_code == 422
        assert response.json()["error"] == "invalid_path"


class TestConflicts:
    async def test_fail_on_an_existing_name_is_409_and_listed_as_failed(
        self, hub: Hub
    ) -> None:
        """conflict fail: 409 with Graph's message; the row says failed and why."""
        await hub.connect("microsoft")
        await upload(hub, "c.txt", b"one")

        status, body = await upload(hub, "c.txt", b"two", conflict_behavior="fail")

        assert status == 409, body
        assert body["error"] == "name_already_exists"
        assert "already exists" in body["detail"]
        listed = (await hub.http.get(DOCUMENTS, headers=hub.auth)).json()["items"]
        failed = [d for d in listed if d["status"] == "failed"]
        assert len(failed) == 1
        assert "already exists" in failed[0]["error"]

    async def test_fail_on_the_last_chunk_of_a_session(self, hub: Hub) -> None:
        """A large upload whose name is taken fails at commit, and says so."""
        await hub.connect("microsoft")
        await upload(hub, "big.bin", b"first")

        status, body = await upload(hub, "big.bin", payload(LARGE // 2))

        assert status == 409, body
        document = (await hub.http.get(DOCUMENTS, headers=hub.auth)).json()["items"]
        assert {d["status"] for d in document} == {"done", "failed"}

    async def test_replace_keeps_the_item_and_rename_adds_one(self, hub: Hub) -> None:
        """replace writes over the same item; rename lands beside it."""
        await hub.connect("microsoft")
        _, first = await upload(hub, "Docs/r.txt", b"one")

        status, replaced = await upload(
            hub, "Docs/r.txt", b"two", conflict_behavior="replace"
        )
        assert status == 201, replaced
        assert replaced["remote_id"] == first["remote_id"]
        assert await download(hub, replaced["id"]) == b"two"

        status, renamed = await upload(
            hub, "Docs/r.txt", b"three", conflict_behavior="rename"
        )
        assert status == 201, renamed
        assert renamed["remote_id"] != first["remote_id"]
        assert renamed["path"] == "Docs/r 1.txt"


class TestBadInput:
    @pytest.mark.parametrize(
        "path",
        ["", "/", "a/../b.txt", "a//b.txt", "what?.txt", "a<b.txt", "con", "x. "],
    )
    async def test_bad_paths_are_422(self, hub: Hub, path: str) -> None:
        """Empty paths, '..', and names OneDrive forbids are refused."""
        await hub.connect("microsoft")

        status, body = await upload(hub, path, b"x")

        assert status == 422, body
        assert body["error"] in ("invalid_path", "validation_error")

    async def test_unsupported_content_type_is_415(self, hub: Hub) -> None:
        """A body that is neither JSON, multipart nor raw bytes is 415."""
        response = await hub.http.post(
            DOCUMENTS,
            content=b"<x/>",
            headers={**hub.auth, "Content-Type": "text/xml"},
        )

        assert response.status_code == 415
        assert response.json()["error"] == "unsupported_media_type"

    async def test_multipart_without_a_file_part_is_422(self, hub: Hub) -> None:
        """A form without its 'file' part says what is missing."""
        response = await hub.http.post(
            DOCUMENTS,
            data={"path": "x.txt"},
            files={"other": ("x", b"x")},
            headers=hub.auth,
        )

        assert response.status_code == 422
        assert "'file'" in response.json()["detail"]

    async def test_unknown_connection_is_404(self, hub: Hub) -> None:
        """A connection id that is not the caller's is 404."""
        await hub.connect("microsoft")

        status, body = await upload(
            hub, "x.txt", b"x", connection_id="00000000-0000-0000-0000-000000000001"
        )

        assert status == 404, body

    async def test_without_a_connection_is_404(self, hub: Hub) -> None:
        """Uploading before connecting an account says what to do."""
        status, body = await upload(hub, "x.txt", b"x")

        assert status == 404
        assert "connect an account" in body["detail"]


class TestDocuments:
    async def test_list_pages_and_get(self, hub: Hub) -> None:
        """The list pages with a cursor; each document reads back on its own."""
        await hub.connect("microsoft")
        for n in range(3):
            await upload(hub, f"p{n}.txt", b"x")

        first = (
            await hub.http.get(DOCUMENTS, params={"limit": 2}, headers=hub.auth)
        ).json()
        second = (
            await hub.http.get(
                DOCUMENTS,
                params={"limit": 2, "cursor": first["next_cursor"]},
                headers=hub.auth,
            )
        ).json()

        assert len(first["items"]) == 2
        assert first["next_cursor"]
        assert len(second["items"]) == 1
        assert second["next_cursor"] is None
        one = second["items"][0]
        got = await hub.http.get(f"{DOCUMENTS}/{one['id']}", headers=hub.auth)
        assert got.status_code == 200
        assert got.json()["path"] == one["path"]

    async def test_another_users_document_is_404(self, hub: Hub, context) -> None:  # type: ignore[no-untyped-def]
        """Bob cannot read, resume, list permissions of or share Alice's document."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "mine.txt", b"secret")
        bob = bearer(await create_user(context, "bob"))
        url = f"{DOCUMENTS}/{document['id']}"

        answers = [
            await hub.http.get(url, headers=bob),
            await hub.http.post(f"{url}/resume", headers=bob),
            await hub.http.get(f"{url}/permissions", headers=bob),
            await hub.http.delete(f"{url}/permissions/abc", headers=bob),
            await hub.http.post(
                f"{DOCUMENTS}/share",
                json={"document_id": document["id"], "link": {"type": "view"}},
                headers=bob,
            ),
        ]

        assert [a.status_code for a in answers] == [404] * 5
        listed = (await hub.http.get(DOCUMENTS, headers=bob)).json()
        assert listed["items"] == []

    async def test_every_operation_is_audited(self, hub: Hub) -> None:
        """Uploads, failures included, are in the audit log."""
        await hub.connect("microsoft")
        await upload(hub, "a.txt", b"x")
        await upload(hub, "a.txt", b"x")

        response = await hub.http.get("/api/v1/integrations/audit", headers=hub.auth)

        assert response.status_code == 200, response.text
        entries = [
            (e["action"], e["outcome"])
            for e in response.json()["items"]
            if e["action"].startswith("documents.")
        ]
        assert sorted(entries) == [
            ("documents.upload", "failure"),
            ("documents.upload", "success"),
        ]
