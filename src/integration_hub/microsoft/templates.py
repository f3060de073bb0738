"""Word templates: checking, storing and rendering them safely.

A template is user input that runs as code, so it renders in Jinja's sandbox
with autoescaping: data such as ``<b>`` lands in the document as text, never
as markup that could break or inject XML, and a template that reaches for an
object's internals (``''.__class__``) is refused instead of rendering blank.
docxtpl and Jinja load only when a document is rendered: an idle hub never
pays for them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import uuid
import zipfile
from typing import TYPE_CHECKING, Any

import structlog

from integration_hub.errors import (
    NotFoundError,
    PayloadTooLargeError,
    ValidationFailedError,
)
from integration_hub.exports.models import Template
from integration_hub.microsoft.repository import TemplateRepository

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

log = structlog.get_logger("integration_hub.microsoft")


class TemplateRefusedError(ValidationFailedError):
    code = "template_refused"


def check_docx(content: bytes) -> None:
    """Refuse anything that is not a Word document before it is stored or used."""
    if len(content) > MAX_TEMPLATE_BYTES:
        raise PayloadTooLargeError(
            f"a template holds at most {MAX_TEMPLATE_BYTES} bytes"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ValidationFailedError("the template is not a .docx file") from None
    if "word/document.xml" not in names:
        raise ValidationFailedError("the template is not a Word (.docx) document")


def render(template: bytes, data: dict[str, Any]) -> bytes:
    """The rendered document; CPU-bound, so callers run it in a thread."""
    from docxtpl import DocxTemplate
    from jinja2.exceptions import SecurityError

    document = DocxTemplate(io.BytesIO(template))
    try:
        document.render(data, jinja_env=_sandbox(), autoescape=True)
    except SecurityError as exc:
        raise TemplateRefusedError(f"the template was refused: {exc}") from None
    except Exception as exc:
        # Whatever a template does wrong (syntax, undefined values, a filter
        # given the wrong type) is the template's fault, not the hub's.
        raise ValidationFailedError(
            f"the template cannot be rendered: {type(exc).__name__}: {exc}",
            code="template_error",
        ) from exc
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _sandbox() -> SandboxedEnvironment:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class RefusingSandbox(SandboxedEnvironment):
        """Jinja's sandbox renders an unsafe attribute as blank; refuse it."""

        def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
            raise SecurityError(
                f"access to attribute {attribute!r} of a "
                f"{type(obj).__name__} value is not allowed"
            )

    return RefusingSandbox(autoescape=True)


def decode_inline(value: str) -> bytes:
    """A template sent inline as base64 (standard or URL-safe alphabet)."""
    if len(value) > MAX_TEMPLATE_BYTES * 4 // 3 + 4:
        raise PayloadTooLargeError(
            f"a template holds at most {MAX_TEMPLATE_BYTES} bytes"
        )
    try:
        padded = value.strip() + "=" * (-len(value.strip()) % 4)
        content = base64.b64decode(
            padded.replace("-", "+").replace("_", "/"), validate=True
        )
    except (binascii.Error, ValueError):
        raise ValidationFailedError(
            "template is neither a template id nor a base64 .docx"
        ) from None
    check_docx(content)
    return content


class TemplateStore:
    """Templates per user, in the ``templates`` table."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def add(self, user_id: uuid.UUID, name: str, content: bytes) -> Template:
        check_docx(content)
        template = Template(
            id=uuid.uuid4(),
            user_id=user_id,
            name=name,
            content_type=DOCX_TYPE,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        async with self.sessions() as session, session.begin():
            await TemplateRepository(session).add(template)
        return template

    async def content(self, user_id: uuid.UUID, reference: str) -> bytes:
        """The template a render names: a stored id, or inline base64."""
        try:
            template_id = uuid.UUID(reference)
        except ValueError:
            return decode_inline(reference)
        async with self.sessions() as session:
            template = await TemplateRepository(session).get(user_id, template_id)
        if template is None:
            raise NotFoundError("no such template")
        return template.content

    async def list_page(
        self, user_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> list[tuple[Template, int]]:
        async with self.sessions() as session:
            return await TemplateRepository(session).list_page(
                user_id, after=after, limit=limit
            )

    async def delete(self, user_id: uuid.UUID, template_id: uuid.UUID) -> None:
        async with self.sessions() as session, session.begin():
            deleted = await TemplateRepository(session).delete(user_id, template_id)
        if not deleted:
            raise NotFoundError("no such template")
