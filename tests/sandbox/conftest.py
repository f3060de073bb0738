"""One sandbox server for the sandbox tests, reset before each test."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from integration_hub.sandbox import SandboxConfig, create_sandbox_app
from integration_hub.sandbox.app import EmulatorFactory
from integration_hub.sandbox.google import GoogleEmulator
from tests.support.recording import BodyRecorder
from tests.support.servers import serve_in_thread


def emulator_factories() -> list[EmulatorFactory]:
    """Google always; Microsoft once its package exists (written in parallel)."""
    factories: list[EmulatorFactory] = [GoogleEmulator]
    if importlib.util.find_spec("integration_hub.sandbox.microsoft") is not None:
        from integration_hub.sandbox.microsoft import MicrosoftEmulator

        factories.append(MicrosoftEmulator)
    return factories


@pytest.fixture(scope="session")
def recorder(tmp_path_factory: pytest.TempPathFactory) -> BodyRecorder:
    config = SandboxConfig(data_dir=Path(tmp_path_factory.mktemp("sandbox")))
    return BodyRecorder(create_sandbox_app(config, emulator_factories()))


@pytest.fixture(scope="session")
def server(recorder: BodyRecorder) -> Iterator[str]:
    with serve_in_thread(recorder) as base_url:
        yield base_url


@pytest.fixture
def base_url(server: str) -> str:
    """The sandbox's base URL, with all sandbox state forgotten beforehand."""
    with httpx.Client(base_url=server, timeout=10) as client:
        client.post("/sandbox/_admin/reset").raise_for_status()
    return server


@pytest.fixture
def admin(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url + "/sandbox/_admin", timeout=10) as client:
        yield client


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client
