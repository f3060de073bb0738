from __future__ import annotations

import pytest

from integration_hub.config import Settings
from tests.support.servers import free_port


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """A live hub with 320 KiB upload chunks, a 16 MB upload limit, and short
    backoffs and deadlines, so that chunking, interruption and resumption show
    within a test's time."""
    return settings.model_copy(
        update={
            "public_url": f"http://127.0.0.1:{free_port()}",
            "upload_chunk_multiple": 1,
            "upload_max_bytes": 16 * 1024 * 1024,
            "retry_initial_seconds": 0.05,
            "retry_max_seconds": 0.2,
            "upstream_deadline_seconds": 2.0,
            "inbound_rate_limit_per_minute": 100_000,
        }
    )
