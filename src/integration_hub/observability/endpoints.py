"""Health, metrics and audit endpoints."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from integration_hub.context import HubContext
from integration_hub.db.base import utcnow
from integration_hub.dependencies import Context, CurrentUser, Session
from integration_hub.errors import ValidationFailedError
from integration_hub.observability import service
from integration_hub.observability.health import Health, check_health
from integration_hub.observability.metrics import PROMETHEUS_CONTENT_TYPE
from integration_hub.observability.repository import AuditFilter
from integration_hub.observability.schemas import (
    AuditEntryOut,
    AuditPage,
    ProviderMetrics,
)
from integration_hub.observability.tasks import flush_metrics

MAX_WINDOW_MINUTES = 10_080  # a week

router = APIRouter(tags=["health"])
# Authenticated: metrics summaries and the audit log.
metrics_router = APIRouter(tags=["metrics"])
audit_router = APIRouter(tags=["audit"])
# At the root, for Prometheus scrapers, which carry no API token.
prometheus_router = APIRouter(tags=["metrics"])


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is down."}},
    summary="Health of the database and, when configured, Redis",
)
async def health(context: Context) -> JSONResponse:
    report = await check_health(context)
    status = 503 if report.status == "down" else 200
    return JSONResponse(report.model_dump(mode="json"), status_code=status)


@prometheus_router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {PROMETHEUS_CONTENT_TYPE: {}}}},
    summary="This process's metrics in the Prometheus text format",
)
async def prometheus_metrics(context: Context) -> Response:
    return Response(context.metrics.render(), media_type=PROMETHEUS_CONTENT_TYPE)


Window = Annotated[
    int, Query(ge=1, le=MAX_WINDOW_MINUTES, description="Minutes to cover.")
]
_SUMMARY_DESCRIPTION = (
    "Calls, success rate, latency percentiles, rate-limit answers, retries and "
    "cache hit rate of {name}, in total and per operation, over the last `window` "
    "minutes, summed across every hub instance."
)


@metrics_router.get(
    "/metrics/google-sheets",
    response_model=ProviderMetrics,
    summary="Google calls over a recent window",
    description=_SUMMARY_DESCRIPTION.format(name="Google (Sheets and Drive)"),
)
async def google_metrics(
    _user: CurrentUser, context: Context, window: Window = 60
) -> ProviderMetrics:
    return await _summary(context, "google", window)


@metrics_router.get(
    "/metrics/microsoft-graph",
    response_model=ProviderMetrics,
    summary="Microsoft Graph calls over a recent window",
    description=_SUMMARY_DESCRIPTION.format(name="Microsoft Graph"),
)
async def microsoft_metrics(
    _user: CurrentUser, context: Context, window: Window = 60
) -> ProviderMetrics:
    return await _summary(context, "microsoft", window)


async def _summary(context: HubContext, provider: str, window: int) -> ProviderMetrics:
    # This process's latest calls count too, not only what was flushed before.
    await flush_metrics(context.metrics, context.sessions)
    async with context.sessions() as session:
        return await service.provider_metrics(
            session, provider, window_minutes=window, now=utcnow()
        )


@audit_router.get(
    "/audit",
    response_model=AuditPage,
    summary="The audit log: your entries, or everyone's for admins",
)
async def audit_log(
    user: CurrentUser,
    session: Session,
    action: str | None = None,
    outcome: str | None = None,
    connection_id: uuid.UUID | None = None,
    user_id: Annotated[
        uuid.UUID | None, Query(description="Admins only: one user's entries.")
    ] = None,
    since: Annotated[datetime | None, Query(description="From this time.")] = None,
    until: Annotated[datetime | None, Query(description="Before this time.")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    where = AuditFilter(
        user_id, action, outcome, connection_id, _utc(since), _utc(until)
    )
    entries = await service.audit_page(
        session, user, where, before_id=_parse_cursor(cursor), limit=limit + 1
    )
    page = entries[:limit]
    next_cursor = _cursor_for(page[-1].id) if len(entries) > limit else None
    return AuditPage(items=[AuditEntryOut.of(e) for e in page], next_cursor=next_cursor)


def _utc(moment: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC, the zone of every stored time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _cursor_for(entry_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{entry_id}".encode()).decode().rstrip("=")


def _parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("a") and text[1:].isdigit():
            return int(text[1:])
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise ValidationFailedError("cursor is not one this API handed out")
