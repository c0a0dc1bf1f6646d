"""``GET``/``POST /echo``: returns what the request carried, to see how FastAPI reads a request.

Only harmless headers are echoed: ``Authorization`` and ``Cookie`` never come back.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Body, Request
from pydantic import AfterValidator, BaseModel, Field, JsonValue

from module_4_3_fastapi.errors import problem_responses

router = APIRouter(prefix="/echo", tags=["4.3.1 hello, calculator, echo"])

ECHOED_HEADERS = ("accept", "content-type", "user-agent", "x-request-id")


def _finite_numbers_only(value: JsonValue) -> JsonValue:
    """Refuse NaN and Infinity: Python's JSON parser accepts them, JSON itself does not."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError("NaN and Infinity are not JSON numbers")
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


StrictJson = Annotated[JsonValue, AfterValidator(_finite_numbers_only)]


class Echo(BaseModel):
    method: str = Field(examples=["POST"])
    path: str = Field(examples=["/echo"])
    query: dict[str, list[str]] = Field(examples=[{"tag": ["a", "b"]}])
    headers: dict[str, str] = Field(examples=[{"content-type": "application/json"}])
    body: JsonValue = Field(default=None, examples=[{"hello": "world"}])


def _describe(request: Request, body: JsonValue) -> Echo:
    # region 4.3.1 core: describe the request: method, path, repeated query values, ECHOED_HEADERS
    #: tip: request.query_params.multi_items() keeps every value of a repeated parameter
    query: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        query.setdefault(key, []).append(value)
    headers = {name: request.headers[name] for name in ECHOED_HEADERS if name in request.headers}
    return Echo(
        method=request.method, path=request.url.path, query=query, headers=headers, body=body
    )
    # endregion 4.3.1


@router.get(
    "",
    summary="Echo a request without a body",
    description="Method, path, query parameters (repeatable) and selected headers.",
)
async def echo_get(request: Request) -> Echo:
    return _describe(request, None)


@router.post(
    "",
    summary="Echo a JSON body",
    description="Any JSON value comes back unchanged under `body`, with the request's method, "
    f"path, query parameters and these headers: {', '.join(ECHOED_HEADERS)}.",
    responses=problem_responses(413, 422),
)
async def echo_post(
    request: Request,
    body: Annotated[StrictJson, Body(examples=[{"hello": "world", "numbers": [1, 2, 3]}])],
) -> Echo:
    return _describe(request, body)
