"""The Metrics object: what each method records, and where the hub holds it."""

from __future__ import annotations

import pytest

from integration_hub.context import HubContext
from integration_hub.observability.metrics import Metrics, new_instance_id

pytestmark = pytest.mark.anyio


class TestMetrics:
    async def test_hub_context_shares_one_metrics_with_token_refreshes(
        self, context: HubContext
    ) -> None:
        """Token refreshes are counted in the metrics the hub context serves."""
        assert context.connections.metrics is context.metrics

    async def test_rollups_count_retries_and_cache_lookups_per_operation(
        self,
    ) -> None:
        """Retries and cache lookups land in their operation's rollup."""
        metrics = Metrics(clock=lambda: 120.0)

        metrics.retry(provider="microsoft", operation="drive.upload", reason="503")
        metrics.cache(provider="microsoft", operation="drive.get", hit=False)

        pending = {
            item.key.operation: item.values for item in metrics.rollups.pending()
        }
        assert pending["drive.upload"]["retries"] == 1
        assert pending["drive.get"]["cache_misses"] == 1
        assert all(item.key.minute == 120 for item in metrics.rollups.pending())

    async def test_instance_ids_are_unique_and_fit_their_column(self) -> None:
        """Two processes, even with one pid, never share an instance id."""
        first, second = new_instance_id(), new_instance_id()

        assert first != second
        assert len(first) <= 64
