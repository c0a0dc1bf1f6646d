"""`read_query` reads a query model as FastAPI does; `query_parameters` documents it the same."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from taskmanager.core.query import inline_references, query_parameters, read_query

pytestmark = pytest.mark.task("4.8.2", level="core")


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Sample(BaseModel):
    colour: list[Colour] = Field(default_factory=list, description="Repeatable.")
    size: int = Field(default=1, ge=1, le=10, examples=[2])
    name: str | None = None
    shade: Colour = Colour.RED
    maybe: list[int] | None = None
    required: str


def request_with(query: str) -> Request:
    return Request({"type": "http", "query_string": query.encode(), "headers": []})


def test_repeated_parameters_fill_a_list_field_and_the_others_take_the_last_value() -> None:
    sample = read_query(
        request_with("colour=red&colour=blue&size=2&size=3&maybe=4&maybe=5&unknown=x&required=y"),
        Sample,
    )

    assert sample == Sample(colour=[Colour.RED, Colour.BLUE], size=3, maybe=[4, 5], required="y")


def test_missing_parameters_take_their_defaults() -> None:
    assert read_query(request_with("required=r"), Sample) == Sample(required="r")


def test_each_invalid_parameter_is_located_under_query() -> None:
    with pytest.raises(RequestValidationError) as raised:
        read_query(request_with("colour=red&colour=green&size=11&maybe=1&maybe=x"), Sample)

    errors = raised.value.errors()
    assert [error["loc"] for error in errors] == [
        ("query", "colour", 1),
        ("query", "size"),
        ("query", "maybe", 1),
        ("query", "required"),
    ]
    assert [error["type"] for error in errors] == [
        "enum",
        "less_than_equal",
        "int_parsing",
        "missing",
    ]


async def test_the_errors_are_the_ones_fastapi_gives_for_the_same_model() -> None:
    app = FastAPI()

    @app.get("/fastapi")
    async def by_fastapi(query: Annotated[Sample, Query()]) -> None:
        raise AssertionError("not reached")

    query = "colour=green&size=0&name=n&maybe=1&maybe=two"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(f"/fastapi?{query}")
    with pytest.raises(RequestValidationError) as raised:
        read_query(request_with(query), Sample)

    assert response.status_code == 422
    assert [(error["loc"], error["type"], error["msg"]) for error in raised.value.errors()] == [
        (tuple(error["loc"]), error["type"], error["msg"]) for error in response.json()["detail"]
    ]


def test_documented_as_fastapi_documents_a_query_model() -> None:
    app = FastAPI()

    @app.get("/fastapi")
    async def by_fastapi(query: Annotated[Sample, Query()]) -> None: ...

    @app.get("/ours", openapi_extra={"parameters": query_parameters(Sample)})
    async def ours(request: Request) -> None: ...

    schema = app.openapi()
    components = schema["components"]["schemas"]
    fastapi_parameters = inline_references(
        schema["paths"]["/fastapi"]["get"]["parameters"], components, "#/components/schemas/"
    )

    assert schema["paths"]["/ours"]["get"]["parameters"] == fastapi_parameters
    shade = next(p for p in fastapi_parameters if p["name"] == "shade")
    assert shade["schema"] == {
        "type": "string",
        "enum": ["red", "blue"],
        "title": "Colour",
        "default": "red",
    }


async def test_the_task_list_documents_each_query_parameter(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/api/v1/tasks"]["get"]

    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert list(parameters) == [
        "status",
        "priority",
        "tag",
        "q",
        "due_before",
        "due_after",
        "overdue",
        "sort",
        "limit",
        "cursor",
    ]
    assert all(parameter["in"] == "query" for parameter in parameters.values())
    assert parameters["status"]["schema"]["items"]["enum"] == ["todo", "in_progress", "done"]
    assert parameters["limit"]["schema"]["maximum"] == 100
    assert "-created_at" in parameters["sort"]["schema"]["enum"]
