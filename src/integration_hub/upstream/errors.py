"""Errors from provider calls, split by what the caller should do about them.

    UpstreamError
    ├── TransientUpstreamError   5xx, 429, timeouts, dropped connections: retry later
    └── UpstreamRequestError     the provider refused the request itself: do not retry
        └── InvalidGrantError    the user's grant is gone: they must reconnect

None of them ever carries a token: the body excerpt is scrubbed of anything that
looks like one, and the endpoint is kept without its query string.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from integration_hub.errors import HubError

BODY_EXCERPT_CHARS = 300
_TOKENISH = re.compile(
    r'("?(?:access_token|refresh_token|id_token|code|token)"?\s*[:=]\s*"?)[^",&\s]+'
)


def excerpt(body: str) -> str:
    return _TOKENISH.sub(r"\1[redacted]", body[:BODY_EXCERPT_CHARS])


def endpoint_of(url: str) -> str:
    return url.split("?", 1)[0]


class UpstreamError(HubError):
    status_code = HTTPStatus.BAD_GATEWAY
    code = "upstream_error"

    def __init__(
        self,
        detail: str,
        *,
        provider: str,
        endpoint: str,
        upstream_status: int | None = None,
        body: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.provider = provider
        self.endpoint = endpoint_of(endpoint)
        self.upstream_status = upstream_status
        self.body_excerpt = excerpt(body)
        self.retry_after = retry_after


class TransientUpstreamError(UpstreamError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "upstream_unavailable"

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(max(1, round(self.retry_after)))}


class UpstreamRequestError(UpstreamError):
    """The provider refused the request; the hub answers with a fitting status."""

    code = "upstream_rejected"
    # What the provider's status means for the hub's own caller.
    _STATUS_FOR_CALLER = {
        400: HTTPStatus.UNPROCESSABLE_ENTITY,
        403: HTTPStatus.FORBIDDEN,
        404: HTTPStatus.NOT_FOUND,
        409: HTTPStatus.CONFLICT,
        413: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        416: HTTPStatus.CONFLICT,
    }

    def __init__(self, detail: str, **kwargs: object) -> None:
        super().__init__(detail, **kwargs)  # type: ignore[arg-type]
        if self.upstream_status is not None:
            self.status_code = self._STATUS_FOR_CALLER.get(
                self.upstream_status, HTTPStatus.BAD_GATEWAY
            )


class InvalidGrantError(UpstreamRequestError):
    status_code = HTTPStatus.CONFLICT
    code = "needs_reauth"
