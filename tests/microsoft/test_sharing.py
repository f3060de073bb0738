"""Sharing documents: links, invitations and the permissions list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.microsoft.support import DOCUMENTS, TEMPLATES, share_link, upload
from tests.support.live import Hub

pytestmark = pytest.mark.anyio


class TestLinks:
    async def test_link_resolves_in_the_sandbox_to_the_item(self, hub: Hub) -> None:
        """A new view link is 201; its webUrl opens the very item uploaded."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "Shared/report.txt", b"report")

        response = await hub.http.post(
            f"{DOCUMENTS}/share",
            json={
                "document_id": document["id"],
                "link": {"type": "view", "scope": "anonymous"},
            },
            headers=hub.auth,
        )

        assert response.status_code == 201, response.text
        link = response.json()
        assert link["roles"] == ["read"]
        assert link["link_type"] == "view"
        opened = await hub.http.get(
            link["web_url"], headers={"Accept": "application/json"}
        )
        assert opened.status_code == 200
        assert opened.json()["id"] == document["remote_id"]

    async def test_asking_again_answers_the_existing_link_with_200(
        self, hub: Hub
    ) -> None:
        """The same kind of link twice is the same link, answered 200."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "again.txt", b"x")
        first = await share_link(hub, document["id"], scope="organization")

        response = await hub.http.post(
            f"{DOCUMENTS}/share",
            json={
                "item_id": document["remote_id"],
                "link": {"type": "view", "scope": "organization"},
            },
            headers=hub.auth,
        )

        assert response.status_code == 200, response.text
        assert response.json()["id"] == first["id"]

    async def test_edit_link_with_an_expiry(self, hub: Hub) -> None:
        """An edit link carries write and its expiry."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "edit.txt", b"x")
        expiry = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)

        link = await share_link(
            hub, document["id"], type="edit", expiration=expiry.isoformat()
        )

        assert link["roles"] == ["write"]
        assert link["expiration"]

    @pytest.mark.parametrize(
        "body",
        [
            {"link": {"type": "view"}},
            {"document_id": "00000000-0000-0000-0000-000000000001"},
            {
                "item_id": "x",
                "link": {"type": "view"},
                "invite": {"recipients": ["a@b.c"]},
            },
            {"item_id": "x", "link": {"type": "embed"}},
        ],
    )
    async def test_malformed_requests_are_422(
        self, hub: Hub, body: dict[str, object]
    ) -> None:
        """One target and one kind of sharing, of the kinds offered."""
        response = await hub.http.post(
            f"{DOCUMENTS}/share", json=body, headers=hub.auth
        )

        assert response.status_code == 422

    async def test_unknown_document_is_404(self, hub: Hub) -> None:
        """Sharing a document id that does not exist is 404."""
        await hub.connect("microsoft")

        response = await hub.http.post(
            f"{DOCUMENTS}/share",
            json={
                "document_id": "00000000-0000-0000-0000-000000000001",
                "link": {"type": "view"},
            },
            headers=hub.auth,
        )

        assert response.status_code == 404


class TestInvitations:
    async def test_invite_list_and_delete(self, hub: Hub) -> None:
        """Invitees appear in the permissions list until their permission goes."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "team.txt", b"x")
        url = f"{DOCUMENTS}/{document['id']}/permissions"

        invited = await hub.http.post(
            f"{DOCUMENTS}/share",
            json={
                "document_id": document["id"],
                "invite": {
                    "recipients": ["ada@example.com", "bob@example.com"],
                    "role": "write",
                    "message": "Please review",
                },
            },
            headers=hub.auth,
        )
        assert invited.status_code == 201, invited.text
        permissions = invited.json()["permissions"]
        assert [p["granted_to"] for p in permissions] == [
            "ada@example.com",
            "bob@example.com",
        ]
        assert all(p["roles"] == ["write"] for p in permissions)

        listed = (await hub.http.get(url, headers=hub.auth)).json()
        granted = {
            p["granted_to"] for p in listed["items"] if "owner" not in p["roles"]
        }
        assert granted == {"ada@example.com", "bob@example.com"}

        gone = await hub.http.delete(f"{url}/{permissions[0]['id']}", headers=hub.auth)
        assert gone.status_code == 204
        listed = (await hub.http.get(url, headers=hub.auth)).json()
        granted = {
            p["granted_to"] for p in listed["items"] if "owner" not in p["roles"]
        }
        assert granted == {"bob@example.com"}

    async def test_deleting_an_unknown_permission_is_404(self, hub: Hub) -> None:
        """A permission id the item does not have is 404."""
        await hub.connect("microsoft")
        _, document = await upload(hub, "p.txt", b"x")

        response = await hub.http.delete(
            f"{DOCUMENTS}/{document['id']}/permissions/nope", headers=hub.auth
        )

        assert response.status_code == 404


class TestAuthentication:
    @pytest.mark.parametrize(
        ("method", "url"),
        [
            ("POST", DOCUMENTS),
            ("GET", DOCUMENTS),
            ("GET", f"{DOCUMENTS}/00000000-0000-0000-0000-000000000001"),
            ("POST", f"{DOCUMENTS}/00000000-0000-0000-0000-000000000001/resume"),
            ("POST", f"{DOCUMENTS}/share"),
            ("GET", f"{DOCUMENTS}/00000000-0000-0000-0000-000000000001/permissions"),
            (
                "DELETE",
                f"{DOCUMENTS}/00000000-0000-0000-0000-000000000001/permissions/p",
            ),
            ("POST", TEMPLATES),
            ("GET", TEMPLATES),
            ("DELETE", f"{TEMPLATES}/00000000-0000-0000-0000-000000000001"),
        ],
    )
    async def test_every_endpoint_needs_a_token(
        self, hub: Hub, method: str, url: str
    ) -> None:
        """Without an API token each documents and templates endpoint is 401."""
        response = await hub.http.request(
            method,
            url,
            content=b"x",
            headers={"Content-Type": "application/octet-stream"},
        )

        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"
