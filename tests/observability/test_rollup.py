"""Per-minute rollups and the percentile math over merged histograms."""

from __future__ import annotations

import pytest

from integration_hub.observability.rollup import (
    OVERFLOW_KEY,
    RollupBook,
    RollupKey,
    bucket_key,
    merge_histograms,
    percentile,
)


class TestBucketKey:
    @pytest.mark.parametrize(
        ("duration_ms", "key"),
        [(0.2, "5"), (5, "5"), (5.01, "10"), (999, "1000"), (60_001, OVERFLOW_KEY)],
    )
    def test_duration_lands_in_first_bucket_at_or_above_it(
        self, duration_ms: float, key: str
    ) -> None:
        """A bucket holds durations up to and including its bound."""
        assert bucket_key(duration_ms) == key


class TestPercentile:
    def test_empty_histogram_has_no_percentile(self) -> None:
        """Without samples there is nothing to report."""
        assert percentile({}, 0.5) is None

    def test_interpolates_inside_the_bucket(self) -> None:
        """Ten samples in (50, 100]: the median sits halfway through the bucket."""
        assert percentile({"100": 10}, 0.5) == pytest.approx(75.0)

    def test_percentiles_come_from_the_merged_counts(self) -> None:
        """Merging two instances' histograms weighs each by its counts."""
        fast = {"10": 90}  # 90 calls in (5, 10] ms
        slow = {"1000": 10}  # 10 calls in (500, 1000] ms

        merged = merge_histograms([fast, slow])

        assert merged == {"10": 90, "1000": 10}
        assert percentile(merged, 0.50) == pytest.approx(5 + 5 * 50 / 90)
        assert percentile(merged, 0.90) == pytest.approx(10.0)
        assert percentile(merged, 0.95) == pytest.approx(500 + 500 * 5 / 10)
        assert percentile(merged, 0.99) == pytest.approx(500 + 500 * 9 / 10)

    def test_overflow_bucket_reports_its_lower_bound(self) -> None:
        """Samples beyond the last bound are reported at that bound."""
        assert percentile({OVERFLOW_KEY: 3}, 0.99) == 60_000


class TestRollupBook:
    def test_counts_calls_errors_and_rate_limits(self) -> None:
        """Errors are failures and statuses from 400; 429s also count as limited."""
        book = RollupBook()
        rollup = book.get(RollupKey(0, "google", "values.get"))

        for status in (200, 404, 429, None):
            rollup.add_call(status, 12.0)

        values = rollup.values()
        assert values["calls"] == 4
        assert values["errors"] == 3
        assert values["rate_limited"] == 1
        assert values["total_ms"] == 48.0
        assert values["latency_histogram"] == {"25": 4}

    def test_written_rollups_are_pending_again_only_after_a_change(self) -> None:
        """A flush writes a rollup once until it changes again."""
        book = RollupBook()
        book.get(RollupKey(60, "google", "values.get")).add_call(200, 1.0)

        written = book.pending()
        book.mark_written(written, now=61)
        assert book.pending() == []

        book.get(RollupKey(60, "google", "values.get")).add_retry()
        assert [item.values["retries"] for item in book.pending()] == [1]

    def test_closed_minutes_are_forgotten_once_written(self) -> None:
        """Memory stays bounded: past minutes go once the database has them."""
        book = RollupBook()
        book.get(RollupKey(0, "google", "values.get")).add_call(200, 1.0)
        book.get(RollupKey(60, "google", "values.get")).add_call(200, 1.0)

        book.mark_written(book.pending(), now=61)

        assert len(book) == 1
