"""Liveness and readiness probes for orchestrators (Docker, Kubernetes, load balancers)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from taskmanager.core.database import database_of
from taskmanager.core.errors import DATABASE_ERRORS

router = APIRouter(prefix="/health", tags=["operations"])
logger = logging.getLogger(__name__)
READINESS_TIMEOUT_SECONDS = 2.0
# Any failure to reach the database within the probe's time means "not ready".
READINESS_FAILURES: tuple[type[Exception], ...] = (*DATABASE_ERRORS, OSError, TimeoutError)


@router.get("/live", summary="The process is running")
async def live() -> dict[str, str]:
    """Never touches the database: restarting the app would not bring PostgreSQL back."""
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="The service can answer requests (the database is reachable)",
    responses={
        503: {
            "description": "The database cannot be reached.",
            "content": {
                "application/json": {
                    "example": {"status": "unavailable", "database": "unavailable"}
                }
            },
        }
    },
)
async def ready(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            async with database_of(request).engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except READINESS_FAILURES as error:
        logger.warning("readiness: database unavailable: %s", type(error).__name__)
        retry_after = str(request.app.state.settings.retry_after_seconds)
        return JSONResponse(
            {"status": "unavailable", "database": "unavailable"},
            status_code=503,
            headers={"Retry-After": retry_after, "Cache-Control": "no-store"},
        )
    return JSONResponse({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})
