from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from integration_hub.errors import ConflictError

pytestmark = pytest.mark.anyio


class Payload(BaseModel):
    title: str
    count: int


@pytest.fixture
async def probe(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    """The real app with three extra routes that fail in known ways."""

    @app.post("/probe/validate")
    async def validate(payload: Payload) -> Payload:
        return payload

    @app.get("/probe/conflict")
    async def conflict() -> None:
        raise ConflictError("it exists already")

    @app.get("/probe/crash")
    async def crash() -> None:
        raise RuntimeError("secret internals")

    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://hub.test") as c:
        yield c


class TestErrorShape:
    async def test_validation_error_is_422_saying_where(
        self, probe: httpx2.AsyncClient
    ) -> None:
        """A malformed body gets 422 with each problem and its location."""
        response = await probe.post(
            "/probe/validate", json={"title": "x", "count": "many"}
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_error"
        assert "body.count" in response.json()["detail"]

    async def test_invalid_json_is_422(self, probe: httpx2.AsyncClient) -> None:
        """A body that is not JSON is a validation error, not a crash."""
        response = await probe.post(
            "/probe/validate",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )

        assert response.status_code == 422
        assert set(response.json()) == {"error", "detail"}

    async def test_hub_error_renders_its_status_and_code(
        self, probe: httpx2.AsyncClient
    ) -> None:
        """Domain errors render as {error, detail} with their own status."""
        response = await probe.get("/probe/conflict")

        assert response.status_code == 409
        assert response.json() == {"error": "conflict", "detail": "it exists already"}

    async def test_unexpected_error_hides_internals(
        self, probe: httpx2.AsyncClient
    ) -> None:
        """An unexpected exception is a 500 with the request id, no internals."""
        response = await probe.get("/probe/crash")

        assert response.status_code == 500
        assert response.json()["error"] == "internal_error"
        assert "secret internals" not in response.text
        assert response.headers["x-request-id"] in response.json()["detail"]
