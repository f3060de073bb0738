"""Response models of the metrics and audit endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from integration_hub.observability.models import AuditLogEntry


class LatencySummary(BaseModel):
    """Latency of provider calls in milliseconds; None when there were none.

    Percentiles are estimated from per-bucket counts summed over every instance,
    so they are exact to within one latency bucket.
    """

    average: float | None = Field(description="Mean over all calls.")
    p50: float | None = Field(description="Median.")
    p95: float | None
    p99: float | None


class CallStats(BaseModel):
    calls: int = Field(description="Answers received from the provider.")
    errors: int = Field(description="Answers of status 400 or more, and failures.")
    success_rate: float | None = Field(
        description="Share of calls that succeeded, 0 to 1; None without calls."
    )
    rate_limited: int = Field(description="Answers of status 429.")
    retries: int = Field(description="Calls the hub repeated.")
    cache_hits: int
    cache_misses: int
    cache_hit_rate: float | None = Field(
        description="Share of cache lookups answered from cache; None without any."
    )
    latency_ms: LatencySummary


class OperationMetrics(CallStats):
    operation: str = Field(description="The provider operation, e.g. values.get.")


class ProviderMetrics(CallStats):
    """One provider's calls over a window, summed across all hub instances."""

    provider: Literal["google", "microsoft"]
    window_minutes: int
    since: datetime = Field(description="Start of the first minute counted.")
    until: datetime = Field(description="When this summary was computed.")
    operations: list[OperationMetrics] = Field(
        description="The same figures per operation, by name."
    )


class AuditEntryOut(BaseModel):
    """One recorded operation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    user_id: uuid.UUID | None
    connection_id: uuid.UUID | None
    action: str = Field(description="What was done, e.g. connection.refreshed.")
    target: str | None = Field(description="What it was done to.")
    outcome: str = Field(description="success or failure.")
    status_code: int | None
    duration_ms: float | None
    request_id: str | None = Field(description="The API request that caused it.")
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditLogEntry) -> AuditEntryOut:
        return cls.model_validate(entry)


class AuditPage(BaseModel):
    items: list[AuditEntryOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as cursor for the next, older page; None on the last."
    )
