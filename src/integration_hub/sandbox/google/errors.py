"""Google's error bodies: the JSON API envelope and the OAuth 2.0 one."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

JSON_UTF8 = "application/json; charset=utf-8"

# google.rpc.Code names that Google pairs with each HTTP status.
RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# The legacy ``errors[].reason`` that clients such as gspread still inspect.
LEGACY_REASON = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    409: "conflict",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


class GoogleApiError(Exception):
    """An error a Google JSON API (Sheets, Drive) answers with."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        legacy: bool = True,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or LEGACY_REASON.get(code, "unknown")
        self.details = details
        self.headers = headers or {}
        self.extra = extra or {}
        # Newer errors (quota ones) come without the legacy ``errors`` list.
        self.legacy = legacy

    def body(self) -> dict[str, Any]:
        legacy = {"message": self.message, "domain": "global", "reason": self.reason}
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.legacy:
            error["errors"] = [legacy | self.extra]
        error["status"] = RPC_STATUS.get(self.code, "UNKNOWN")
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def response(self) -> Response:
        return JSONResponse(
            self.body(),
            status_code=self.code,
            headers=self.headers,
            media_type=JSON_UTF8,
        )


def bad_request(message: str) -> GoogleApiError:
    return GoogleApiError(400, message)


def invalid_payload(message: str) -> GoogleApiError:
    """A request body that does not match the API's schema."""
    violation = {"description": message}
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [violation],
        }
    ]
    return GoogleApiError(400, message, reason="invalid", details=details)


def not_found(message: str = "Requested entity was not found.") -> GoogleApiError:
    return GoogleApiError(404, message)


def forbidden(message: str = "The caller does not have permission") -> GoogleApiError:
    return GoogleApiError(403, message)


class OAuthError(Exception):
    """An OAuth 2.0 endpoint error: ``{"error", "error_description"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, media_type=JSON_UTF8)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GoogleApiError)
    return exc.response()


async def oauth_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    return exc.response()


async def api_http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path or method), in Google's envelope."""
    status = getattr(exc, "status_code", 500)
    if status == 404:
        message = f"The requested URL {request.url.path} was not found on this server."
    else:
        message = phrase(status)
    return GoogleApiError(status, message).response()


async def api_crash_handler(request: Request, exc: Exception) -> Response:
    """A bug in the emulator still answers in Google's shape, never a bare 500."""
    return GoogleApiError(500, "Internal error encountered.").response()


def fault_body(path: str, status: int, retry_after: int | None) -> Response:
    """An injected failure, shaped like the host it hits."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if "/oauth2" in path or "/accounts" in path:
        error = "rate_limit_exceeded" if status == 429 else "temporarily_unavailable"
        body = {"error": error, "error_description": phrase(status)}
        return JSONResponse(
            body, status_code=status, headers=headers, media_type=JSON_UTF8
        )
    message = {
        429: "Resource has been exhausted (e.g. check quota).",
        500: "Internal error encountered.",
        503: "The service is currently unavailable.",
    }.get(status) or phrase(status)
    return GoogleApiError(status, message, headers=headers).response()


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
