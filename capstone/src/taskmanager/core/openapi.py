"""Documented error responses, so every operation in /docs lists its failures with examples."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from taskmanager.core.errors import HTTP_STATUS_CODES, problem_body

_EXAMPLES: dict[int, tuple[str, str]] = {
    401: ("token_invalid", "The access token is invalid or has expired."),
    403: ("forbidden", "This action needs the admin role."),
    404: ("not_found", "The resource does not exist."),
    409: ("conflict", "The request conflicts with the current state."),
    412: ("precondition_failed", "If-Match does not match the current version."),
    413: ("payload_too_large", "The request body exceeds 1048576 bytes."),
    422: ("validation_error", "The request is not valid; see `errors`."),
    429: ("rate_limited", "Too many failed logins; try again later."),
    503: ("database_unavailable", "The database is unavailable; try again shortly."),
}
_DESCRIPTIONS = {
    401: "Missing, invalid or expired credentials (`WWW-Authenticate: Bearer`).",
    403: "The caller lacks the role this needs.",
    404: "Not found (or not yours).",
    409: "Conflict with the current state.",
    412: "The `If-Match` version is stale.",
    413: "The request body is too large.",
    422: "Invalid input; `errors` says where (submitted values are never echoed).",
    429: "Too many attempts; see `Retry-After`.",
    503: "The database is unreachable or too slow (`database_unavailable`, `database_timeout`, "
    "`database_busy`), or too many passwords wait to be checked (`server_busy`); retry after "
    "`Retry-After` seconds.",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


def problem_responses(
    *statuses: int, codes: dict[int, tuple[str, str]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status as problem+json with an example body.

    `codes` overrides the example for a status, e.g. `{409: ("email_taken", "...")}`.
    """
    examples = {**_EXAMPLES, **(codes or {})}
    responses: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 422, 503):
        code, detail = examples[status]
        responses[status] = {
            "description": _DESCRIPTIONS[status],
            "content": {
                "application/problem+json": {
                    "schema": PROBLEM_SCHEMA,
                    "example": problem_body(status, code, detail),
                }
            },
        }
    return responses


def _problem_content(status: int) -> dict[str, Any]:
    code, detail = _EXAMPLES.get(status, (HTTP_STATUS_CODES.get(status, "error"), "See `code`."))
    return {
        "application/problem+json": {
            "schema": PROBLEM_SCHEMA,
            "example": problem_body(status, code, detail),
        }
    }


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every 4xx/5xx response that a route declared without a body the problem+json one,
    and replace FastAPI's default 422 (`HTTPValidationError`, which this API never sends);
    add the 401 of authenticated operations and the 503 of a database outage everywhere."""
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            # Failures every operation of a kind shares, whether or not its route listed them.
            if operation.get("security"):
                responses.setdefault("401", {"description": _DESCRIPTIONS[401]})
            if path.startswith("/api/"):
                responses.setdefault("503", {"description": _DESCRIPTIONS[503]})
            for status, response in responses.items():
                if status[:1] not in {"4", "5"}:
                    continue
                content = response.get("content", {})
                if "application/problem+json" not in content:
                    response["content"] = _problem_content(int(status))
                    if int(status) == 422:
                        response["description"] = _DESCRIPTIONS[422]
    schemas = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Build the schema once, with every error documented as problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
