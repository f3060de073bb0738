from __future__ import annotations

import pytest

from integration_hub.config import Settings
from tests.support.servers import free_port


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """A live hub with short backoffs and two-second pacing windows, so that
    retry and quota behaviour shows within a test's time."""
    return settings.model_copy(
        update={
            "public_url": f"http://127.0.0.1:{free_port()}",
            "retry_initial_seconds": 0.05,
            "retry_max_seconds": 1.0,
            "pacing_window_seconds": 2,
            "inbound_rate_limit_per_minute": 100_000,
        }
    )
