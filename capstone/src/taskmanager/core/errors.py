"""One error format for the whole API: RFC 9457 problem+json with a stable `code`.

Domains raise a `ProblemError` subclass; the handlers here also turn the framework's own 404, 405
and 422 and database outages into problems, never echoing what the client sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from taskmanager.core.driver import CONNECTION_ERRORS

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)


def problem_type(code: str) -> str:
    return f"urn:taskmanager:problem:{code}"


def problem_body(
    status: int, code: str, detail: str, *, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "type": problem_type(code),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, code, detail, title=title, **extra),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


class ProblemError(Exception):
    """A failure the client caused or must know about; rendered as problem+json."""

    status: int = 400
    code: str = "bad_request"
    title: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})

    def to_response(self) -> JSONResponse:
        return problem_response(
            self.status, self.code, self.detail, title=self.title, headers=self.headers
        )


class NotFoundError(ProblemError):
    status = 404
    code = "not_found"


class ConflictError(ProblemError):
    status = 409
    code = "conflict"


class ForbiddenError(ProblemError):
    status = 403
    code = "forbidden"


class UnauthorizedError(ProblemError):
    """401 with the `WWW-Authenticate: Bearer` challenge the contract requires."""

    status = 401
    code = "token_invalid"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class PreconditionFailedError(ProblemError):
    status = 412
    code = "precondition_failed"


class ValidationProblemError(ProblemError):
    """A 422 raised by code after Pydantic's own validation (e.g. a bad cursor)."""

    status = 422
    code = "validation_error"


class RateLimitedError(ProblemError):
    status = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})


class ServerBusyError(ProblemError):
    """Too much work of one kind is waiting (password hashes): refused fast, retry later."""

    status = 503
    code = "server_busy"
    title = "Service Unavailable"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after_seconds))})


# Framework statuses -> stable codes.
HTTP_STATUS_CODES = {
    400: "bad_request",
    401: "token_invalid",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def sanitized_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Where and why validation failed, without `input`/`ctx`: they would echo passwords."""
    return [
        {
            "loc": [part if isinstance(part, int | str) else str(part) for part in error["loc"]],
            "msg": str(error["msg"]),
            "type": str(error["type"]),
        }
        for error in errors
    ]


def validation_problem(errors: Sequence[Any]) -> JSONResponse:
    return problem_response(
        422,
        "validation_error",
        "The request is not valid; see `errors`.",
        title="Validation error",
        errors=sanitized_errors(errors),
    )


async def _problem_error(_: Request, error: Exception) -> JSONResponse:
    return cast("ProblemError", error).to_response()


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    return validation_problem(cast("RequestValidationError", error).errors())


async def _http_error(_: Request, exception: Exception) -> JSONResponse:
    error = cast("StarletteHTTPException", exception)
    status = error.status_code
    code = HTTP_STATUS_CODES.get(status, "error")
    default_phrase = HTTPStatus(status).phrase
    detail = error.detail if isinstance(error.detail, str) else default_phrase
    if status == 401:
        detail = "Not authenticated." if detail == default_phrase else detail
    return problem_response(status, code, detail, headers=error.headers)


def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """While PostgreSQL is unreachable (or the pool stays full), tell clients when to retry."""
    retry_after = str(request.app.state.settings.retry_after_seconds)
    if isinstance(error, sa_exc.TimeoutError):
        logger.warning("database pool exhausted: %s", error)
        return problem_response(
            503,
            "database_busy",
            "The service is busy; try again shortly.",
            headers={"Retry-After": retry_after},
        )
    logger.warning("database unavailable: %s: %s", type(error).__name__, error)
    return problem_response(
        503,
        "database_unavailable",
        "The database is unavailable; try again shortly.",
        headers={"Retry-After": retry_after},
    )


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    is_outage = not isinstance(error, sa_exc.DBAPIError) or (
        isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)
        or error.connection_invalidated
    )
    if not is_outage:
        raise error  # a bug (e.g. an unmapped IntegrityError), not an outage: a logged 500
    return database_unavailable(request, error)


# Errors that mean "the database cannot be reached right now", not "this request is wrong".
DATABASE_OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DBAPIError,
    # Raised by asyncpg itself: on the driver's hot path (`core.driver`), and by a pooled
    # connection the server cut while it sat idle ("cannot switch to state ...; another
    # operation is in progress"), which SQLAlchemy does not translate.
    *CONNECTION_ERRORS,
    ConnectionError,
    TimeoutError,
    OSError,
)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error_type in DATABASE_OUTAGE_ERRORS:
        app.add_exception_handler(error_type, _database_error)
