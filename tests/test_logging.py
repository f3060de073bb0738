from __future__ import annotations

import httpx2
import pytest
import structlog

from integration_hub.context import HubContext
from integration_hub.logging import REDACTED, configure_logging, redact_secrets
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio


class TestRedaction:
    @pytest.mark.parametrize(
        "key",
        [
            "authorization",
            "Authorization",
            "access_token",
            "refresh_token",
            "client_secret",
            "code_verifier",
            "api_key",
            "code",
        ],
    )
    def test_token_like_keys_are_masked(self, key: str) -> None:
        """Values under secret-sounding keys never reach the output."""
        event = redact_secrets(None, "info", {"event": "x", key: "s3cr3t"})

        assert event[key] == REDACTED

    def test_nested_headers_and_bearer_values_are_masked(self) -> None:
        """Secrets inside dicts, lists and free text are masked too."""
        event = redact_secrets(
            None,
            "info",
            {
                "event": "call failed with Bearer abc.def",
                "headers": {"Authorization": "Bearer abc.def", "Accept": "json"},
                "attempts": [{"token": "t1"}],
            },
        )

        assert "abc.def" not in str(event)
        assert event["headers"]["Accept"] == "json"
        assert event["attempts"][0]["token"] == REDACTED

    def test_ordinary_fields_pass_through(self) -> None:
        """Non-secret fields, such as a token version, are kept."""
        event = redact_secrets(
            None, "info", {"event": "x", "token_version": 3, "connection_id": "c1"}
        )

        assert event["token_version"] == 3
        assert event["connection_id"] == "c1"


async def test_api_token_is_absent_from_captured_logs(
    client: httpx2.AsyncClient,
    context: HubContext,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A request's bearer token appears nowhere in the hub's log output."""
    configure_logging(fmt="json", level="debug")
    token = await create_user(context, "hana")

    await client.get("/api/v1/integrations/me", headers=bearer(token))
    await client.get("/api/v1/integrations/me", headers=bearer(token + "x"))
    structlog.get_logger("test").info("oops", headers={"Authorization": bearer(token)})

    captured = capsys.readouterr()
    assert "http.request" in captured.err
    assert token not in captured.err + captured.out
