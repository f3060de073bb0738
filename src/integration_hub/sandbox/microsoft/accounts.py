"""Sandbox users of the emulated Microsoft tenant, and the clock everything reads."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

# One fixed tenant: every sandbox account belongs to it.
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
TENANT_DOMAIN = "contoso.example"
DEFAULT_ACCOUNT = f"demo.user@{TENANT_DOMAIN}"
_ACCOUNT_NAMESPACE = uuid.UUID("0f4c1d2e-6a55-4f0e-9d1b-5a0b7f3c2e10")


class Clock:
    """Wall-clock seconds that tests can move forward instead of sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def reset(self) -> None:
        self._offset = 0.0


@dataclass(frozen=True)
class Account:
    """A user; the same address always yields the same object id."""

    email: str

    @property
    def oid(self) -> str:
        return str(uuid.uuid5(_ACCOUNT_NAMESPACE, self.email.casefold()))

    @property
    def given_name(self) -> str:
        return self._name_parts()[0]

    @property
    def surname(self) -> str:
        return self._name_parts()[1]

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.surname}".strip()

    def _name_parts(self) -> tuple[str, str]:
        local = self.email.split("@", 1)[0]
        words = [w.capitalize() for w in local.replace("_", ".").split(".") if w]
        if not words:
            return ("User", "")
        return (words[0], " ".join(words[1:]))

    def profile(self) -> dict[str, object]:
        """The ``/me`` resource, minus the OData context."""
        return {
            "businessPhones": ["+1 425 555 0109"],
            "displayName": self.display_name,
            "givenName": self.given_name,
            "jobTitle": "Sandbox User",
            "mail": self.email,
            "mobilePhone": None,
            "officeLocation": "18/2111",
            "preferredLanguage": "en-US",
            "surname": self.surname or None,
            "userPrincipalName": self.email,
            "id": self.oid,
        }
