from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from integration_hub.connections.service import ConnectionService
from integration_hub.dependencies import Context, CurrentUser
from integration_hub.google.client import GoogleClient
from integration_hub.google.schemas import (
    AddSheet,
    AppendRows,
    BatchWrite,
    BatchWriteOut,
    ClearRange,
    CreateSpreadsheet,
    PermissionOut,
    ShareSpreadsheet,
    SheetOut,
    SpreadsheetOut,
    ValuesOut,
)
from integration_hub.google.service import SheetsService
from integration_hub.observability.audit import Actor

router = APIRouter(prefix="/google/spreadsheets", tags=["google sheets"])

SpreadsheetId = Annotated[str, Path(min_length=1, max_length=200)]


def get_service(request: Request, context: Context, user: CurrentUser) -> SheetsService:
    connections = ConnectionService(context.connections)
    config = context.connections.oauth_client("google").config
    return SheetsService(
        context.upstream,
        connections,
        GoogleClient(context.upstream, config),
        Actor(user.id, getattr(request.state, "request_id", None)),
    )


Service = Annotated[SheetsService, Depends(get_service)]


@router.post(
    "",
    response_model=SpreadsheetOut,
    status_code=201,
    summary="Create a spreadsheet, with sheets, a header row and initial rows",
)
async def create_spreadsheet(
    body: CreateSpreadsheet, service: Service
) -> SpreadsheetOut:
    return await service.create(body)


@router.post(
    "/batch-write",
    response_model=BatchWriteOut,
    summary="Write many ranges or rows in the fewest requests (RAW by default)",
)
async def batch_write(body: BatchWrite, service: Service) -> BatchWriteOut:
    return await service.batch_write(body)


@router.get(
    "/{spreadsheet_id}",
    response_model=SpreadsheetOut,
    summary="Spreadsheet metadata: title, URL and sheets (cached briefly)",
)
async def get_spreadsheet(
    spreadsheet_id: SpreadsheetId,
    service: Service,
    connection_id: uuid.UUID | None = None,
) -> SpreadsheetOut:
    return await service.metadata(spreadsheet_id, connection_id)


@router.get(
    "/{spreadsheet_id}/values", response_model=ValuesOut, summary="Read a range"
)
async def read_values(
    spreadsheet_id: SpreadsheetId,
    service: Service,
    range: Annotated[str, Query(min_length=1, max_length=1000)],
    render: Literal["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"] = (
        "UNFORMATTED_VALUE"
    ),
    connection_id: uuid.UUID | None = None,
) -> ValuesOut:
    return await service.read(spreadsheet_id, range, render, connection_id)


@router.post(
    "/{spreadsheet_id}/append",
    summary="Append rows after the table in a range (never retried blindly)",
)
async def append_rows(
    spreadsheet_id: SpreadsheetId, body: AppendRows, service: Service
) -> dict[str, Any]:
    return await service.append(spreadsheet_id, body)


@router.post("/{spreadsheet_id}/clear", summary="Clear the values of a range")
async def clear_range(
    spreadsheet_id: SpreadsheetId, body: ClearRange, service: Service
) -> dict[str, Any]:
    return await service.clear(spreadsheet_id, body)


@router.post(
    "/{spreadsheet_id}/sheets",
    response_model=SheetOut,
    status_code=201,
    summary="Add a sheet",
)
async def add_sheet(
    spreadsheet_id: SpreadsheetId, body: AddSheet, service: Service
) -> SheetOut:
    return await service.add_sheet(spreadsheet_id, body)


@router.post(
    "/{spreadsheet_id}/share",
    response_model=PermissionOut,
    status_code=201,
    summary="Share with a user, group, domain or anyone with the link",
)
async def share_spreadsheet(
    spreadsheet_id: SpreadsheetId, body: ShareSpreadsheet, service: Service
) -> PermissionOut:
    return await service.share(spreadsheet_id, body)
