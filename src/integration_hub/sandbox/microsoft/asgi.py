"""The small ASGI shell both Microsoft mounts share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

LOGIN_PREFIX = "/sandbox/microsoft/login"
GRAPH_PREFIX = "/sandbox/microsoft/graph"

Handler = Callable[[Request, str], Awaitable[Response]]


class PrefixedApp:
    """Serve requests whose path starts with ``prefix``; hand on the rest of it.

    The core forwards requests with the full path intact; a path that arrives
    already stripped (as under some mounts) is used as it is.
    """

    def __init__(self, prefix: str, handle: Handler) -> None:
        self.prefix = prefix
        self._handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        request = Request(scope, receive)
        response = await self._handle(request, path or "/")
        await response(scope, receive, send)


def origin(request: Request) -> str:
    """Scheme and authority the client used, for URLs handed back to it."""
    return f"{request.url.scheme}://{request.url.netloc}"
