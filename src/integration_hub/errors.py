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
    ├── ValidationFailedError  422
    └── ServiceUnavailableError 503
"""

from __future__ import annotations

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


class ValidationFailedError(HubError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "validation_error"


class ServiceUnavailableError(HubError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "service_unavailable"
