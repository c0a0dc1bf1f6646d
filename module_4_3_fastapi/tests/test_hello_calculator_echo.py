"""4.3.1 core: hello world, the two-operand calculator and echo, through HTTP.

Division by zero reaches the client through the exception handler, as a problem+json 422.
"""

from __future__ import annotations

import httpx
import pytest

from module_4_3_fastapi.tests.support import assert_problem

pytestmark = pytest.mark.task("4.3.1", level="core")


async def test_hello_greets_the_world_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/hello")

    assert response.status_code == 200
    assert response.json() == {"message": "Hello, world!"}


async def test_hello_greets_a_name(client: httpx.AsyncClient) -> None:
    response = await client.get("/hello", params={"name": "Ада"})

    assert response.json() == {"message": "Hello, Ада!"}


@pytest.mark.parametrize(
    ("operation", "a", "b", "result"),
    [
        ("add", "2", "3", 5),
        ("subtract", "2", "3.5", -1.5),
        ("multiply", "-4", "2.5", -10.0),
        ("divide", "7", "2", 3.5),
        ("power", "2", "10", 1024),
        ("power", "4", "0.5", 2.0),
    ],
)
async def test_calculator_applies_each_operation(
    client: httpx.AsyncClient, operation: str, a: str, b: str, result: float
) -> None:
    response = await client.get(f"/calculator/{operation}", params={"a": a, "b": b})

    assert response.status_code == 200
    body = response.json()
    assert body["operation"] == operation
    assert body["result"] == result
    assert type(body["result"]) is type(result)  # integers stay integers


async def test_calculator_division_by_zero_is_a_domain_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/calculator/divide", params={"a": 1, "b": 0})

    problem = assert_problem(response, 422, "division_by_zero")
    assert "zero" in problem["detail"]  # the error's message, whatever its wording


async def test_echo_returns_body_query_selected_headers_method_and_path(
    client: httpx.AsyncClient,
) -> None:
    payload = {"text": "привет", "numbers": [1, 2.5, None], "nested": {"ok": True}}

    response = await client.post(
        "/echo",
        params=[("tag", "a"), ("tag", "b"), ("page", "2")],
        json=payload,
        headers={"X-Request-ID": "abc-123", "Authorization": "Bearer secret-token-value"},
    )

    assert response.status_code == 200
    echo = response.json()
    assert echo["method"] == "POST"
    assert echo["path"] == "/echo"
    assert echo["query"] == {"tag": ["a", "b"], "page": ["2"]}
    assert echo["body"] == payload
    assert echo["headers"]["x-request-id"] == "abc-123"
    assert echo["headers"]["content-type"] == "application/json"
    assert "authorization" not in echo["headers"]
    assert "secret-token-value" not in response.text


@pytest.mark.parametrize("payload", ["a string", 42, False, [], [1, [2, [3]]]])
async def test_echo_returns_any_json_value(client: httpx.AsyncClient, payload: object) -> None:
    response = await client.post("/echo", json=payload)

    assert response.json()["body"] == payload


async def test_echo_returns_a_json_null(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/echo", content=b"null", headers={"content-type": "application/json"}
    )

    assert response.status_code == 200
    assert response.json()["body"] is None


async def test_echo_get_has_no_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/echo", params={"q": "x"})

    assert response.json() | {"headers": {}} == {
        "method": "GET",
        "path": "/echo",
        "query": {"q": ["x"]},
        "headers": {},
        "body": None,
    }
