"""The sandbox application: every emulator and the admin API under ``/sandbox``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import FastAPI

from integration_hub.sandbox.admin import create_admin_app
from integration_hub.sandbox.base import Emulator, SandboxConfig, SandboxContext
from integration_hub.sandbox.faults import FaultMiddleware
from integration_hub.sandbox.requestlog import RequestLog
from integration_hub.sandbox.state import SandboxState

EmulatorFactory = Callable[[SandboxContext], Emulator]

ADMIN_PREFIX = "/sandbox/_admin"


def default_emulators() -> list[EmulatorFactory]:
    """Every provider the sandbox emulates; adding one is adding an entry."""
    # Imported here so that importing the core stays cheap for the hub's start-up.
    from integration_hub.sandbox.google import GoogleEmulator
    from integration_hub.sandbox.microsoft import MicrosoftEmulator

    return [GoogleEmulator, MicrosoftEmulator]


def create_sandbox_app(
    config: SandboxConfig, emulators: Sequence[EmulatorFactory] | None = None
) -> FastAPI:
    """Serve the given emulators (all of them by default) and the admin API."""
    state = SandboxState(config)
    log = RequestLog()
    instances = [factory(state) for factory in emulators or default_emulators()]

    app = FastAPI(title="Integration Hub sandbox", docs_url=None, redoc_url=None)
    app.mount(
        ADMIN_PREFIX,
        create_admin_app(state, {e.provider: e for e in instances}, log),
    )
    for emulator in instances:
        for prefix, mounted in emulator.mounts().items():
            app.mount(prefix, FaultMiddleware(mounted, emulator, state, log))
    return app
