"""The identity platform v2.0: authorize, consent, token grants and their errors."""

from __future__ import annotations

import base64
import re

import httpx2

from tests.sandbox.microsoft.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    LOOPBACK_REDIRECT,
    WEB_CLIENT_ID,
    WEB_REDIRECT,
    Sandbox,
)
from tests.sandbox.microsoft.flows import (
    authorize,
    get_code,
    jwt_claims,
    new_verifier,
    redeem,
    redirect_params,
)

AADSTS_DESCRIPTION = re.compile(
    r"^AADSTS(\d+): .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}"
    r"\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$",
    re.DOTALL,
)


def assert_aadsts(body: dict[str, object], error: str, code: int) -> None:
    assert body["error"] == error
    assert body["error_codes"] == [code]
    description = str(body["error_description"])
    match = AADSTS_DESCRIPTION.match(description)
    assert match is not None, description
    assert match.group(1) == str(code)
    assert body["error_uri"] == f"https://login.microsoftonline.com/error?code={code}"
    assert {"timestamp", "trace_id", "correlation_id"} <= body.keys()


class TestAuthorize:
    def test_consent_page_names_the_hinted_account(self, sandbox: Sandbox) -> None:
        """Without auto-consent the user sees a consent page for the login_hint."""
        response = authorize(sandbox, login_hint="ada.lovelace@contoso.example")

        assert response.status_code == 200
        assert "ada.lovelace@contoso.example" in response.text
        assert "Files.ReadWrite" in response.text

    def test_allow_redirects_with_code_and_state(self, sandbox: Sandbox) -> None:
        """Accepting on the consent page redirects back with a code and the state."""
        page = authorize(sandbox)
        request_id = re.search(r"name='request_id' value='([^']+)'", page.text)
        assert request_id is not None

        response = sandbox.http.post(
            f"{sandbox.login}/authorize",
            data={"request_id": request_id.group(1), "decision": "allow"},
        )

        params = redirect_params(response)
        assert params["state"] == "st-1"
        assert params["code"]
        assert response.headers["location"].startswith(LOOPBACK_REDIRECT + "?")

    def test_deny_redirects_with_access_denied(self, sandbox: Sandbox) -> None:
        """Cancelling consent redirects back with access_denied and AADSTS65004."""
        page = authorize(sandbox)
        request_id = re.search(r"name='request_id' value='([^']+)'", page.text)
        assert request_id is not None

        response = sandbox.http.post(
            f"{sandbox.login}/authorize",
            data={"request_id": request_id.group(1), "decision": "deny"},
        )

        params = redirect_params(response)
        assert params["error"] == "access_denied"
        assert params["error_description"].startswith("AADSTS65004: ")

    def test_auto_consent_redirects_at_once(self, sandbox: Sandbox) -> None:
        """With auto_consent the authorize request redirects straight away."""
        sandbox.behave(auto_consent=True)

        assert "code" in redirect_params(authorize(sandbox))

    def test_unregistered_redirect_is_refused_on_a_page(self, sandbox: Sandbox) -> None:
        """An unregistered redirect URI shows AADSTS50011 instead of redirecting."""
        response = authorize(
            sandbox, client_id=WEB_CLIENT_ID, redirect_uri="https://evil.example/cb"
        )

        assert response.status_code == 400
        assert "AADSTS50011" in response.text

    def test_registered_redirect_must_match_exactly(self, sandbox: Sandbox) -> None:
        """A client with registered URIs accepts its exact URI and no loopback one."""
        sandbox.behave(auto_consent=True)

        exact = authorize(sandbox, client_id=WEB_CLIENT_ID, redirect_uri=WEB_REDIRECT)
        loopback = authorize(sandbox, client_id=WEB_CLIENT_ID)

        assert exact.headers["location"].startswith(WEB_REDIRECT + "?code=")
        assert loopback.status_code == 400

    def test_unknown_client_is_refused(self, sandbox: Sandbox) -> None:
        """An unknown client_id shows AADSTS700016."""
        response = authorize(sandbox, client_id="nobody")

        assert response.status_code == 400
        assert "AADSTS700016" in response.text

    def test_invalid_scope_redirects_with_70011(self, sandbox: Sandbox) -> None:
        """An unknown scope is reported to the client as invalid_scope AADSTS70011."""
        params = redirect_params(authorize(sandbox, scope="openid Nonsense.Scope"))

        assert params["error"] == "invalid_scope"
        assert params["error_description"].startswith("AADSTS70011: ")
        assert params["state"] == "st-1"

    def test_fragment_response_mode(self, sandbox: Sandbox) -> None:
        """response_mode=fragment puts the code after '#'."""
        sandbox.behave(auto_consent=True)

        response = authorize(sandbox, response_mode="fragment")

        assert response.headers["location"].startswith(LOOPBACK_REDIRECT + "#code=")


class TestAuthorizationCode:
    def test_pkce_s256_with_secret(self, sandbox: Sandbox) -> None:
        """A code with an S256 challenge redeems with the right verifier."""
        verifier = new_verifier()
        code = get_code(sandbox, verifier)

        response = redeem(sandbox, code, code_verifier=verifier)

        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["ext_expires_in"] == 3600
        assert body["scope"] == "openid profile User.Read Files.ReadWrite"
        assert body["access_token"]
        assert body["refresh_token"]

    def test_pkce_plain_without_secret(self, sandbox: Sandbox) -> None:
        """A public client redeems a plain-challenge code with the verifier alone."""
        verifier = new_verifier()
        code = get_code(sandbox, verifier, method="plain")

        response = redeem(sandbox, code, code_verifier=verifier, client_secret="")

        assert response.status_code == 200

    def test_id_token_claims(self, sandbox: Sandbox) -> None:
        """The id_token carries the nonce, the account and the tenant."""
        code = get_code(sandbox, login_hint="grace.hopper@contoso.example")

        claims = jwt_claims(redeem(sandbox, code).json()["id_token"])

        assert claims["nonce"] == "n-1"
        assert claims["aud"] == CLIENT_ID
        assert claims["preferred_username"] == "grace.hopper@contoso.example"
        assert claims["name"] == "Grace Hopper"
        assert claims["tid"] in claims["iss"]
        assert claims["oid"]

    def test_access_token_ttl_follows_behavior(self, sandbox: Sandbox) -> None:
        """expires_in is the behaviour's access_token_ttl."""
        sandbox.behave(access_token_ttl=120)
        code = get_code(sandbox)

        assert redeem(sandbox, code).json()["expires_in"] == 120

    def test_replayed_code_is_refused(self, sandbox: Sandbox) -> None:
        """A second redemption of a code answers invalid_grant AADSTS54005."""
        code = get_code(sandbox)
        assert redeem(sandbox, code).status_code == 200

        response = redeem(sandbox, code)

        assert response.status_code == 400
        assert_aadsts(response.json(), "invalid_grant", 54005)

    def test_verifier_mismatch_is_refused(self, sandbox: Sandbox) -> None:
        """A wrong code_verifier answers invalid_grant AADSTS501481."""
        code = get_code(sandbox, new_verifier())

        response = redeem(sandbox, code, code_verifier=new_verifier())

        assert response.status_code == 400
        assert_aadsts(response.json(), "invalid_grant", 501481)

    def test_bad_secret_is_invalid_client(self, sandbox: Sandbox) -> None:
        """A wrong client secret answers 401 invalid_client AADSTS7000215."""
        code = get_code(sandbox)

        response = redeem(sandbox, code, client_secret="wrong")

        assert response.status_code == 401
        assert_aadsts(response.json(), "invalid_client", 7000215)

    def test_secret_in_basic_auth(self, sandbox: Sandbox) -> None:
        """The client may authenticate with HTTP Basic instead of form fields."""
        code = get_code(sandbox)
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()

        response = sandbox.http.post(
            f"{sandbox.login}/token",
            headers={"Authorization": f"Basic {basic}"},
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": LOOPBACK_REDIRECT,
            },
        )

        assert response.status_code == 200

    def test_redirect_mismatch_is_refused(self, sandbox: Sandbox) -> None:
        """Redeeming with another redirect_uri than authorize's answers AADSTS50011."""
        code = get_code(sandbox)

        response = redeem(sandbox, code, redirect_uri="http://localhost:9/other")

        assert response.status_code == 400
        assert_aadsts(response.json(), "invalid_grant", 50011)

    def test_expired_code_is_refused(self, sandbox: Sandbox) -> None:
        """A code older than ten minutes answers AADSTS70008."""
        code = get_code(sandbox)
        sandbox.emulator.clock.advance(601)

        assert_aadsts(redeem(sandbox, code).json(), "invalid_grant", 70008)

    def test_unknown_client_at_token_endpoint(self, sandbox: Sandbox) -> None:
        """An unknown client answers unauthorized_client AADSTS700016."""
        response = redeem(sandbox, "whatever", client_id="nobody")

        assert_aadsts(response.json(), "unauthorized_client", 700016)

    def test_invalid_scope_at_token_endpoint(self, sandbox: Sandbox) -> None:
        """An unknown scope at redemption answers invalid_scope AADSTS70011."""
        code = get_code(sandbox)

        response = redeem(sandbox, code, scope="Bogus.Scope")

        assert_aadsts(response.json(), "invalid_scope", 70011)


class TestRefreshToken:
    def test_refresh_returns_a_new_refresh_token(self, sandbox: Sandbox) -> None:
        """Every refresh returns a new refresh token; the old one stays usable."""
        first = redeem(sandbox, get_code(sandbox)).json()["refresh_token"]

        second = self._refresh(sandbox, first).json()["refresh_token"]
        again = self._refresh(sandbox, first)

        assert second != first
        assert again.status_code == 200
        states = {
            t["value"]: t["state"]
            for t in sandbox.http.get(
                f"{sandbox.base}/sandbox/_admin/grants",
                params={"provider": "microsoft"},
            ).json()["refresh_tokens"]
        }
        assert states[first] == "rotated"

    def test_refresh_can_narrow_scopes(self, sandbox: Sandbox) -> None:
        """A refresh may ask for fewer scopes, but not for ones never granted."""
        refresh = redeem(sandbox, get_code(sandbox)).json()["refresh_token"]

        narrowed = self._refresh(sandbox, refresh, scope="User.Read")
        widened = self._refresh(sandbox, refresh, scope="Files.ReadWrite.All")

        assert narrowed.json()["scope"] == "openid profile User.Read"
        assert_aadsts(widened.json(), "invalid_grant", 65001)

    def test_expired_refresh_token_is_refused(self, sandbox: Sandbox) -> None:
        """A refresh token past its 90 days answers AADSTS70008."""
        refresh = redeem(sandbox, get_code(sandbox)).json()["refresh_token"]
        sandbox.emulator.clock.advance(91 * 24 * 3600)

        assert_aadsts(self._refresh(sandbox, refresh).json(), "invalid_grant", 70008)

    @staticmethod
    def _refresh(sandbox: Sandbox, token: str, **extra: str) -> httpx2.Response:
        form = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": token,
            **extra,
        }
        return sandbox.http.post(f"{sandbox.login}/token", data=form)


class TestDiscovery:
    def test_openid_configuration_points_at_the_sandbox(self, sandbox: Sandbox) -> None:
        """The discovery document names the sandbox's own endpoints."""
        response = sandbox.http.get(
            f"{sandbox.base}/sandbox/microsoft/login/common/v2.0/"
            ".well-known/openid-configuration"
        )

        document = response.json()
        assert document["token_endpoint"] == f"{sandbox.login}/token"
        keys = sandbox.http.get(document["jwks_uri"]).json()["keys"]
        assert keys[0]["kty"] == "RSA"

    def test_unknown_tenant(self, sandbox: Sandbox) -> None:
        """An unknown tenant answers AADSTS90002."""
        response = sandbox.http.post(
            f"{sandbox.base}/sandbox/microsoft/login/nowhere.example/oauth2/v2.0/token",
            data={"client_id": CLIENT_ID},
        )

        assert_aadsts(response.json(), "invalid_request", 90002)
