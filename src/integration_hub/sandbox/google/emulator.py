"""The Google emulator as the sandbox core sees it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from integration_hub.sandbox.base import Provider, SandboxContext
from integration_hub.sandbox.google.drive import drive_app
from integration_hub.sandbox.google.errors import fault_body
from integration_hub.sandbox.google.oauth import accounts_app, oauth2_app
from integration_hub.sandbox.google.sheets import sheets_app
from integration_hub.sandbox.google.world import GoogleWorld

ADMIN_CLIENT_ID = "sandbox-admin"


class GoogleEmulator:
    """accounts.google.com, oauth2, Sheets v4 and Drive v3 under /sandbox/google."""

    provider: Provider = "google"

    def __init__(self, context: SandboxContext) -> None:
        self.world = GoogleWorld(context)

    def mounts(self) -> dict[str, ASGIApp]:
        return {
            "/sandbox/google/accounts": accounts_app(self.world),
            "/sandbox/google/oauth2": oauth2_app(self.world),
            "/sandbox/google/sheets": sheets_app(self.world),
            "/sandbox/google/www": drive_app(self.world),
        }

    def reset(self) -> None:
        self.world.reset()

    def issue_token(
        self, account: str, scopes: list[str], expires_in: int | None
    ) -> dict[str, Any]:
        ttl = expires_in or self.world.behavior.access_token_ttl
        token = self.world.tokens.new_access(account, ADMIN_CLIENT_ID, scopes, ttl)
        return {"access_token": token.token, "expires_in": ttl}

    def grants(self) -> dict[str, Any]:
        return self.world.tokens.grants()

    def fault_response(
        self, request: Request, status: int, retry_after: int | None
    ) -> Response:
        return fault_body(request.url.path, status, retry_after)
