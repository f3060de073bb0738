"""Graph over raw HTTP: authentication, simple uploads, downloads, shares, faults."""

from __future__ import annotations

import base64
from typing import Any

from tests.sandbox.microsoft.conftest import Sandbox, bearer


def put_file(
    sandbox: Sandbox, path: str, data: bytes, conflict: str | None = None
) -> tuple[int, dict[str, Any]]:
    params = {"@microsoft.graph.conflictBehavior": conflict} if conflict else {}
    response = sandbox.http.put(
        f"{sandbox.graph}/me/drive/root:/{path}:/content",
        params=params,
        headers=bearer(sandbox.token()),
        content=data,
    )
    return response.status_code, response.json()


class TestAuthentication:
    def test_missing_token(self, sandbox: Sandbox) -> None:
        """A request without a token answers 401 InvalidAuthenticationToken."""
        response = sandbox.http.get(f"{sandbox.graph}/me")

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "InvalidAuthenticationToken"

    def test_expired_token(self, sandbox: Sandbox) -> None:
        """An expired token answers 401 with Graph's message and WWW-Authenticate."""
        token = sandbox.token(expires_in=60)
        sandbox.emulator.clock.advance(61)

        response = sandbox.http.get(f"{sandbox.graph}/me", headers=bearer(token))

        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "InvalidAuthenticationToken"
        assert error["message"] == "Access token has expired or is not yet valid."
        assert {"date", "request-id", "client-request-id"} <= error["innerError"].keys()
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")

    def test_missing_scope(self, sandbox: Sandbox) -> None:
        """A token without a Files scope is refused on the drive with 403."""
        token = sandbox.token(scopes=["User.Read"])

        response = sandbox.http.get(f"{sandbox.graph}/me/drive", headers=bearer(token))

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "accessDenied"

    def test_me_headers(self, sandbox: Sandbox) -> None:
        """/me carries request-id, the echoed client-request-id and OData-Version."""
        response = sandbox.http.get(
            f"{sandbox.graph}/me",
            headers={**bearer(sandbox.token()), "client-request-id": "abc-123"},
        )

        assert response.headers["client-request-id"] == "abc-123"
        assert response.headers["request-id"]
        assert response.headers["OData-Version"] == "4.0"
        assert response.json()["@odata.context"].endswith("$metadata#users/$entity")


class TestSimpleUpload:
    def test_conflict_behaviors(self, sandbox: Sandbox) -> None:
        """PUT content answers 201 new, 200 replaced, 409 on fail, renames on rename."""
        assert put_file(sandbox, "c.txt", b"1")[0] == 201
        assert put_file(sandbox, "c.txt", b"22")[0] == 200
        status, body = put_file(sandbox, "C.TXT", b"3", "fail")
        assert status == 409
        assert body["error"]["code"] == "nameAlreadyExists"
        status, body = put_file(sandbox, "c.txt", b"4", "rename")
        assert (status, body["name"]) == (201, "c 1.txt")

    def test_content_download_redirects_to_bytes(self, sandbox: Sandbox) -> None:
        """GET content answers 302 to a pre-authenticated URL serving the bytes."""
        put_file(sandbox, "dl/data.csv", b"a,b\n1,2\n")

        response = sandbox.http.get(
            f"{sandbox.graph}/me/drive/root:/dl/data.csv:/content",
            headers=bearer(sandbox.token()),
        )
        download = sandbox.http.get(response.headers["location"])

        assert response.status_code == 302
        assert download.content == b"a,b\n1,2\n"

    def test_invalid_name_is_refused(self, sandbox: Sandbox) -> None:
        """A name with characters OneDrive forbids answers 400 invalidRequest."""
        status, body = put_file(sandbox, "bad%3Fname.txt", b"x")

        assert status == 400
        assert body["error"]["code"] == "invalidRequest"

    def test_unknown_item_is_not_found(self, sandbox: Sandbox) -> None:
        """An unknown item id answers 404 itemNotFound."""
        response = sandbox.http.get(
            f"{sandbox.graph}/me/drive/items/01NOPE", headers=bearer(sandbox.token())
        )

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "itemNotFound"

    def test_children_are_paged(self, sandbox: Sandbox) -> None:
        """$top limits a children page; @odata.nextLink fetches the rest."""
        for name in ("a", "b", "c"):
            put_file(sandbox, f"p/{name}.txt", b"x")
        first = sandbox.http.get(
            f"{sandbox.graph}/me/drive/root:/p:/children",
            params={"$top": "2"},
            headers=bearer(sandbox.token()),
        ).json()

        rest = sandbox.http.get(
            first["@odata.nextLink"], headers=bearer(sandbox.token())
        ).json()

        assert [c["name"] for c in first["value"]] == ["a.txt", "b.txt"]
        assert [c["name"] for c in rest["value"]] == ["c.txt"]


class TestSharing:
    def test_share_id_resolves_the_link(self, sandbox: Sandbox) -> None:
        """/shares/u!{base64url(webUrl)}/driveItem answers the linked item."""
        _, item = put_file(sandbox, "s.txt", b"shared")
        link = sandbox.http.post(
            f"{sandbox.graph}/me/drive/items/{item['id']}/createLink",
            headers=bearer(sandbox.token()),
            json={"type": "edit", "scope": "organization"},
        ).json()
        encoded = base64.urlsafe_b64encode(link["link"]["webUrl"].encode())
        share_id = "u!" + encoded.decode().rstrip("=")

        response = sandbox.http.get(
            f"{sandbox.graph}/shares/{share_id}/driveItem",
            headers=bearer(sandbox.token("someone@fabrikam.example")),
        )

        assert link["roles"] == ["write"]
        assert response.json()["id"] == item["id"]

    def test_deleted_link_no_longer_resolves(self, sandbox: Sandbox) -> None:
        """After its permission is deleted a link's webUrl answers 404."""
        _, item = put_file(sandbox, "gone.txt", b"x")
        base = f"{sandbox.graph}/me/drive/items/{item['id']}"
        link = sandbox.http.post(
            f"{base}/createLink",
            headers=bearer(sandbox.token()),
            json={"type": "view"},
        ).json()

        deleted = sandbox.http.delete(
            f"{base}/permissions/{link['id']}", headers=bearer(sandbox.token())
        )

        assert deleted.status_code == 204
        assert sandbox.http.get(link["link"]["webUrl"]).status_code == 404

    def test_invite_validates_message_length(self, sandbox: Sandbox) -> None:
        """An invitation message over 2000 characters answers 400."""
        _, item = put_file(sandbox, "i.txt", b"x")

        response = sandbox.http.post(
            f"{sandbox.graph}/me/drive/items/{item['id']}/invite",
            headers=bearer(sandbox.token()),
            json={
                "recipients": [{"email": "a@b.example"}],
                "roles": ["read"],
                "message": "x" * 2001,
            },
        )

        assert response.status_code == 400


class TestFaults:
    def test_throttle_is_graph_shaped(self, sandbox: Sandbox) -> None:
        """An injected throttle answers 429 TooManyRequests with Retry-After."""
        sandbox.behave(throttle={"rate": 1.0, "retry_after": 7})

        response = sandbox.http.get(
            f"{sandbox.graph}/me", headers=bearer(sandbox.token())
        )

        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json()["error"]["code"] == "TooManyRequests"

    def test_injected_error_on_login_is_aadsts_shaped(self, sandbox: Sandbox) -> None:
        """An injected 503 at the token endpoint has the identity platform's shape."""
        sandbox.behave(error_rate=1.0, error_statuses=[503])

        response = sandbox.http.post(f"{sandbox.login}/token", data={})

        assert response.status_code == 503
        assert response.json()["error_description"].startswith("AADSTS")

    def test_injected_error_on_graph(self, sandbox: Sandbox) -> None:
        """An injected 503 on Graph answers serviceNotAvailable."""
        sandbox.behave(error_rate=1.0, error_statuses=[503])

        response = sandbox.http.get(
            f"{sandbox.graph}/me", headers=bearer(sandbox.token())
        )

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "serviceNotAvailable"
