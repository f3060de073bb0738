"""The hub's one error hierarchy.

Every expected failure is a :class:`HubError` carrying its HTTP status and a short
machine-readable code; one handler in ``app.py`` renders them all as
``{"error": code, "detail": text}``.

    HubError
    ├── ConfigurationError     start-up refuses the configuration
    ├── BadRequestError        400: the request cannot be carried out as sent
    ├── AuthenticationError    401: no, malformed or revoked API token
    ├── PermissionDeniedError  403
    ├── NotFoundError          404: absent, or someone else's
    ├── ConflictError          409
    ├── PayloadTooLargeError   413: the body is over the configured maximum
    ├── UnsupportedMediaTypeError 415: the body's Content-Type is not one accepted
    ├── ValidationFailedError  422
    ├── RateLimitedError       429: the caller's request budget is spent
    └── ServiceUnavailableError 503
"""

from __future__ import annotations

import math
from http import HTTPStatus


class HubError(Exception):
    status_code: int = HTTPStatus.INTERNAL_SERVER_ERROR
    code: str = "internal_error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code

    def headers(self) -> dict[str, str]:
        return {}


class ConfigurationError(HubError):
    code = "configuration_error"


class BadRequestError(HubError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "bad_request"


class AuthenticationError(HubError):
    status_code = HTTPStatus.UNAUTHORIZED
    code = "unauthenticated"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="integration-hub"'}


class PermissionDeniedError(HubError):
    status_code = HTTPStatus.FORBIDDEN
    code = "forbidden"


class NotFoundError(HubError):
    status_code = HTTPStatus.NOT_FOUND
    code = "not_found"


class ConflictError(HubError):
    status_code = HTTPStatus.CONFLICT
    code = "conflict"


class PayloadTooLargeError(HubError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"


class UnsupportedMediaTypeError(HubError):
    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_media_type"


class ValidationFailedError(HubError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "validation_error"


class RateLimitedError(HubError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, detail: str, *, limit: int, reset_after: float) -> None:
        super().__init__(detail)
        self.limit = limit
        self.reset_after = reset_after

    def headers(self) -> dict[str, str]:
        seconds = str(max(1, math.ceil(self.reset_after)))
        return {
            "Retry-After": seconds,
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": seconds,
        }


class ServiceUnavailableError(HubError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "service_unavailable"
