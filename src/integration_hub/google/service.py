"""Google Sheets operations as users need them, built on the upstream layer."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from integration_hub.connections.service import ConnectionService
from integration_hub.errors import ValidationFailedError
from integration_hub.google import batching
from integration_hub.google.a1 import parse_a1, quote_sheet
from integration_hub.google.client import GoogleClient
from integration_hub.google.schemas import (
    MAX_CELL_CHARS,
    AddSheet,
    AppendRows,
    BatchWrite,
    BatchWriteOut,
    CellValue,
    ClearRange,
    CreateSpreadsheet,
    DateCell,
    PermissionOut,
    ShareSpreadsheet,
    SheetOut,
    SpreadsheetOut,
    ValueRangeIn,
    ValuesOut,
)
from integration_hub.observability.audit import Actor, audited
from integration_hub.upstream.client import Caller
from integration_hub.upstream.runtime import Upstream

T = TypeVar("T")
_DATE_FORMATS = {
    "DATE": {"type": "DATE", "pattern": "yyyy-mm-dd"},
    "DATE_TIME": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"},
}
METADATA_FIELDS = "spreadsheetId,spreadsheetUrl,properties.title,sheets.properties"


class SheetsService:
    def __init__(
        self,
        upstream: Upstream,
        connections: ConnectionService,
        client: GoogleClient,
        actor: Actor,
    ) -> None:
        self.upstream = upstream
        self.connections = connections
        self.client = client
        self.actor = actor

    async def _caller(self, connection_id: uuid.UUID | None) -> Caller:
        connection = await self.connections.pick(
            self.actor.user_id, "google", connection_id
        )
        return Caller.within(
            self.upstream.settings.upstream_deadline_seconds,
            self.actor.user_id,
            connection.id,
            self.actor.request_id,
        )

    async def _audited(
        self,
        action: str,
        target: str,
        caller: Caller,
        work: Callable[[], Awaitable[T]],
    ) -> T:
        return await audited(
            self.connections.runtime.sessions,
            self.actor,
            action,
            target,
            caller.connection_id,
            work,
        )

    async def create(self, request: CreateSpreadsheet) -> SpreadsheetOut:
        caller = await self._caller(request.connection_id)
        rows = ([request.header] if request.header else []) + request.rows
        _check_cells(rows)

        async def work() -> SpreadsheetOut:
            calls = 1
            inline = _fits_inline(rows)
            body = _create_body(request.title, request.sheets, rows if inline else [])
            created = await self.client.create(caller, body)
            spreadsheet_id = created["spreadsheetId"]
            if rows and not inline:
                first_sheet = f"{quote_sheet(request.sheets[0])}!A1"
                written = await self.batch_write(
                    BatchWrite(
                        connection_id=caller.connection_id,
                        spreadsheet_id=spreadsheet_id,
                        data=[ValueRangeIn(range=first_sheet, values=rows)],
                    ),
                    caller=caller,
                    audit=False,
                )
                calls += written.upstream_calls
                created = await self.client.get(
                    caller, spreadsheet_id, fields=METADATA_FIELDS
                )
                calls += 1
            return _spreadsheet_out(created, calls)

        return await self._audited("sheets.create", request.title, caller, work)

    async def batch_write(
        self,
        request: BatchWrite,
        *,
        caller: Caller | None = None,
        audit: bool = True,
    ) -> BatchWriteOut:
        caller = caller or await self._caller(request.connection_id)
        ranges = batching.parse_ranges([(d.range, d.values) for d in request.data])
        for write in ranges:
            _check_cells(write.values)
        plan = batching.plan_writes(ranges, request.value_input_option)

        async def work() -> BatchWriteOut:
            metadata, calls = await self._metadata(caller, request.spreadsheet_id)
            grow = _growth_requests(metadata, plan.extents)
            if grow:
                await self.client.batch_update(
                    caller, request.spreadsheet_id, grow, idempotent=True
                )
                await self.upstream.cache.invalidate(
                    caller.connection_id, request.spreadsheet_id
                )
                calls += 1
            for body in plan.bodies:
                await self.client.values_batch_update(
                    caller, request.spreadsheet_id, body
                )
            formats = _date_format_requests(metadata, plan.dates)
            if formats:
                await self.client.batch_update(
                    caller, request.spreadsheet_id, formats, idempotent=True
                )
                calls += 1
            return BatchWriteOut(
                spreadsheet_id=request.spreadsheet_id,
                updated_rows=plan.rows,
                updated_cells=plan.cells,
                upstream_calls=calls + len(plan.bodies),
                requests_for_values=len(plan.bodies),
                grid_grown=bool(grow),
            )

        if not audit:
            return await work()
        return await self._audited(
            "sheets.batch_write", request.spreadsheet_id, caller, work
        )

    async def _metadata(
        self, caller: Caller, spreadsheet_id: str
    ) -> tuple[dict[str, Any], int]:
        """Spreadsheet metadata, from the cache when fresh; and the calls it cost."""
        metadata, hit = await self.upstream.read_through(
            "google",
            "spreadsheets.get",
            (caller.connection_id, spreadsheet_id, "metadata"),
            lambda: self.client.get(caller, spreadsheet_id, fields=METADATA_FIELDS),
        )
        return metadata, 0 if hit else 1

    async def metadata(
        self, spreadsheet_id: str, connection_id: uuid.UUID | None
    ) -> SpreadsheetOut:
        caller = await self._caller(connection_id)
        metadata, calls = await self._metadata(caller, spreadsheet_id)
        return _spreadsheet_out(metadata, calls)

    async def read(
        self,
        spreadsheet_id: str,
        range_: str,
        render: str,
        connection_id: uuid.UUID | None,
    ) -> ValuesOut:
        parse_a1(range_)
        caller = await self._caller(connection_id)
        result = await self.client.values_get(caller, spreadsheet_id, range_, render)
        return ValuesOut(range=result["range"], values=result.get("values", []))

    async def append(self, spreadsheet_id: str, request: AppendRows) -> dict[str, Any]:
        parse_a1(request.range)
        _check_cells(request.values)
        caller = await self._caller(request.connection_id)

        async def work() -> dict[str, Any]:
            result = await self.client.values_append(
                caller,
                spreadsheet_id,
                request.range,
                request.values,
                request.value_input_option,
            )
            await self.upstream.cache.invalidate(caller.connection_id, spreadsheet_id)
            updates: dict[str, Any] = result.get("updates", {})
            return {
                "spreadsheet_id": spreadsheet_id,
                "updated_range": updates.get("updatedRange"),
                "updated_rows": updates.get("updatedRows", 0),
                "updated_cells": updates.get("updatedCells", 0),
            }

        return await self._audited("sheets.append", spreadsheet_id, caller, work)

    async def clear(self, spreadsheet_id: str, request: ClearRange) -> dict[str, Any]:
        parse_a1(request.range)
        caller = await self._caller(request.connection_id)

        async def work() -> dict[str, Any]:
            result = await self.client.values_clear(
                caller, spreadsheet_id, request.range
            )
            return {
                "spreadsheet_id": spreadsheet_id,
                "cleared_range": result["clearedRange"],
            }

        return await self._audited("sheets.clear", spreadsheet_id, caller, work)

    async def add_sheet(self, spreadsheet_id: str, request: AddSheet) -> SheetOut:
        caller = await self._caller(request.connection_id)

        async def work() -> SheetOut:
            reply = await self.client.batch_update(
                caller,
                spreadsheet_id,
                [
                    {
                        "addSheet": {
                            "properties": {
                                "title": request.title,
                                "gridProperties": {
                                    "rowCount": request.rows,
                                    "columnCount": request.columns,
                                },
                            }
                        }
                    }
                ],
                # A retried addSheet would fail on the duplicate title, not add
                # a second sheet, so retrying it is safe.
                idempotent=True,
            )
            await self.upstream.cache.invalidate(caller.connection_id, spreadsheet_id)
            return _sheet_out(reply["replies"][0]["addSheet"]["properties"])

        return await self._audited("sheets.add_sheet", spreadsheet_id, caller, work)

    async def share(
        self, spreadsheet_id: str, request: ShareSpreadsheet
    ) -> PermissionOut:
        permission = _permission_body(request)
        caller = await self._caller(request.connection_id)

        async def work() -> PermissionOut:
            created = await self.client.share(
                caller, spreadsheet_id, permission, request.notify
            )
            return PermissionOut(
                permission_id=created["id"], type=request.type, role=request.role
            )

        return await self._audited("sheets.share", spreadsheet_id, caller, work)


def _permission_body(request: ShareSpreadsheet) -> dict[str, Any]:
    body: dict[str, Any] = {"type": request.type, "role": request.role}
    if request.type in ("user", "group"):
        if not request.email:
            raise ValidationFailedError(f"sharing with a {request.type} needs an email")
        body["emailAddress"] = request.email
    elif request.type == "domain":
        if not request.domain:
            raise ValidationFailedError("sharing with a domain needs the domain")
        body["domain"] = request.domain
    return body


def _check_cells(rows: Any) -> None:
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise ValidationFailedError(
                    f"row {row_number}, column {column}: a cell holds at most "
                    f"{MAX_CELL_CHARS} characters"
                )


def _fits_inline(rows: list[list[CellValue]]) -> bool:
    """Whether initial rows can ride along in the create call."""
    size = sum(len(str(v)) + 40 for row in rows for v in row)
    return size < batching.DEFAULT_LIMIT_BYTES // 2


def _create_body(
    title: str, sheets: list[str], rows: list[list[CellValue]]
) -> dict[str, Any]:
    body_sheets: list[dict[str, Any]] = [
        {"properties": {"title": name}} for name in sheets
    ]
    if rows:
        body_sheets[0]["data"] = [
            {"startRow": 0, "startColumn": 0, "rowData": [_row_data(r) for r in rows]}
        ]
        width = max(len(r) for r in rows)
        body_sheets[0]["properties"]["gridProperties"] = {
            "rowCount": max(1000, len(rows)),
            "columnCount": max(26, width),
        }
    return {"properties": {"title": title}, "sheets": body_sheets}


def _row_data(row: list[CellValue]) -> dict[str, Any]:
    return {"values": [_cell_data(v) for v in row]}


def _cell_data(value: CellValue) -> dict[str, Any]:
    """A RAW cell: typed exactly as sent, so text starting with '=' stays text."""
    if value is None:
        return {}
    serial = batching.serial_of(value)
    if serial is not None:
        kind = "DATE" if isinstance(value, DateCell) else "DATE_TIME"
        return {
            "userEnteredValue": {"numberValue": serial},
            "userEnteredFormat": {"numberFormat": _DATE_FORMATS[kind]},
        }
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": value}}


def _growth_requests(
    metadata: dict[str, Any], extents: dict[str | None, batching.Extent]
) -> list[dict[str, Any]]:
    """Grow each sheet just enough; setting sizes (not appending) is idempotent."""
    requests = []
    for title, extent in extents.items():
        properties = _sheet_properties(metadata, title)
        grid = properties.get("gridProperties", {})
        rows = max(grid.get("rowCount", 0), extent.rows)
        columns = max(grid.get("columnCount", 0), extent.columns)
        if (rows, columns) != (grid.get("rowCount", 0), grid.get("columnCount", 0)):
            requests.append(
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": properties["sheetId"],
                            "gridProperties": {
                                "rowCount": rows,
                                "columnCount": columns,
                            },
                        },
                        "fields": "gridProperties.rowCount,gridProperties.columnCount",
                    }
                }
            )
    return requests


def _date_format_requests(
    metadata: dict[str, Any],
    dates: dict[tuple[str | None, int, str], list[int]],
) -> list[dict[str, Any]]:
    """Give the serial numbers sent for date cells a date format, run by run."""
    requests = []
    for (title, column, kind), rows in dates.items():
        sheet_id = _sheet_properties(metadata, title)["sheetId"]
        for first, last in batching.date_runs(rows):
            grid_range = {
                "sheetId": sheet_id,
                "startRowIndex": first - 1,
                "endRowIndex": last,
                "startColumnIndex": column - 1,
                "endColumnIndex": column,
            }
            requests.append(
                {
                    "repeatCell": {
                        "range": grid_range,
                        "cell": {
                            "userEnteredFormat": {"numberFormat": _DATE_FORMATS[kind]}
                        },
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
    return requests


def _sheet_properties(metadata: dict[str, Any], title: str | None) -> dict[str, Any]:
    """A sheet's properties by title; the first sheet when no title is given."""
    sheets = [s["properties"] for s in metadata.get("sheets", [])]
    if title is None and sheets:
        return dict(sheets[0])
    for properties in sheets:
        if properties["title"] == title:
            return dict(properties)
    raise ValidationFailedError(f"the spreadsheet has no sheet named {title!r}")


def _sheet_out(properties: dict[str, Any]) -> SheetOut:
    grid = properties.get("gridProperties", {})
    return SheetOut(
        sheet_id=properties["sheetId"],
        title=properties["title"],
        row_count=grid.get("rowCount", 0),
        column_count=grid.get("columnCount", 0),
    )


def _spreadsheet_out(spreadsheet: dict[str, Any], calls: int) -> SpreadsheetOut:
    spreadsheet_id = spreadsheet["spreadsheetId"]
    return SpreadsheetOut(
        spreadsheet_id=spreadsheet_id,
        url=spreadsheet.get("spreadsheetUrl")
        or f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit",
        title=spreadsheet.get("properties", {}).get("title", ""),
        sheets=[_sheet_out(s["properties"]) for s in spreadsheet.get("sheets", [])],
        upstream_calls=calls,
    )
