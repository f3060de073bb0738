"""Mutable sandbox-wide state: the configuration and each provider's behaviour."""

from __future__ import annotations

import random
from typing import Any

from integration_hub.sandbox.base import PROVIDERS, Behavior, Provider, SandboxConfig


class SandboxState:
    """Implements :class:`SandboxContext` and owns the fault RNG of each provider.

    The RNG is reseeded whenever a behaviour is set, so that a given ``seed`` and
    request sequence always produce the same faults.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._behaviors: dict[Provider, Behavior] = {}
        self._rngs: dict[Provider, random.Random] = {}
        # Caller key to the monotonic time its Retry-After ends, per provider, so a
        # throttled caller stays throttled on every host of that provider.
        self.throttled_until: dict[Provider, dict[str, float]] = {}
        self.reset()

    def behavior(self, provider: Provider) -> Behavior:
        return self._behaviors[provider]

    def rng(self, provider: Provider) -> random.Random:
        return self._rngs[provider]

    def update_behavior(self, changes: dict[str, Any]) -> Behavior:
        """Merge a partial behaviour into the current one; raises ValidationError."""
        provider: Provider = Behavior.model_validate(
            {"provider": changes.get("provider")}
        ).provider
        merged = self._behaviors[provider].model_dump() | changes
        behavior = Behavior.model_validate(merged)
        self._set(behavior)
        return behavior

    def reset(self) -> None:
        for provider in PROVIDERS:
            self._set(Behavior(provider=provider))
            self.throttled_until[provider] = {}

    def _set(self, behavior: Behavior) -> None:
        self._behaviors[behavior.provider] = behavior
        # An unseeded behaviour still gets a fresh, unpredictable generator.
        self._rngs[behavior.provider] = random.Random(behavior.seed)  # noqa: S311
