from __future__ import annotations

from integration_hub.accounts.repository import AccountRepository
from integration_hub.accounts.service import AccountService
from integration_hub.context import HubContext


async def create_user(context: HubContext, name: str, *, admin: bool = False) -> str:
    """Create a hub user straight in the database; return its API token."""
    async with context.sessions() as session, session.begin():
        service = AccountService(AccountRepository(session))
        _user, token = await service.create_user(name, is_admin=admin)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
