"""Upload sessions: fragments, their rules, status, cancel, expiry and commit."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx2
import pytest

from tests.sandbox.microsoft.conftest import Sandbox, bearer

UNIT = 327_680


def create_session(
    sandbox: Sandbox, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = sandbox.http.post(
        f"{sandbox.graph}/me/drive/root:/{path}:/createUploadSession",
        headers=bearer(sandbox.token()),
        json=body if body is not None else {},
    )
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()
    return session


def put_range(
    sandbox: Sandbox, url: str, data: bytes, start: int, total: int
) -> httpx2.Response:
    end = start + len(data) - 1
    return sandbox.http.put(
        url,
        content=data,
        headers={"Content-Range": f"bytes {start}-{end}/{total}"},
    )


def test_session_uploads_in_fragments(sandbox: Sandbox) -> None:
    """Fragments answer 202 with the next range; the last 201 with the driveItem."""
    data = bytes(range(256)) * 3000  # 768,000 bytes: two full units and a tail
    session = create_session(sandbox, "Big/data.bin")
    assert session["nextExpectedRanges"] == ["0-"]
    url = session["uploadUrl"]

    first = put_range(sandbox, url, data[:UNIT], 0, len(data))
    assert first.status_code == 202
    assert first.json()["nextExpectedRanges"] == [f"{UNIT}-"]
    assert "expirationDateTime" in first.json()

    second = put_range(sandbox, url, data[UNIT : 2 * UNIT], UNIT, len(data))
    final = put_range(sandbox, url, data[2 * UNIT :], 2 * UNIT, len(data))

    assert second.status_code == 202
    assert final.status_code == 201
    item = final.json()
    assert item["size"] == len(data)
    assert (
        item["file"]["hashes"]["sha256Hash"] == hashlib.sha256(data).hexdigest().upper()
    )
    assert item["parentReference"]["path"] == "/drive/root:/Big"
    download = sandbox.http.get(item["@microsoft.graph.downloadUrl"])
    assert download.content == data


def test_replacing_through_a_session_answers_200(sandbox: Sandbox) -> None:
    """A session onto an existing name with replace ends in 200, not 201."""
    create = {"item": {"@microsoft.graph.conflictBehavior": "replace"}}
    first = create_session(sandbox, "same.txt", create)["uploadUrl"]
    assert put_range(sandbox, first, b"one", 0, 3).status_code == 201

    second = create_session(sandbox, "same.txt", create)["uploadUrl"]
    response = put_range(sandbox, second, b"two!", 0, 4)

    assert response.status_code == 200
    assert response.json()["size"] == 4


def test_name_conflict_at_last_fragment(sandbox: Sandbox) -> None:
    """With the default conflict behaviour (fail) the last fragment answers 409."""
    url = create_session(sandbox, "taken.txt")["uploadUrl"]
    sandbox.http.put(
        f"{sandbox.graph}/me/drive/root:/taken.txt:/content",
        headers=bearer(sandbox.token()),
        content=b"already here",
    )

    response = put_range(sandbox, url, b"late", 0, 4)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nameAlreadyExists"


def test_rename_conflict_behavior_picks_a_free_name(sandbox: Sandbox) -> None:
    """conflictBehavior rename stores the file under a numbered name."""
    create = {"item": {"@microsoft.graph.conflictBehavior": "rename"}}
    put_range(
        sandbox, create_session(sandbox, "r.txt", create)["uploadUrl"], b"a", 0, 1
    )

    second = create_session(sandbox, "r.txt", create)["uploadUrl"]
    response = put_range(sandbox, second, b"b", 0, 1)

    assert response.status_code == 201
    assert response.json()["name"] == "r 1.txt"


def test_non_final_fragment_must_be_multiple_of_320_kib(sandbox: Sandbox) -> None:
    """A non-final fragment that is not a multiple of 320 KiB answers 400."""
    url = create_session(sandbox, "odd.bin")["uploadUrl"]

    response = put_range(sandbox, url, b"x" * (UNIT + 1), 0, 3 * UNIT)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"


def test_overlap_answers_416(sandbox: Sandbox) -> None:
    """Re-sending an accepted range answers 416 invalidRange, fragmentOverlap."""
    url = create_session(sandbox, "overlap.bin")["uploadUrl"]
    assert put_range(sandbox, url, b"x" * UNIT, 0, 2 * UNIT).status_code == 202

    response = put_range(sandbox, url, b"x" * UNIT, 0, 2 * UNIT)

    assert response.status_code == 416
    error = response.json()["error"]
    assert error["code"] == "invalidRange"
    assert error["message"] == "Uploaded fragment overlaps with existing data."
    assert error["innerError"]["code"] == "fragmentOverlap"


def test_status_and_cancel(sandbox: Sandbox) -> None:
    """GET on the uploadUrl reports the next range; DELETE cancels with 204."""
    url = create_session(sandbox, "cancel.bin")["uploadUrl"]
    put_range(sandbox, url, b"x" * UNIT, 0, 2 * UNIT)

    status = sandbox.http.get(url)
    cancel = sandbox.http.delete(url)
    after = sandbox.http.get(url)

    assert status.json()["nextExpectedRanges"] == [f"{UNIT}-"]
    assert cancel.status_code == 204
    assert after.status_code == 404


def test_expired_session_answers_404(sandbox: Sandbox) -> None:
    """After its expiry a session answers 404 itemNotFound."""
    sandbox.emulator.uploads.ttl = 60
    url = create_session(sandbox, "slow.bin")["uploadUrl"]
    sandbox.emulator.clock.advance(61)

    response = put_range(sandbox, url, b"late", 0, 4)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "itemNotFound"


def test_upload_url_refuses_authorization_header(sandbox: Sandbox) -> None:
    """The pre-authenticated uploadUrl refuses a request carrying a token."""
    url = create_session(sandbox, "auth.bin")["uploadUrl"]

    response = sandbox.http.put(
        url,
        content=b"abc",
        headers={"Content-Range": "bytes 0-2/3", **bearer(sandbox.token())},
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "content_range",
    ["bytes 0-2", "bytes 5-2/10", "items 0-2/3", "bytes 0-2/*"],
)
def test_malformed_content_range_is_refused(
    sandbox: Sandbox, content_range: str
) -> None:
    """A malformed or inconsistent Content-Range answers a Graph 4xx error."""
    url = create_session(sandbox, "bad.bin")["uploadUrl"]

    response = sandbox.http.put(
        url, content=b"abc", headers={"Content-Range": content_range}
    )

    assert response.status_code in {400, 416}
    assert "code" in response.json()["error"]


def test_deferred_commit(sandbox: Sandbox) -> None:
    """With deferCommit the item appears only after a POST to the uploadUrl."""
    url = create_session(sandbox, "later.txt", {"deferCommit": True})["uploadUrl"]

    uploaded = put_range(sandbox, url, b"done", 0, 4)
    committed = sandbox.http.post(url, content=b"")

    assert uploaded.status_code == 202
    assert uploaded.json()["nextExpectedRanges"] == []
    assert committed.status_code == 201


def test_percent_encoded_session_path(sandbox: Sandbox) -> None:
    """A session path with %3A and %2F encoded, as msgraph-sdk sends it, works."""
    drive = sandbox.http.get(
        f"{sandbox.graph}/me/drive", headers=bearer(sandbox.token())
    ).json()
    encoded_drive = drive["id"].replace("!", "%21")
    url = (
        f"{sandbox.graph}/drives/{encoded_drive}/items/"
        "root%3A%2FForms%2Fr%C3%A9sum%C3%A9.txt%3A/createUploadSession"
    )

    session = sandbox.http.post(url, headers=bearer(sandbox.token()), json={})
    final = put_range(sandbox, session.json()["uploadUrl"], b"hi", 0, 2)

    assert final.status_code == 201
    assert final.json()["name"] == "résumé.txt"
    assert final.json()["parentReference"]["path"] == "/drive/root:/Forms"
