"""One error format for every failure: RFC 9457 ``application/problem+json``.

Routes raise :class:`ApiError` subclasses (or domain errors mapped here); the handlers turn
those, ``HTTPException``, validation errors and anything unexpected into the same JSON shape.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from module_4_3_fastapi.calculator import CalculationError

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Stable machine-readable codes for failures raised by the framework itself (routing, security).
_CODES_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    500: "internal_error",
    503: "service_unavailable",
}


# RFC 9110's names, which Python 3.11's HTTPStatus does not use yet.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def _title(status: int) -> str:
    return _TITLES.get(status) or HTTPStatus(status).phrase


class ValidationIssue(BaseModel):
    """One invalid field: where, what is wrong, and the error type; never the submitted value."""

    loc: list[str | int] = Field(examples=[["body", "expression"]])
    msg: str = Field(examples=["String should have at most 1000 characters"])
    type: str = Field(examples=["string_too_long"])


class Problem(BaseModel):
    """An RFC 9457 problem document, plus ``code`` for programs and ``errors`` for 422s."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no file with id 0b5c6a7e-4d8b-4e55-9a43-3f1f8f0c2a11"])
    code: str = Field(examples=["not_found"])
    errors: list[ValidationIssue] | None = None


class ApiError(StarletteHTTPException):
    """An error a client can cause, with its HTTP status and a stable ``code``.

    It subclasses Starlette's ``HTTPException`` on purpose: FastAPI re-raises those unchanged when
    they come out of reading a request body, where any other exception becomes a 400.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code=self.status, detail=detail, headers=dict(headers or {}))


class BadRequestError(ApiError):
    status = 400
    code = "bad_request"


class NotAuthenticatedError(ApiError):
    status = 401
    code = "not_authenticated"


class TokenInvalidError(ApiError):
    status = 401
    code = "token_invalid"


class ForbiddenError(ApiError):
    status = 403
    code = "forbidden"


class NotFoundError(ApiError):
    status = 404
    code = "not_found"


class PayloadTooLargeError(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(ApiError):
    status = 415
    code = "unsupported_media_type"


class UnprocessableContentError(ApiError):
    status = 422
    code = "unprocessable_content"


class ServiceUnavailableError(ApiError):
    status = 503
    code = "service_unavailable"


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    errors: list[ValidationIssue] | None = None,
) -> JSONResponse:
    """The response every failure ends as (also used by the body-size middleware)."""
    problem = Problem(title=_title(status), status=status, detail=detail, code=code, errors=errors)
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = exc.code if isinstance(exc, ApiError) else _CODES_BY_STATUS.get(exc.status_code)
    detail = exc.detail
    # The router raises 404 and 405 with only the status phrase: say what did not match.
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    elif exc.status_code == 405 and exc.headers and "Allow" in exc.headers:
        detail = f"{request.method} is not allowed here; allowed: {exc.headers['Allow']}"
    return problem_response(
        exc.status_code, code or "http_error", detail, headers=exc.headers or None
    )


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    # Only where and why: the default handler echoes ``input``, which may be a password, and
    # fails with a 500 when that input holds NaN.
    issues = [
        ValidationIssue(loc=list(error["loc"]), msg=error["msg"], type=error["type"])
        for error in exc.errors()
    ]
    count = len(issues)
    detail = f"{count} invalid field{'s' if count != 1 else ''}: " + "; ".join(
        f"{'.'.join(map(str, issue.loc))}: {issue.msg}" for issue in issues[:5]
    )
    return problem_response(422, "validation_error", detail, errors=issues)


async def calculation_error_handler(_: Request, exc: CalculationError) -> JSONResponse:
    """A calculation without an answer (division by zero, ...) is a 422 problem with its code."""
    # region 4.3.1 core: answer a 422 problem_response with the error's code and message
    return problem_response(422, exc.code, str(exc))
    # endregion 4.3.1


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error(
        "unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc
    )
    return problem_response(500, "internal_error", "an unexpected error occurred; it was logged")


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure to the problem+json handlers above."""
    # The decorator form accepts handlers typed for their own exception class.
    app.exception_handler(StarletteHTTPException)(_http_exception)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(CalculationError)(calculation_error_handler)
    app.exception_handler(Exception)(_unhandled_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting these error statuses with an example each."""
    return {
        status: {
            "description": _title(status),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": _EXAMPLES.get(status, _example(status, "see detail")),
                }
            },
        }
        for status in statuses
    }


def _example(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": _CODES_BY_STATUS.get(status, "http_error"),
        **extra,
    }


_EXAMPLES = {
    400: _example(400, "the multipart body ended before its closing boundary"),
    401: _example(401, "send an Authorization: Bearer <token> header"),
    403: _example(403, "this token lacks the 'notes:write' scope"),
    404: _example(404, "no note with id 0b5c6a7e-4d8b-4e55-9a43-3f1f8f0c2a11"),
    413: _example(413, "file 'video.mp4' is larger than the 10 MiB limit"),
    415: _example(415, "send the files as multipart/form-data"),
    422: _example(
        422,
        "1 invalid field: query.b: Input should be a valid number",
        errors=[
            {
                "loc": ["query", "b"],
                "msg": "Input should be a valid number",
                "type": "float_parsing",
            }
        ],
    ),
    503: _example(503, "the database is not answering; try again shortly"),
}
