"""4.3.1 extra: one error format for every failure, body limits, and what is never echoed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from module_4_3_fastapi.tests.support import assert_problem

pytestmark = pytest.mark.task("4.3.1", level="extra")


@pytest.mark.parametrize("name", ["", "x" * 101, "line\nbreak"])
async def test_hello_refuses_a_bad_name_without_echoing_it(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get("/hello", params={"name": name})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["query", "name"]
    assert "input" not in problem["errors"][0]
    if name:
        assert name not in response.text


@pytest.mark.parametrize("body", [b'{"x": NaN}', b"[Infinity]", b"-Infinity"])
async def test_echo_refuses_nan_and_infinity(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        "/echo", content=body, headers={"content-type": "application/json"}
    )

    assert_problem(response, 422, "validation_error")


async def test_malformed_json_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/echo", content=b'{"a": ', headers={"content-type": "application/json"}
    )

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["type"] == "json_invalid"


async def test_deeply_nested_json_is_a_client_error_not_a_crash(
    client: httpx.AsyncClient,
) -> None:
    body = b"[" * 5000 + b"]" * 5000

    response = await client.post(
        "/echo", content=body, headers={"content-type": "application/json"}
    )

    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_json_body_over_the_limit_is_413_even_without_content_length(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"padding": "'
        for _ in range(40):
            yield b"x" * 1024
        yield b'"}'

    response = await client.post(
        "/echo", content=chunks(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload_too_large")


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")

    problem = assert_problem(response, 404, "not_found")
    assert problem["detail"] == "nothing at /no/such/thing"


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/hello")

    problem = assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"
    assert problem["detail"] == "DELETE is not allowed here; allowed: GET"


async def test_an_unhandled_error_is_a_500_problem_without_a_trace_and_is_logged(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal state")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.ERROR, logger="module_4_3_fastapi.errors"):
            response = await client.get("/boom")

    problem = assert_problem(response, 500, "internal_error")
    assert "secret internal state" not in response.text
    assert problem["title"] == "Internal Server Error"
    assert "unhandled RuntimeError on GET /boom" in caplog.text
    assert "secret internal state" in caplog.text  # the log keeps what the client must not see
