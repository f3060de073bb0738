from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from integration_hub.dependencies import Context
from integration_hub.observability.health import Health, check_health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is down."}},
    summary="Health of the database and, when configured, Redis",
)
async def health(context: Context) -> JSONResponse:
    report = await check_health(context)
    status = 503 if report.status == "down" else 200
    return JSONResponse(report.model_dump(mode="json"), status_code=status)
