"""Every failure as RFC 9457 ``application/problem+json``, never echoing what the client sent."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_RESPONSE: dict[str, Any] = {
    "description": "An RFC 9457 problem document",
    "content": {PROBLEM_MEDIA_TYPE: {}},
}


def problem(status: int, detail: str, code: str, **extra: object) -> JSONResponse:
    """A problem document with a stable machine-readable ``code``."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for HTTPException only
    code = "not_found" if error.status_code == 404 else HTTPStatus(error.status_code).name.lower()
    response = problem(error.status_code, str(error.detail), code)
    response.headers.update(error.headers or {})
    return response


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
    # FastAPI's default handler echoes the input; list where and what, never the value.
    issues = [
        {"loc": list(issue["loc"]), "msg": issue["msg"], "type": issue["type"]}
        for issue in error.errors()
    ]
    return problem(422, "the request is not valid", "validation_error", errors=issues)


def install_error_handlers(app: FastAPI) -> None:
    """Route framework errors through :func:`problem`."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
