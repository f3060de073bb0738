"""Per-route HTTP metrics, recorded by pure ASGI middleware.

Routes are labelled by their full path template
(``/api/v1/integrations/connections/{connection_id}``), never by the raw path, so
the number of series stays bounded whatever callers send.
"""

from __future__ import annotations

import time

from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from integration_hub.observability.metrics import Metrics

UNMATCHED_ROUTE = "unmatched"


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            metrics = _context_metrics(scope)
            if metrics is not None:
                metrics.http_request(
                    method=scope["method"],
                    route=self.route_template(scope),
                    status=status,
                    duration_s=time.perf_counter() - started,
                )

    def route_template(self, scope: Scope) -> str:
        """The full path template of the route that served the request."""
        route = scope.get("route")
        if route is None:
            return UNMATCHED_ROUTE
        if self._templates is None:
            self._templates = _full_templates(scope)
        # Routing leaves the route as declared in its router, without the
        # prefixes it was included under; the table adds them back.
        template = self._templates.get(id(route)) or getattr(route, "path", None)
        return template if isinstance(template, str) else UNMATCHED_ROUTE


def _full_templates(scope: Scope) -> dict[int, str]:
    routes = scope["app"].routes
    return {
        id(context.original_route): context.path_format
        for context in iter_route_contexts(routes)
        if context.path_format
    }


def _context_metrics(scope: Scope) -> Metrics | None:
    # The hub context, and its metrics, exist once the lifespan has started.
    hub = getattr(scope["app"].state, "hub", None)
    return getattr(hub, "metrics", None)
