"""The real msgraph-sdk against the sandbox, changed only in its base URL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import httpx2
import pytest
from azure.core.credentials import AccessToken
from kiota_http.httpx_request_adapter import HttpxRequestAdapter
from msgraph.generated.drives.item.items.item.create_link.create_link_post_request_body import (  # noqa: E501
    CreateLinkPostRequestBody,
)
from msgraph.generated.drives.item.items.item.invite.invite_post_request_body import (
    InvitePostRequestBody,
)
from msgraph.generated.models.drive_recipient import DriveRecipient
from msgraph.graph_service_client import GraphServiceClient

from tests.sandbox.microsoft.conftest import Sandbox

pytestmark = [
    pytest.mark.anyio,
    # msgraph and kiota warn about their own deprecated classes as they load them.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:kiota_abstractions.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:msgraph.*"),
]


class MintedCredential:
    """An azure-core TokenCredential that hands out a token the sandbox minted."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[GraphServiceClient]:
    """The SDK as an application would build it, pointed at the sandbox."""
    credential = MintedCredential(sandbox.token())
    graph = GraphServiceClient(credential, ["https://graph.microsoft.com/.default"])
    graph.request_adapter.base_url = sandbox.graph
    yield graph
    # The SDK has no close(), and msgraph-core's transport wrapper does not pass
    # aclose() on to the transport it wraps: close both, or sockets leak.
    http = cast(HttpxRequestAdapter, graph.request_adapter)._http_client
    await http.aclose()
    inner = getattr(http._transport, "transport", None)
    if isinstance(inner, httpx.AsyncBaseTransport):
        await inner.aclose()


async def upload(
    client: GraphServiceClient, drive_id: str, path: str, data: bytes
) -> str:
    item = await (
        client.drives.by_drive_id(drive_id)
        .items.by_drive_item_id(f"root:/{path}:")
        .content.put(data)
    )
    assert item is not None
    assert item.id is not None
    return item.id


async def drive_id(client: GraphServiceClient) -> str:
    drive = await client.me.drive.get()
    assert drive is not None
    assert drive.id is not None
    return drive.id


async def test_me(client: GraphServiceClient) -> None:
    """/me answers the signed-in account's profile."""
    me = await client.me.get()

    assert me is not None
    assert me.user_principal_name == "demo.user@contoso.example"
    assert me.display_name == "Demo User"
    assert me.id


async def test_upload_then_get_by_id_and_by_path(client: GraphServiceClient) -> None:
    """A simple upload by path creates folders; the item reads back both ways."""
    drive = await drive_id(client)

    item_id = await upload(client, drive, "Forms/Q1/report.txt", b"hello graph")
    by_id = await client.drives.by_drive_id(drive).items.by_drive_item_id(item_id).get()
    by_path = await (
        client.drives.by_drive_id(drive)
        .items.by_drive_item_id("root:/Forms/Q1/report.txt:")
        .get()
    )

    assert by_id is not None
    assert by_path is not None
    assert by_id.id == by_path.id == item_id
    assert by_id.size == len(b"hello graph")
    assert by_id.file is not None
    assert by_id.file.hashes is not None
    assert by_id.file.hashes.quick_xor_hash
    assert by_id.parent_reference is not None
    assert by_id.parent_reference.path == "/drive/root:/Forms/Q1"


async def test_children(client: GraphServiceClient) -> None:
    """Children of a folder list the files uploaded into it, by name."""
    drive = await drive_id(client)
    await upload(client, drive, "Docs/b.txt", b"b")
    await upload(client, drive, "Docs/a.txt", b"a")
    folder = await (
        client.drives.by_drive_id(drive).items.by_drive_item_id("root:/Docs:").get()
    )
    assert folder is not None
    assert folder.id is not None

    children = await (
        client.drives.by_drive_id(drive)
        .items.by_drive_item_id(folder.id)
        .children.get()
    )

    assert children is not None
    assert children.value is not None
    assert [c.name for c in children.value] == ["a.txt", "b.txt"]


async def test_create_link_resolves_to_the_item(client: GraphServiceClient) -> None:
    """createLink answers a link whose webUrl the sandbox resolves to the file."""
    drive = await drive_id(client)
    item_id = await upload(client, drive, "share-me.txt", b"shared bytes")
    item = client.drives.by_drive_id(drive).items.by_drive_item_id(item_id)

    body = CreateLinkPostRequestBody(type="view", scope="anonymous")
    permission = await item.create_link.post(body)
    same = await item.create_link.post(body)

    assert permission is not None
    assert permission.link is not None
    assert same is not None
    assert same.id == permission.id
    assert permission.roles == ["read"]
    web_url = permission.link.web_url
    assert web_url is not None
    resolved = httpx2.get(web_url, follow_redirects=True, timeout=10)
    assert resolved.content == b"shared bytes"
    as_json = httpx2.get(web_url, headers={"Accept": "application/json"}, timeout=10)
    assert as_json.json()["id"] == item_id


async def test_invite_and_permissions(client: GraphServiceClient) -> None:
    """invite adds a permission per recipient; permissions list and delete them."""
    drive = await drive_id(client)
    item = client.drives.by_drive_id(drive).items.by_drive_item_id(
        await upload(client, drive, "invite.txt", b"x")
    )

    invited = await item.invite.post(
        InvitePostRequestBody(
            recipients=[DriveRecipient(email="bob@fabrikam.example")],
            roles=["write"],
            require_sign_in=True,
            send_invitation=False,
            message="Please review",
        )
    )
    assert invited is not None
    assert invited.value is not None
    granted = invited.value[0]
    assert granted.roles == ["write"]
    assert granted.id is not None

    listed = await item.permissions.get()
    assert listed is not None
    assert listed.value is not None
    assert {p.id for p in listed.value} >= {granted.id}

    await item.permissions.by_permission_id(granted.id).delete()
    after = await item.permissions.get()
    assert after is not None
    assert after.value is not None
    assert granted.id not in {p.id for p in after.value}
