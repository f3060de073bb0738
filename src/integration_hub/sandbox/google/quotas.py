"""Sheets per-minute request quotas, per user and per project."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import Literal

from integration_hub.sandbox.base import Quotas
from integration_hub.sandbox.google.errors import GoogleApiError

Kind = Literal["read", "write"]
SERVICE = "sheets.googleapis.com"


@dataclass
class QuotaCounter:
    """Counts requests in fixed windows, refilled at each window start."""

    window: int = -1
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def charge(self, quotas: Quotas, kind: Kind, user: str, project: str) -> None:
        """Count one request, or raise Google's 429 when a limit is already reached."""
        if not quotas.enabled:
            return
        window = int(time.time() // quotas.window_seconds)
        if window != self.window:
            self.window, self.counts = window, {}

        limits = (
            ("User", user, getattr(quotas, kind + "_per_user")),
            ("Project", project, getattr(quotas, kind + "_per_project")),
        )
        for scope, who, limit in limits:
            if self.counts.get((kind, scope, who), 0) >= limit:
                raise exhausted(kind, scope, limit, project)
        for scope, who, _ in limits:
            key = (kind, scope, who)
            self.counts[key] = self.counts.get(key, 0) + 1


def project_number(client_id: str) -> str:
    """A stable fake Cloud project number for an OAuth client."""
    return str(100_000_000_000 + zlib.crc32(client_id.encode()))


def exhausted(kind: Kind, scope: str, limit: int, project: str) -> GoogleApiError:
    metric = "Read requests" if kind == "read" else "Write requests"
    limit_name = metric + " per minute" + (" per user" if scope == "User" else "")
    quota_limit = f"{kind.capitalize()}RequestsPerMinutePer{scope}"
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{limit_name}' of "
        f"service '{SERVICE}' for consumer 'project_number:{project}'."
    )
    detail = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "RATE_LIMIT_EXCEEDED",
        "domain": "googleapis.com",
        "metadata": {
            "quota_limit": quota_limit,
            "quota_metric": f"{SERVICE}/{kind}_requests",
            "quota_limit_value": str(limit),
            "service": SERVICE,
        },
    }
    return GoogleApiError(429, message, details=[detail], legacy=False)
