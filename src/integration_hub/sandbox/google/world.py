"""The state one Google emulator instance holds, shared by its hosts."""

from __future__ import annotations

from dataclasses import dataclass, field

from integration_hub.sandbox.base import Behavior, SandboxClient, SandboxContext
from integration_hub.sandbox.google.quotas import QuotaCounter
from integration_hub.sandbox.google.tokens import TokenStore
from integration_hub.sandbox.google.workbook import FileStore


@dataclass
class GoogleWorld:
    context: SandboxContext
    tokens: TokenStore = field(default_factory=TokenStore)
    files: FileStore = field(default_factory=FileStore)
    quotas: QuotaCounter = field(default_factory=QuotaCounter)

    @property
    def behavior(self) -> Behavior:
        return self.context.behavior("google")

    def client(self, client_id: str) -> SandboxClient | None:
        for client in self.context.config.google_clients:
            if client.client_id == client_id:
                return client
        return None

    def reset(self) -> None:
        self.tokens = TokenStore()
        self.files = FileStore()
        self.quotas = QuotaCounter()
