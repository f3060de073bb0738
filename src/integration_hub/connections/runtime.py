"""What the connection services share within one hub process."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx2
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integration_hub.config import Settings
from integration_hub.connections.client import OAuthClient
from integration_hub.connections.providers import (
    PROVIDER_NAMES,
    ProviderName,
    provider_config,
)
from integration_hub.connections.tokens import TokenManager
from integration_hub.connections.vault import TokenVault
from integration_hub.errors import NotFoundError
from integration_hub.observability.metrics import Metrics


@dataclass
class ConnectionRuntime:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis | None
    vault: TokenVault
    # Counts refreshes when set; runtimes built for tools and tests may go without.
    metrics: Metrics | None = None
    transport: httpx2.AsyncHTTPTransport = field(
        default_factory=lambda: httpx2.AsyncHTTPTransport(retries=0)
    )
    _clients: dict[str, OAuthClient] = field(default_factory=dict)
    tokens: TokenManager = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenManager(self)

    def oauth_client(self, provider: str) -> OAuthClient:
        if provider not in PROVIDER_NAMES:
            raise NotFoundError(f"no provider {provider!r}")
        client = self._clients.get(provider)
        if client is None:
            name: ProviderName = provider
            client = OAuthClient(provider_config(self.settings, name), self.transport)
            self._clients[provider] = client
        return client

    async def close(self) -> None:
        await self.transport.aclose()
