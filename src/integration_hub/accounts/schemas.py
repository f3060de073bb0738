from __future__ import annotations

import uuid

from pydantic import BaseModel


class Me(BaseModel):
    id: uuid.UUID
    name: str
    is_admin: bool
