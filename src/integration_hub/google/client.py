"""Calls to the Sheets and Drive APIs, each through the upstream layer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from integration_hub.connections.providers import ProviderConfig
from integration_hub.upstream.client import Call, Caller
from integration_hub.upstream.runtime import Upstream


class GoogleClient:
    def __init__(self, upstream: Upstream, config: ProviderConfig) -> None:
        self.upstream = upstream
        self.sheets = config.api_bases["sheets"] + "/v4/spreadsheets"
        self.drive = config.api_bases["drive"]

    def _values(self, spreadsheet_id: str, range_: str) -> str:
        return f"{self.sheets}/{_id(spreadsheet_id)}/values/{quote(range_, safe='')}"

    async def _json(self, caller: Caller, call: Call) -> dict[str, Any]:
        response = await self.upstream.google.send(caller, call)
        body: dict[str, Any] = response.json()
        return body

    def _sheets_call(
        self,
        caller: Caller,
        kind: str,
        method: str,
        url: str,
        operation: str,
        **kw: Any,
    ) -> Call:
        # Reads are idempotent; so are value writes to fixed ranges and metadata
        # changes that the hub makes idempotent itself. Appends are not.
        return Call(
            method=method,
            url=url,
            operation=operation,
            budgets=self.upstream.sheets_budgets(caller.connection_id, kind),
            **kw,
        )

    async def create(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        call = self._sheets_call(
            caller, "write", "POST", self.sheets, "spreadsheets.create", json=body
        )
        return await self._json(caller, call)

    async def get(
        self, caller: Caller, spreadsheet_id: str, *, fields: str | None = None
    ) -> dict[str, Any]:
        call = self._sheets_call(
            caller,
            "read",
            "GET",
            f"{self.sheets}/{_id(spreadsheet_id)}",
            "spreadsheets.get",
            idempotent=True,
            params={
                "includeGridData": "false",
                **({"fields": fields} if fields else {}),
            },
        )
        return await self._json(caller, call)

    async def batch_update(
        self,
        caller: Caller,
        spreadsheet_id: str,
        requests: list[dict[str, Any]],
        *,
        idempotent: bool,
    ) -> dict[str, Any]:
        call = self._sheets_call(
            caller,
            "write",
            "POST",
            f"{self.sheets}/{_id(spreadsheet_id)}:batchUpdate",
            "spreadsheets.batchUpdate",
            idempotent=idempotent,
            json={"requests": requests},
        )
        return await self._json(caller, call)

    async def values_batch_update(
        self, caller: Caller, spreadsheet_id: str, body: bytes
    ) -> dict[str, Any]:
        """Write fixed ranges: sending the same body twice has the same effect."""
        call = self._sheets_call(
            caller,
            "write",
            "POST",
            f"{self.sheets}/{_id(spreadsheet_id)}/values:batchUpdate",
            "values.batchUpdate",
            idempotent=True,
            content=body,
            headers={"Content-Type": "application/json"},
        )
        return await self._json(caller, call)

    async def values_get(
        self, caller: Caller, spreadsheet_id: str, range_: str, render: str
    ) -> dict[str, Any]:
        call = self._sheets_call(
            caller,
            "read",
            "GET",
            self._values(spreadsheet_id, range_),
            "values.get",
            idempotent=True,
            params={"valueRenderOption": render},
        )
        return await self._json(caller, call)

    async def values_append(
        self,
        caller: Caller,
        spreadsheet_id: str,
        range_: str,
        values: list[list[Any]],
        value_input_option: str,
    ) -> dict[str, Any]:
        # An append that timed out may have landed: never resend it blindly.
        call = self._sheets_call(
            caller,
            "write",
            "POST",
            f"{self._values(spreadsheet_id, range_)}:append",
            "values.append",
            idempotent=False,
            params={
                "valueInputOption": value_input_option,
                "insertDataOption": "INSERT_ROWS",
            },
            json={"range": range_, "majorDimension": "ROWS", "values": values},
        )
        return await self._json(caller, call)

    async def values_clear(
        self, caller: Caller, spreadsheet_id: str, range_: str
    ) -> dict[str, Any]:
        call = self._sheets_call(
            caller,
            "write",
            "POST",
            f"{self._values(spreadsheet_id, range_)}:clear",
            "values.clear",
            idempotent=True,
            json={},
        )
        return await self._json(caller, call)

    async def share(
        self, caller: Caller, file_id: str, permission: dict[str, Any], notify: bool
    ) -> dict[str, Any]:
        call = Call(
            method="POST",
            url=f"{self.drive}/files/{_id(file_id)}/permissions",
            operation="permissions.create",
            budgets=self.upstream.drive_budgets(caller.connection_id),
            params={"sendNotificationEmail": "true" if notify else "false"},
            json=permission,
        )
        return await self._json(caller, call)


def _id(value: str) -> str:
    return quote(value, safe="")
