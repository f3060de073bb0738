"""Error bodies in Microsoft's own shapes: Graph's and the identity platform's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

GRAPH_JSON = (
    "application/json;odata.metadata=minimal;odata.streaming=true;"
    "IEEE754Compatible=false;charset=utf-8"
)

# What Graph answers for a bare status when nothing more specific applies.
_GRAPH_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("invalidRequest", "Invalid request."),
    401: ("unauthenticated", "The caller is not authenticated."),
    403: ("accessDenied", "Access denied."),
    404: ("itemNotFound", "The resource could not be found."),
    405: ("invalidRequest", "The HTTP method is not allowed for this resource."),
    409: ("resourceModified", "The resource has changed since it was read."),
    413: ("invalidRequest", "The request is too large."),
    416: ("invalidRange", "The requested range is not valid."),
    429: ("TooManyRequests", "Please retry again later."),
    500: ("generalException", "An unspecified error has occurred."),
    502: ("badGateway", "The upstream service did not answer in time."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable."),
    504: ("gatewayTimeout", "The request timed out."),
    507: ("quotaLimitReached", "Insufficient space available."),
}

# The identity platform's error for an injected status, by status.
_AAD_DEFAULTS: dict[int, tuple[str, int, str]] = {
    429: (
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
    ),
    500: (
        "server_error",
        50000,
        "There was an error issuing a token or an issue with our sign-in service.",
    ),
    503: (
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
    ),
}


class GraphError(Exception):
    """A failure Graph reports as ``{"error": {"code", "message", "innerError"}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        inner_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.inner_code = inner_code
        self.headers = headers or {}

    @classmethod
    def for_status(cls, status: int, **kwargs: Any) -> GraphError:
        code, message = _GRAPH_DEFAULTS.get(status, _GRAPH_DEFAULTS[500])
        return cls(status, code, message, **kwargs)


def not_found() -> GraphError:
    return GraphError(404, "itemNotFound", "The resource could not be found.")


def invalid_request(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


class AadError(Exception):
    """A failure the identity platform reports with an ``AADSTSnnnn`` code."""

    def __init__(
        self, error: str, code: int, description: str, *, status: int = 400
    ) -> None:
        super().__init__(description)
        self.error = error
        self.code = code
        self.description = description
        self.status = status


def request_ids(request: Request) -> tuple[str, str]:
    """The request id Graph assigns and the client's own, echoed when it sent one."""
    request_id = str(uuid.uuid4())
    client_request_id = request.headers.get("client-request-id") or request_id
    return request_id, client_request_id


def graph_headers(request: Request) -> dict[str, str]:
    request_id, client_request_id = request_ids(request)
    return {
        "request-id": request_id,
        "client-request-id": client_request_id,
        "OData-Version": "4.0",
    }


def graph_error_response(request: Request, error: GraphError) -> Response:
    headers = graph_headers(request)
    inner: dict[str, str] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": headers["request-id"],
        "client-request-id": headers["client-request-id"],
    }
    if error.inner_code:
        inner["code"] = error.inner_code
    body = {
        "error": {"code": error.code, "message": error.message, "innerError": inner}
    }
    return JSONResponse(
        body,
        status_code=error.status,
        headers={**headers, **error.headers},
        media_type=GRAPH_JSON,
    )


def aad_error_body(error: AadError) -> dict[str, Any]:
    trace_id = str(uuid.uuid4())
    correlation_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    description = (
        f"AADSTS{error.code}: {error.description}\r\n"
        f"Trace ID: {trace_id}\r\n"
        f"Correlation ID: {correlation_id}\r\n"
        f"Timestamp: {stamp}"
    )
    return {
        "error": error.error,
        "error_description": description,
        "error_codes": [error.code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={error.code}",
    }


def aad_error_response(error: AadError) -> Response:
    headers = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="login.microsoftonline.com"'
    return JSONResponse(
        aad_error_body(error), status_code=error.status, headers=headers
    )


def graph_fault(request: Request, status: int, retry_after: int | None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    inner_code = str(status) if status == 429 else None
    error = GraphError.for_status(status, inner_code=inner_code, headers=headers)
    return graph_error_response(request, error)


def aad_fault(status: int, retry_after: int | None) -> Response:
    name, code, description = _AAD_DEFAULTS.get(status, _AAD_DEFAULTS[500])
    response = aad_error_response(AadError(name, code, description, status=status))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def graph_json(
    request: Request,
    body: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A Graph success response, with the headers every Graph answer carries."""
    return JSONResponse(
        body,
        status_code=status,
        headers={**graph_headers(request), **(headers or {})},
        media_type=GRAPH_JSON,
    )
