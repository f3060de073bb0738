"""Upstream calls rolled up per minute, and the histogram math behind percentiles.

Latency is kept as counts per fixed bucket rather than as raw samples, so that
rollups from any number of minutes and instances merge by adding counts, and
percentiles come from the merged counts by interpolating inside a bucket.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Upper bounds of the latency buckets, in milliseconds; the last bucket is open.
LATENCY_BOUNDS_MS: tuple[float, ...] = (
    5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
)  # fmt: skip
OVERFLOW_KEY = "+Inf"
_KEYS = (*(f"{bound:g}" for bound in LATENCY_BOUNDS_MS), OVERFLOW_KEY)


def bucket_key(duration_ms: float) -> str:
    """The histogram key of the bucket that holds ``duration_ms``."""
    return _KEYS[bisect.bisect_left(LATENCY_BOUNDS_MS, duration_ms)]


def merge_histograms(histograms: Iterable[Mapping[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for histogram in histograms:
        for key, count in histogram.items():
            merged[key] = merged.get(key, 0) + int(count)
    return merged


def percentile(histogram: Mapping[str, int], quantile: float) -> float | None:
    """Estimate a quantile (0..1) in ms, interpolating linearly inside its bucket.

    Samples in the open last bucket are reported at its lower bound: there is
    nothing to interpolate towards.
    """
    counts = [int(histogram.get(key, 0)) for key in _KEYS]
    total = sum(counts)
    if total == 0:
        return None

    rank = quantile * total
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= rank:
            lower = LATENCY_BOUNDS_MS[index - 1] if index else 0.0
            if index == len(LATENCY_BOUNDS_MS):
                return float(lower)
            upper = LATENCY_BOUNDS_MS[index]
            return lower + (upper - lower) * max(rank - seen, 0) / count
        seen += count
    return float(LATENCY_BOUNDS_MS[-1])


def minute_of(epoch_seconds: float) -> int:
    return int(epoch_seconds // 60) * 60


@dataclass(frozen=True)
class RollupKey:
    minute: int  # epoch seconds at the start of the minute
    provider: str
    operation: str

    @property
    def bucket_start(self) -> datetime:
        return datetime.fromtimestamp(self.minute, UTC)


@dataclass
class Rollup:
    """Running totals of one minute, provider and operation in this process."""

    calls: int = 0
    errors: int = 0
    retries: int = 0
    rate_limited: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    total_ms: float = 0.0
    latency_histogram: dict[str, int] = field(default_factory=dict)
    # Bumped on every change, so that a flush knows whether it wrote the latest.
    version: int = 0

    def add_call(self, status: int | None, duration_ms: float) -> None:
        self.calls += 1
        if status is None or status >= 400:
            self.errors += 1
        if status == 429:
            self.rate_limited += 1
        self.total_ms += duration_ms
        key = bucket_key(duration_ms)
        self.latency_histogram[key] = self.latency_histogram.get(key, 0) + 1
        self.version += 1

    def add_retry(self) -> None:
        self.retries += 1
        self.version += 1

    def add_cache_lookup(self, *, hit: bool) -> None:
        if hit:
            self.cache_hits += 1
        else:
            self.cache_misses += 1
        self.version += 1

    def values(self) -> dict[str, object]:
        """The row columns this rollup sets, the histogram copied."""
        return {
            "calls": self.calls,
            "errors": self.errors,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "total_ms": round(self.total_ms, 3),
            "latency_histogram": dict(self.latency_histogram),
        }


@dataclass(frozen=True)
class PendingRollup:
    key: RollupKey
    version: int
    values: dict[str, object]


class RollupBook:
    """This process's rollups, kept until their minute is over and written.

    A flush writes each rollup's running totals (not a delta), so a flush that
    fails, or two that overlap, never lose or double-count a call.
    """

    def __init__(self) -> None:
        self._rollups: dict[RollupKey, Rollup] = {}
        self._written: dict[RollupKey, int] = {}

    def get(self, key: RollupKey) -> Rollup:
        rollup = self._rollups.get(key)
        if rollup is None:
            rollup = self._rollups[key] = Rollup()
        return rollup

    def pending(self) -> list[PendingRollup]:
        """Rollups changed since they were last written, as plain values."""
        return [
            PendingRollup(key, rollup.version, rollup.values())
            for key, rollup in self._rollups.items()
            if self._written.get(key) != rollup.version
        ]

    def mark_written(self, written: Iterable[PendingRollup], now: float) -> None:
        """Remember what was written; forget closed minutes that are up to date."""
        for item in written:
            self._written[item.key] = item.version

        current = minute_of(now)
        for key in [k for k in self._rollups if k.minute < current]:
            if self._written.get(key) == self._rollups[key].version:
                del self._rollups[key]
                del self._written[key]

    def __len__(self) -> int:
        return len(self._rollups)


def clamp_ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded for display, or None when there is no whole."""
    if whole <= 0:
        return None
    return round(part / whole, 4)
