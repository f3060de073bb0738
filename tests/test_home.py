from __future__ import annotations

import httpx2
import pytest

pytestmark = pytest.mark.anyio


class TestHome:
    async def test_reports_a_connected_account(
        self, client: httpx2.AsyncClient
    ) -> None:
        """After the OAuth callback the root page says the account is connected."""
        response = await client.get(
            "/", params={"connected": "google", "connection_id": "c1"}
        )

        assert response.status_code == 200
        assert "google account is connected" in response.text

    async def test_escapes_what_it_echoes(self, client: httpx2.AsyncClient) -> None:
        """Query values are escaped, so the page cannot be used to inject markup."""
        response = await client.get("/", params={"error": "<script>x</script>"})

        assert "<script>x" not in response.text
        assert "&lt;script&gt;" in response.text
