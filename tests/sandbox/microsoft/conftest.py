"""A real sandbox over HTTP with only the Microsoft emulator, shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from integration_hub.sandbox import create_sandbox_app
from integration_hub.sandbox.base import SandboxClient, SandboxConfig, SandboxContext
from integration_hub.sandbox.microsoft import DEFAULT_ACCOUNT, MicrosoftEmulator
from tests.support.servers import serve_in_thread

# anyio imports its file helpers lazily, and pytest rewrites anyio's modules as
# those of a plugin. If that first import happens in the server thread (on the first
# FileResponse), CPython 3.11's parser can fail with "AST constructor recursion depth
# mismatch"; touching the attribute here imports it in the main thread instead.
_ = anyio.open_file

CLIENT_ID = "sandbox-microsoft-client"
CLIENT_SECRET = "sandbox-microsoft-secret"
WEB_CLIENT_ID = "registered-web-client"
WEB_REDIRECT = "https://hub.example/api/v1/integrations/microsoft/callback"
LOOPBACK_REDIRECT = "http://127.0.0.1:8000/callback"
FILE_SCOPES = ["User.Read", "Files.ReadWrite"]


@dataclass
class Sandbox:
    base: str
    emulator: MicrosoftEmulator
    http: httpx2.Client
    graph: str = field(init=False)
    login: str = field(init=False)

    def __post_init__(self) -> None:
        self.graph = f"{self.base}/sandbox/microsoft/graph/v1.0"
        self.login = f"{self.base}/sandbox/microsoft/login/common/oauth2/v2.0"

    def token(
        self,
        account: str = DEFAULT_ACCOUNT,
        scopes: list[str] | None = None,
        expires_in: int | None = None,
    ) -> str:
        """Mint an access token through the admin API."""
        response = self.http.post(
            f"{self.base}/sandbox/_admin/tokens",
            json={
                "provider": "microsoft",
                "account": account,
                "scopes": FILE_SCOPES if scopes is None else scopes,
                "expires_in": expires_in,
            },
        )
        response.raise_for_status()
        value: str = response.json()["access_token"]
        return value

    def behave(self, **changes: Any) -> None:
        response = self.http.put(
            f"{self.base}/sandbox/_admin/behavior",
            json={"provider": "microsoft", **changes},
        )
        response.raise_for_status()


@pytest.fixture(scope="session")
def _served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    data_dir: Path = tmp_path_factory.mktemp("sandbox")
    config = SandboxConfig(
        data_dir=data_dir,
        microsoft_clients=[
            SandboxClient(CLIENT_ID, CLIENT_SECRET),
            SandboxClient(WEB_CLIENT_ID, "web-secret", (WEB_REDIRECT,)),
        ],
    )
    made: list[MicrosoftEmulator] = []

    def factory(context: SandboxContext) -> MicrosoftEmulator:
        made.append(MicrosoftEmulator(context))
        return made[0]

    app = create_sandbox_app(config, emulators=[factory])
    with serve_in_thread(app) as base, httpx2.Client(timeout=30) as http:
        yield Sandbox(base, made[0], http)


@pytest.fixture
def sandbox(_served: Sandbox) -> Sandbox:
    """The shared sandbox, reset to a blank state."""
    _served.http.post(f"{_served.base}/sandbox/_admin/reset").raise_for_status()
    return _served


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
