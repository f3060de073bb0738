"""Emulators of the Google and Microsoft endpoints the hub calls, with an admin API."""

from integration_hub.sandbox.app import create_sandbox_app
from integration_hub.sandbox.base import Behavior, SandboxClient, SandboxConfig

__all__ = ["Behavior", "SandboxClient", "SandboxConfig", "create_sandbox_app"]
