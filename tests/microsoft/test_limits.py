"""The upload maximum: refused with 413 as soon as it is crossed, nothing kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from integration_hub.config import Settings
from tests.microsoft.support import DOCUMENTS, payload
from tests.support.live import Hub
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio

LIMIT = 1024 * 1024


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """A live hub that accepts files of at most 1 MiB."""
    return settings.model_copy(
        update={
            "public_url": f"http://127.0.0.1:{free_port()}",
            "upload_max_bytes": LIMIT,
            "inbound_rate_limit_per_minute": 100_000,
        }
    )


def spooled_files(settings: Settings) -> list[str]:
    folder = settings.var_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class TestMaximum:
    async def test_streamed_body_over_the_maximum_is_413(
        self, hub: Hub, live_settings: Settings
    ) -> None:
        """A chunked body with no length is cut off at the limit: 413, no file."""
        await hub.connect("microsoft")

        async def pieces() -> AsyncIterator[bytes]:
            for _ in range(20):
                yield payload(64 * 1024)

        response = await hub.http.post(
            DOCUMENTS,
            params={"path": "big.bin"},
            content=pieces(),
            headers={**hub.auth, "Content-Type": "application/octet-stream"},
        )

        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"
        assert spooled_files(live_settings) == []

    async def test_multipart_over_the_maximum_is_413(
        self, hub: Hub, live_settings: Settings
    ) -> None:
        """A multipart file over the limit is refused, and its spool removed."""
        await hub.connect("microsoft")

        response = await hub.http.post(
            DOCUMENTS,
            data={"path": "big.bin"},
            files={"file": ("big.bin", payload(LIMIT + 1))},
            headers=hub.auth,
        )

        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"
        assert spooled_files(live_settings) == []
        listed = (await hub.http.get(DOCUMENTS, headers=hub.auth)).json()
        assert listed["items"] == []

    async def test_declared_length_over_the_maximum_is_413_at_once(
        self, hub: Hub
    ) -> None:
        """A Content-Length over the limit is refused before the body is read."""
        await hub.connect("microsoft")

        response = await hub.http.post(
            DOCUMENTS,
            params={"path": "big.bin"},
            content=payload(LIMIT + 1),
            headers={**hub.auth, "Content-Type": "application/octet-stream"},
        )

        assert response.status_code == 413

    async def test_exactly_the_maximum_is_accepted(self, hub: Hub) -> None:
        """The limit itself is allowed."""
        await hub.connect("microsoft")

        response = await hub.http.post(
            DOCUMENTS,
            data={"path": "edge.bin"},
            files={"file": ("edge.bin", payload(LIMIT))},
            headers=hub.auth,
        )

        assert response.status_code == 201, response.text
