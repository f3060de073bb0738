"""Helpers for the Microsoft document tests: files, Word templates, downloads."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from tests.support.live import Hub

DOCUMENTS = "/api/v1/integrations/microsoft/documents"
TEMPLATES = "/api/v1/integrations/templates"
CHUNK = 320 * 1024


def payload(size: int, seed: int = 7) -> bytes:
    """Deterministic bytes that do not compress to nothing."""
    block = hashlib.sha256(str(seed).encode()).digest() * 2048
    repeats = size // len(block) + 1
    return (block * repeats)[:size]


def docx(*paragraphs: list[str]) -> bytes:
    """A Word document; each paragraph given as its runs, split as Word would."""
    from docx import Document

    document = Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text in runs:
            paragraph.add_run(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def text_of(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


async def upload(
    hub: Hub, path: str, content: bytes, **fields: str
) -> tuple[int, dict[str, Any]]:
    response = await hub.http.post(
        DOCUMENTS,
        data={"path": path, **fields},
        files={"file": ("upload.bin", content, "application/octet-stream")},
        headers=hub.auth,
    )
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def share_link(hub: Hub, document_id: object, **link: object) -> dict[str, Any]:
    response = await hub.http.post(
        f"{DOCUMENTS}/share",
        json={"document_id": str(document_id), "link": {"type": "view", **link}},
        headers=hub.auth,
    )
    assert response.status_code in (200, 201), response.text
    permission: dict[str, Any] = response.json()
    return permission


async def download(hub: Hub, document_id: object) -> bytes:
    """A document's bytes as the sandbox holds them, through a view link."""
    link = await share_link(hub, document_id)
    response = await hub.http.get(str(link["web_url"]), follow_redirects=True)
    assert response.status_code == 200, response.text
    return response.content


async def chunk_puts(hub: Hub, since: int) -> list[dict[str, object]]:
    """Chunk PUTs to upload sessions the sandbox answered since ``since``."""
    return [
        entry
        for entry in await hub.requests_since("microsoft", since)
        if entry["method"] == "PUT" and "/_sandbox/upload/" in str(entry["path"])
    ]
