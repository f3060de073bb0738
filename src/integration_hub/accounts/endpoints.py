from __future__ import annotations

from fastapi import APIRouter

from integration_hub.accounts.schemas import Me
from integration_hub.dependencies import CurrentUser

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=Me, summary="The hub user the API token belongs to")
async def me(user: CurrentUser) -> Me:
    return Me(id=user.id, name=user.name, is_admin=user.is_admin)
