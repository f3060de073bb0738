"""Emulators of Microsoft's identity platform and Microsoft Graph (OneDrive).

``MicrosoftEmulator(context)`` is what the sandbox core mounts. Tests may move its
``clock`` forward and shorten ``uploads.ttl`` instead of sleeping.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..base import Provider, SandboxContext
from .accounts import DEFAULT_ACCOUNT, TENANT_ID, Clock
from .asgi import GRAPH_PREFIX, LOGIN_PREFIX
from .drive import DriveStore
from .errors import aad_fault, graph_fault
from .grants import TokenIssuer
from .graph import GraphApi
from .identity import IdentityPlatform
from .sharing import Sharing
from .storage import BlobStore
from .uploads import DEFAULT_TTL, UploadSessions

__all__ = ["DEFAULT_ACCOUNT", "TENANT_ID", "MicrosoftEmulator"]


class MicrosoftEmulator:
    """The login and graph mounts, sharing one clock, token store and drive store."""

    provider: Provider = "microsoft"

    def __init__(self, context: SandboxContext) -> None:
        self.clock = Clock()
        self.issuer = TokenIssuer(context, self.clock)
        self.drives = DriveStore(
            BlobStore(context.config.data_dir / "microsoft"), self.clock
        )
        self.uploads = UploadSessions(self.drives, self.clock)
        self.sharing = Sharing(self.drives, self.clock)
        self.identity = IdentityPlatform(context, self.issuer)
        self.graph = GraphApi(
            self.issuer.store, self.drives, self.uploads, self.sharing, self.clock
        )

    def mounts(self) -> dict[str, ASGIApp]:
        return {LOGIN_PREFIX: self.identity.app, GRAPH_PREFIX: self.graph.app}

    def reset(self) -> None:
        self.issuer.store.clear()
        self.identity.reset()
        self.uploads.clear()
        self.sharing.clear()
        self.drives.clear()
        # Test knobs go back to normal too, so one test's time travel ends with it.
        self.clock.reset()
        self.uploads.ttl = DEFAULT_TTL

    def issue_token(
        self, account: str, scopes: list[str], expires_in: int | None
    ) -> dict[str, Any]:
        return self.issuer.issue_admin(account, scopes, expires_in)

    def grants(self) -> dict[str, Any]:
        return self.issuer.store.snapshot()

    def fault_response(
        self, request: Request, status: int, retry_after: int | None
    ) -> Response:
        if str(request.scope["path"]).startswith(LOGIN_PREFIX):
            return aad_fault(status, retry_after)
        return graph_fault(request, status, retry_after)
