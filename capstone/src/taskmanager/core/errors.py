"""One error format for the whole API: RFC 9457 problem+json with a stable `code`.

Domains raise a `ProblemError` subclass; the handlers here also turn the framework's own 404, 405
and 422 and database outages into problems, never echoing what the client sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

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


# FastAPI's 400 when a body cannot even be decoded (bytes that are not UTF-8, a broken form).
_UNPARSABLE_BODY = "There was an error parsing the body"
UNPARSABLE_BODY_ERRORS = [
    {"loc": ("body",), "msg": "The body cannot be parsed.", "type": "json_invalid"}
]


def _documented_resources(app: Any) -> list[tuple[re.Pattern[str], list[str]]]:
    """Each documented path as a pattern with its methods, literal paths before templates."""
    resources = []
    for template, item in app.openapi()["paths"].items():
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", pattern)  # `{task_id}`: one segment
        methods = {method.upper() for method in item} & HTTP_METHODS
        if "GET" in methods:
            methods.add("HEAD")  # Starlette answers HEAD wherever GET is served
        resources.append((template.count("{"), re.compile(pattern + "$"), sorted(methods)))
    resources.sort(key=lambda resource: resource[0])
    return [(pattern, methods) for _, pattern, methods in resources]


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def allowed_methods(app: Any, path: str) -> list[str] | None:
    """Every method the documented resource at `path` answers; None for an undocumented path.

    Starlette's own 405 names the methods of one route only (`Allow: POST` on `/api/v1/tasks`,
    which GET serves too). A literal path (`/tasks/stats`) wins over a template (`/tasks/{id}`).
    """
    resources = getattr(app.state, "documented_resources", None)
    if resources is None:
        resources = app.state.documented_resources = _documented_resources(app)
    return next((methods for pattern, methods in resources if pattern.match(path)), None)


async def _http_error(request: Request, exception: Exception) -> JSONResponse:
    error = cast("StarletteHTTPException", exception)
    status = error.status_code
    if status == 400 and error.detail == _UNPARSABLE_BODY:
        # One status for every malformed body: 422, as for a body that is not valid JSON.
        return validation_problem(UNPARSABLE_BODY_ERRORS)
    code = HTTP_STATUS_CODES.get(status, "error")
    default_phrase = HTTPStatus(status).phrase
    detail = error.detail if isinstance(error.detail, str) else default_phrase
    headers = dict(error.headers or {})
    if status == 401:
        detail = "Not authenticated." if detail == default_phrase else detail
    if status == 405:
        methods = allowed_methods(request.app, request.url.path)
        if methods is not None:
            headers["Allow"] = ", ".join(methods)
    return problem_response(status, code, detail, headers=headers)


class DatabaseConnectionError(Exception):
    """A database connection failed underneath a query: a socket error, or no answer in time.

    Raised (from the original `OSError`/`TimeoutError`) where the database is used — the engine's
    `handle_error` hook and `core.driver.pooled_connection` — so that a bare `OSError` or
    `TimeoutError` from anywhere else stays what it is: a bug, a logged 500.
    """


# SQLSTATEs that mean the server ended the statement or the connection, not that it was wrong.
QUERY_CANCELED = "57014"  # statement_timeout (or a cancel request)
SERVER_GONE = frozenset(
    {
        "57P01",  # admin_shutdown: pg_terminate_backend, or a fast shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or shutting down
        "53300",  # too_many_connections
    }
)
_OUTAGES = {
    "database_busy": "The service is busy; try again shortly.",
    "database_unavailable": "The database is unavailable; try again shortly.",
    "database_timeout": "The database did not answer in time; try again shortly.",
}


def _driver_error(error: BaseException) -> BaseException:
    """asyncpg's own exception under SQLAlchemy's wrappers (the error itself if none)."""
    if isinstance(error, sa_exc.DBAPIError) and error.orig is not None:
        error = error.orig
        if error.__cause__ is not None:  # SQLAlchemy's asyncpg adapter raises `from` it
            error = error.__cause__
    return error


def outage_code(error: BaseException) -> str | None:
    """`database_busy`/`database_unavailable`/`database_timeout` when `error` is a database
    outage or a server-side cancellation; None when it is anything else (a bug)."""
    if isinstance(error, sa_exc.TimeoutError):  # the pool stayed full for `pool_timeout`
        return "database_busy"
    cause = _driver_error(error)
    if isinstance(cause, asyncpg.PostgresError):
        state = str(getattr(cause, "sqlstate", ""))
        if state == QUERY_CANCELED:
            return "database_timeout"
        # Class 08 is "connection exception"; the others, the server going away.
        lost = state.startswith("08") or state in SERVER_GONE
    else:
        # Named by the engine or the driver path; the connection closed under an operation;
        # or, untranslated by SQLAlchemy, a pooled connection the server cut while it sat idle
        # ("cannot switch to state ...").
        lost = isinstance(
            cause,
            DatabaseConnectionError
            | asyncpg.ConnectionDoesNotExistError
            | asyncpg.InternalClientError,
        )
    invalidated = isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    return "database_unavailable" if lost or invalidated else None


def database_problem(request: Request, code: str) -> JSONResponse:
    """A 503 that tells clients when to retry."""
    retry_after = str(request.app.state.settings.retry_after_seconds)
    return problem_response(503, code, _OUTAGES[code], headers={"Retry-After": retry_after})


def _describe_database_error(error: BaseException) -> str:
    """What failed, without a bound value: SQLSTATE, constraint, the statement's SQL only.

    asyncpg's message carries PostgreSQL's DETAIL ("Failing row contains (...)": an email, a
    password hash), so not even the message of an unexpected error goes into the log.
    """
    cause = _driver_error(error)
    parts = [f"{type(error).__name__} ({type(cause).__module__}.{type(cause).__name__})"]
    for name in ("sqlstate", "constraint_name", "table_name", "column_name"):
        value = getattr(cause, name, None)
        if value:
            parts.append(f"{name}={value}")
    statement = getattr(error, "statement", None)
    if statement:
        parts.append(f"statement={' '.join(str(statement).split())[:500]}")
    return " ".join(parts)


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    code = outage_code(error)
    if code is None:  # a bug (e.g. a statement PostgreSQL refused), not an outage: a 500
        logger.error(
            "database error in %s %s: %s",
            request.method,
            request.url.path,
            _describe_database_error(error),
        )
        return problem_response(
            500, "internal_error", "An unexpected error occurred; it has been logged."
        )
    logger.warning("%s: %s", code, type(_driver_error(error)).__name__)
    return database_problem(request, code)


# Everything the database layer raises. `outage_code` sorts outages (503) from bugs (500).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.TimeoutError,
    DatabaseConnectionError,
    asyncpg.PostgresError,  # raised by asyncpg itself on the driver's hot path (`core.driver`)
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, _database_error)
