"""Queries on documents and templates, always scoped to their user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from integration_hub.db.base import utcnow
from integration_hub.exports.models import Template
from integration_hub.microsoft.models import Document


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, document: Document) -> Document:
        self.session.add(document)
        await self.session.flush()
        return document

    async def get(self, user_id: uuid.UUID, document_id: uuid.UUID) -> Document | None:
        result = await self.session.scalars(
            select(Document).where(
                Document.id == document_id, Document.user_id == user_id
            )
        )
        return result.one_or_none()

    async def list_page(
        self, user_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[Document]:
        query = select(Document).where(Document.user_id == user_id)
        if after is not None:
            query = query.where(Document.id > after)
        return list(
            await self.session.scalars(query.order_by(Document.id).limit(limit))
        )

    async def change(self, document_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(updated_at=utcnow(), **values)
        )


class TemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, template: Template) -> Template:
        self.session.add(template)
        await self.session.flush()
        return template

    async def get(self, user_id: uuid.UUID, template_id: uuid.UUID) -> Template | None:
        result = await self.session.scalars(
            select(Template).where(
                Template.id == template_id, Template.user_id == user_id
            )
        )
        return result.one_or_none()

    async def list_page(
        self, user_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
    ) -> list[tuple[Template, int]]:
        """Templates with their sizes, without loading their contents."""
        query = (
            select(Template, func.length(Template.content))
            .options(defer(Template.content))
            .where(Template.user_id == user_id)
        )
        if after is not None:
            query = query.where(Template.id > after)
        rows = await self.session.execute(query.order_by(Template.id).limit(limit))
        return [(template, int(size)) for template, size in rows]

    async def delete(self, user_id: uuid.UUID, template_id: uuid.UUID) -> bool:
        result = await self.session.execute(
            delete(Template).where(
                Template.id == template_id, Template.user_id == user_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
