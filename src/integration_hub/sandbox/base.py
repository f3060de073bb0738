"""What the sandbox core and its provider emulators agree on.

The sandbox stands for the outside world, so nothing here imports from the rest of
the hub. The core (app factory, admin API, fault-injection middleware, request log)
talks to each provider emulator only through :class:`Emulator`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

Provider = Literal["google", "microsoft"]
PROVIDERS: tuple[Provider, ...] = ("google", "microsoft")

# An injected fault is either an HTTP status or a transport failure.
Fault = int | Literal["drop", "timeout"]


class Throttle(BaseModel):
    """Answer a share of requests with 429 and a Retry-After, as a provider would."""

    model_config = ConfigDict(extra="forbid")

    rate: float = Field(1.0, ge=0.0, le=1.0)
    retry_after: int = Field(2, ge=1, le=3600)


class Quotas(BaseModel):
    """Request limits per window (a minute); Google's published ones by default."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    read_per_user: int = Field(60, ge=1)
    write_per_user: int = Field(60, ge=1)
    read_per_project: int = Field(300, ge=1)
    write_per_project: int = Field(300, ge=1)
    # Google refills every minute; tests shorten the window to stay fast.
    window_seconds: int = Field(60, ge=1, le=3600)


class Behavior(BaseModel):
    """Fault injection and limits for one provider's emulators."""

    model_config = ConfigDict(extra="forbid")

    provider: Provider
    latency_ms: int = Field(0, ge=0, le=120_000)
    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    error_statuses: list[Fault] = Field(default_factory=lambda: list[Fault]([500, 503]))
    throttle: Throttle | None = None
    quotas: Quotas = Field(default_factory=Quotas)
    access_token_ttl: int = Field(3600, ge=1)
    auto_consent: bool = False
    seed: int | None = None


@dataclass(frozen=True)
class SandboxClient:
    """An OAuth client registered with an emulated identity provider.

    ``redirect_uris`` empty means any loopback redirect URI is accepted, as Google
    and Microsoft do for native and development clients.
    """

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()


@dataclass
class SandboxConfig:
    """Static configuration of a sandbox instance."""

    data_dir: Path
    google_clients: list[SandboxClient] = field(
        default_factory=lambda: [
            SandboxClient("sandbox-google-client", "sandbox-google-secret")
        ]
    )
    microsoft_clients: list[SandboxClient] = field(
        default_factory=lambda: [
            SandboxClient("sandbox-microsoft-client", "sandbox-microsoft-secret")
        ]
    )


class SandboxContext(Protocol):
    """What the core hands every emulator."""

    config: SandboxConfig

    def behavior(self, provider: Provider) -> Behavior: ...


class Emulator(Protocol):
    """One provider's emulators, as the sandbox core sees them."""

    provider: Provider

    def mounts(self) -> dict[str, ASGIApp]:
        """Sandbox prefix (``/sandbox/google/sheets``) to the app serving it."""
        ...

    def reset(self) -> None:
        """Forget every account, grant, file and counter."""
        ...

    def issue_token(
        self, account: str, scopes: list[str], expires_in: int | None
    ) -> dict[str, Any]:
        """Mint an access token directly (admin API): access_token, expires_in."""
        ...

    def grants(self) -> dict[str, Any]:
        """Issued codes, access and refresh tokens with their state.

        Values are shown whole: this view exists so that tests can check that the
        hub never leaks them. The request log, by contrast, never holds a token.
        """
        ...

    def fault_response(
        self, request: Request, status: int, retry_after: int | None
    ) -> Response:
        """The provider's own error body for an injected status or throttle."""
        ...
