"""Word documents from templates: sandboxed, autoescaping, split runs handled."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from tests.microsoft.support import DOCUMENTS, TEMPLATES, docx, download, text_of
from tests.support.live import Hub
from tests.support.users import bearer, create_user

pytestmark = pytest.mark.anyio

# Word often splits a placeholder across runs; docxtpl must join them again.
INVOICE = docx(["Dear {{ cust", "omer }},"], ["Total: {{ total }} EUR"])


async def store(hub: Hub, content: bytes, name: str = "invoice.docx") -> str:
    response = await hub.http.post(
        TEMPLATES,
        data={"name": name},
        files={"file": (name, content)},
        headers=hub.auth,
    )
    assert response.status_code == 201, response.text
    template_id: str = response.json()["id"]
    return template_id


async def render(hub: Hub, template: str, data: dict[str, object], path: str):  # type: ignore[no-untyped-def]
    return await hub.http.post(
        DOCUMENTS,
        json={"template": template, "data": data, "path": path},
        headers=hub.auth,
    )


class TestRender:
    async def test_stored_template_with_split_placeholders(self, hub: Hub) -> None:
        """A placeholder split across runs still renders; the result is uploaded."""
        await hub.connect("microsoft")
        template_id = await store(hub, INVOICE)

        response = await render(
            hub, template_id, {"customer": "Ada", "total": 42}, "Invoices/ada.docx"
        )

        assert response.status_code == 201, response.text
        document = response.json()
        assert document["status"] == "done"
        text = text_of(await download(hub, document["id"]))
        assert text == "Dear Ada,\nTotal: 42 EUR"

    async def test_inline_base64_template_and_autoescaped_markup(
        self, hub: Hub
    ) -> None:
        """Data holding <b> lands as text: the XML stays valid, nothing injected."""
        await hub.connect("microsoft")
        inline = base64.b64encode(INVOICE).decode()

        response = await render(
            hub,
            inline,
            {"customer": "<b>Bob</b> & </w:t>", "total": "1"},
            "Invoices/bob.docx",
        )

        assert response.status_code == 201, response.text
        text = text_of(await download(hub, response.json()["id"]))
        assert text.splitlines()[0] == "Dear <b>Bob</b> & </w:t>,"

    @pytest.mark.parametrize(
        "expression",
        [
            "''.__class__",
            "''.__class__.__mro__[1].__subclasses__()",
            "cycler.__init__.__globals__",
        ],
    )
    async def test_sandbox_escape_is_refused(self, hub: Hub, expression: str) -> None:
        """Reaching for Python internals is a clear 422, and nothing is uploaded."""
        await hub.connect("microsoft")
        evil = base64.b64encode(docx(["{{ " + expression + " }}"])).decode()

        response = await render(hub, evil, {}, "evil.docx")

        assert response.status_code == 422, response.text
        assert response.json()["error"] == "template_refused"
        assert "not allowed" in response.json()["detail"]
        listed = (await hub.http.get(DOCUMENTS, headers=hub.auth)).json()
        assert listed["items"] == []

    async def test_broken_template_syntax_is_422(self, hub: Hub) -> None:
        """A template Jinja cannot parse is the caller's error, not a 500."""
        await hub.connect("microsoft")
        broken = base64.b64encode(docx(["{% if %}"])).decode()

        response = await render(hub, broken, {}, "broken.docx")

        assert response.status_code == 422
        assert response.json()["error"] == "template_error"

    async def test_not_a_docx_is_422(self, hub: Hub) -> None:
        """Neither a template id nor a .docx: refused before anything else."""
        await hub.connect("microsoft")

        response = await render(
            hub, base64.b64encode(b"plain text").decode(), {}, "x.docx"
        )

        assert response.status_code == 422

    async def test_rendering_is_audited(self, hub: Hub) -> None:
        """A render and a refused render both reach the audit log."""
        await hub.connect("microsoft")
        await render(hub, base64.b64encode(INVOICE).decode(), {}, "a.docx")
        evil = base64.b64encode(docx(["{{ ''.__class__ }}"])).decode()
        await render(hub, evil, {}, "b.docx")

        response = await hub.http.get("/api/v1/integrations/audit", headers=hub.auth)

        entries = sorted(
            (e["outcome"], e["status_code"])
            for e in response.json()["items"]
            if e["action"] == "documents.render"
        )
        assert entries == [("failure", 422), ("success", 200)]


class TestTemplates:
    async def test_store_list_and_delete(self, hub: Hub) -> None:
        """Templates are listed per user with their size, and deleted."""
        template_id = await store(hub, INVOICE)

        listed = (await hub.http.get(TEMPLATES, headers=hub.auth)).json()
        assert [t["id"] for t in listed["items"]] == [template_id]
        assert listed["items"][0]["size"] == len(INVOICE)
        assert listed["items"][0]["name"] == "invoice.docx"
        assert listed["next_cursor"] is None

        deleted = await hub.http.delete(f"{TEMPLATES}/{template_id}", headers=hub.auth)
        assert deleted.status_code == 204
        listed = (await hub.http.get(TEMPLATES, headers=hub.auth)).json()
        assert listed["items"] == []

    async def test_not_a_docx_is_refused(self, hub: Hub) -> None:
        """Only Word documents are stored as templates."""
        response = await hub.http.post(
            TEMPLATES, files={"file": ("a.txt", b"hello")}, headers=hub.auth
        )

        assert response.status_code == 422

    async def test_another_users_template_is_404(self, hub: Hub, context) -> None:  # type: ignore[no-untyped-def]
        """Bob can neither see, use nor delete Alice's template."""
        await hub.connect("microsoft")
        template_id = await store(hub, INVOICE)
        bob = bearer(await create_user(context, "bob"))

        listed = (await hub.http.get(TEMPLATES, headers=bob)).json()
        deleted = await hub.http.delete(f"{TEMPLATES}/{template_id}", headers=bob)
        used = await hub.http.post(
            DOCUMENTS,
            json={"template": template_id, "data": {}, "path": "x.docx"},
            headers=bob,
        )

        assert listed["items"] == []
        assert deleted.status_code == 404
        assert used.status_code == 404


def test_docxtpl_is_not_imported_at_start_up() -> None:
    """Word generation loads only when used: an idle hub does not pay for it."""
    code = (
        "import sys; import integration_hub.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('docxtpl', 'docx', 'jinja2', 'lxml')))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
