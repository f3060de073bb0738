"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from integration_hub import __version__
from integration_hub.accounts.endpoints import router as accounts_router
from integration_hub.config import Settings, load_settings
from integration_hub.connections.endpoints import callback_router
from integration_hub.connections.endpoints import router as connections_router
from integration_hub.context import HubContext
from integration_hub.dependencies import get_current_user
from integration_hub.errors import HubError, NotFoundError
from integration_hub.google.endpoints import router as sheets_router
from integration_hub.home import router as home_router
from integration_hub.logging import configure_logging
from integration_hub.microsoft.endpoints import router as documents_router
from integration_hub.microsoft.endpoints import templates_router
from integration_hub.middleware import RequestContextMiddleware, SandboxMiddleware
from integration_hub.observability.endpoints import (
    audit_router,
    metrics_router,
    prometheus_router,
)
from integration_hub.observability.endpoints import router as health_router
from integration_hub.observability.http import HttpMetricsMiddleware
from integration_hub.observability.tasks import metrics_flushing

API_PREFIX = "/api/v1/integrations"

log = structlog.get_logger("integration_hub.app")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(fmt=settings.log_format, level=settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub = app.state.hub = await HubContext.open(settings)
        log.info(
            "hub.started", database="sqlite" if settings.is_sqlite else "postgresql"
        )
        try:
            async with metrics_flushing(
                hub.metrics, hub.sessions, settings.metrics_flush_seconds
            ):
                yield
        finally:
            await hub.close()

    app = FastAPI(
        title="Integration Hub",
        version=__version__,
        description="Connect Google and Microsoft accounts once; act in them safely.",
        lifespan=lifespan,
    )
    app.include_router(_api_router())
    app.include_router(prometheus_router)
    app.include_router(home_router)
    _add_error_handlers(app)
    # Inside the sandbox middleware: emulated provider traffic is not the hub's.
    app.add_middleware(HttpMetricsMiddleware)
    if settings.sandbox_enabled:
        app.add_middleware(SandboxMiddleware, sandbox=_sandbox_app(settings))
    app.add_middleware(RequestContextMiddleware)
    return app


def _sandbox_app(settings: Settings) -> ASGIApp:
    # Imported only when enabled: a hub talking to the real providers never
    # loads the emulators.
    from integration_hub.sandbox import SandboxConfig, create_sandbox_app

    return create_sandbox_app(SandboxConfig(data_dir=settings.var_dir / "sandbox"))


def _api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health_router)
    api.include_router(callback_router)

    protected = APIRouter(dependencies=[Depends(get_current_user)])
    protected.include_router(accounts_router)
    protected.include_router(connections_router)
    protected.include_router(sheets_router)
    protected.include_router(documents_router)
    protected.include_router(templates_router)
    protected.include_router(metrics_router)
    protected.include_router(audit_router)

    # Last, so that an unknown path answers 401 before it answers 404: callers
    # without a token learn nothing about which routes exist.
    @protected.api_route(
        "/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def unknown_route(path: str) -> None:
        raise NotFoundError(f"no route {API_PREFIX}/{path}")

    api.include_router(protected)
    return api


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def hub_error(_request: Request, exc: HubError) -> JSONResponse:
        return _error(exc.status_code, exc.code, exc.detail, exc.headers())

    @app.exception_handler(RequestValidationError)
    async def validation_error(
        _request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        return _error(422, "validation_error", _describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(
        _request: Request, exc: StarletteHTTPException
    ) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return _error(exc.status_code, code, str(exc.detail), exc.headers or {})

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", "unknown")
        log.exception("http.unhandled_error", error_type=type(exc).__name__)
        # This handler runs outside the request-id middleware, so it sets the
        # header itself.
        return _error(
            500,
            "internal_error",
            f"an unexpected error occurred (request id {request_id})",
            {"X-Request-ID": request_id},
        )


def _error(
    status: int, code: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": code, "detail": detail}, status_code=status, headers=headers
    )


def _describe_validation(exc: RequestValidationError) -> str:
    """One readable sentence per problem: where it is and what is wrong."""
    problems = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        problems.append(f"{location}: {error['msg']}")
    return "; ".join(problems) or "the request is not valid"
