"""4.3.1: hello world, calculator (operations and safe evaluation) and echo; one error format."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from module_4_3_fastapi.calculator import (
    MAX_RESULT_DIGITS,
    InvalidExpressionError,
    Operation,
    calculate,
    evaluate,
)
from module_4_3_fastapi.tests.support import assert_problem

pytestmark = pytest.mark.task("4.3.1")


async def test_hello_greets_the_world_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/hello")

    assert response.status_code == 200
    assert response.json() == {"message": "Hello, world!"}


async def test_hello_greets_a_name(client: httpx.AsyncClient) -> None:
    response = await client.get("/hello", params={"name": "Ада"})

    assert response.json() == {"message": "Hello, Ада!"}


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
    assert problem["detail"] == "division by zero"


@pytest.mark.parametrize(
    ("a", "b", "code"),
    [
        ("10", "1000", "result_out_of_range"),
        ("1e300", "2", "result_out_of_range"),
        ("-8", "0.5", "not_a_real_number"),
    ],
)
async def test_calculator_power_out_of_range_is_a_domain_error(
    client: httpx.AsyncClient, a: str, b: str, code: str
) -> None:
    response = await client.get("/calculator/power", params={"a": a, "b": b})

    assert_problem(response, 422, code)


async def test_calculator_unknown_operation_lists_the_valid_ones(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/calculator/modulo", params={"a": 1, "b": 2})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["path", "operation"]
    assert "'add'" in str(problem["detail"])


@pytest.mark.parametrize("b", ["nan", "inf", "-Infinity", "two", ""])
async def test_calculator_refuses_operands_that_are_not_finite_numbers(
    client: httpx.AsyncClient, b: str
) -> None:
    response = await client.get("/calculator/add", params={"a": "1", "b": b})

    assert_problem(response, 422, "validation_error")


async def test_calculator_requires_both_operands(client: httpx.AsyncClient) -> None:
    response = await client.get("/calculator/add", params={"a": "1"})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"] == [
        {"loc": ["query", "b"], "msg": "Field required", "type": "missing"}
    ]


@pytest.mark.parametrize(
    ("expression", "result"),
    [
        ("2 * (3 + 4) ** 2", 98),
        ("-3 + +5", 2),
        ("7 // 2 + 7 % 2", 4),
        ("1 / 4", 0.25),
        ("2 ** -1", 0.5),
        ("2 ** 3 ** 2", 512),
        ("10 ** 999 - 10 ** 999", 0),
    ],
)
async def test_evaluate_computes_arithmetic(
    client: httpx.AsyncClient, expression: str, result: float
) -> None:
    response = await client.post("/calculator/evaluate", json={"expression": expression})

    assert response.status_code == 200
    assert response.json() == {"expression": expression, "result": result}


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("9**9**9", "result_out_of_range"),
        ("10 ** 1000", "result_out_of_range"),
        ("1e308 * 10", "result_out_of_range"),
        ("1 / 0", "division_by_zero"),
        ("5 % 0", "division_by_zero"),
        ("(-1) ** 0.5", "not_a_real_number"),
        ("__import__('os').system('true')", "invalid_expression"),
        ("abs(-1)", "invalid_expression"),
        ("x + 1", "invalid_expression"),
        ("'a' * 3", "invalid_expression"),
        ("1j", "invalid_expression"),
        ("True + 1", "invalid_expression"),
        ("[1][0]", "invalid_expression"),
        ("1 +", "invalid_expression"),
        ("1 < 2", "invalid_expression"),
        ("-" * 40 + "1", "expression_too_complex"),
        ("(" * 300 + "1" + ")" * 300, "invalid_expression"),
    ],
)
async def test_evaluate_refuses_what_is_not_safe_arithmetic(
    client: httpx.AsyncClient, expression: str, code: str
) -> None:
    started = time.perf_counter()
    response = await client.post("/calculator/evaluate", json={"expression": expression})

    assert_problem(response, 422, code)
    assert time.perf_counter() - started < 1.0  # refused before any expensive work


async def test_evaluate_refuses_a_long_expression_by_validation(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/calculator/evaluate", json={"expression": "1+" * 500 + "1"})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["type"] == "string_too_long"


async def test_evaluate_refuses_a_10_mb_expression_before_reading_it_all(
    client: httpx.AsyncClient,
) -> None:
    body = b'{"expression": "' + b"1+" * 5_000_000 + b'1"}'

    response = await client.post(
        "/calculator/evaluate", content=body, headers={"content-type": "application/json"}
    )

    problem = assert_problem(response, 413, "payload_too_large")
    assert "16 KiB" in str(problem["detail"])


async def test_evaluate_refuses_unknown_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/calculator/evaluate", json={"expression": "1", "mode": "x"})

    assert_problem(response, 422, "validation_error")


@given(a=st.integers(-(10**50), 10**50), b=st.integers(-(10**50), 10**50))
def test_evaluate_agrees_with_the_operations(a: int, b: int) -> None:
    assert evaluate(f"({a}) + ({b})") == calculate(Operation.ADD, a, b) == a + b
    assert evaluate(f"({a}) * ({b})") == calculate(Operation.MULTIPLY, a, b) == a * b


@given(digits=st.integers(1, MAX_RESULT_DIGITS + 5))
def test_results_are_bounded_by_digit_count(digits: int) -> None:
    expression = f"10 ** {digits - 1}"
    if digits <= MAX_RESULT_DIGITS:
        assert len(str(evaluate(expression))) == digits
    else:
        with pytest.raises(ValueError, match="more than 1000 digits"):
            evaluate(expression)


def test_evaluate_rejects_an_expression_over_the_length_limit_directly() -> None:
    with pytest.raises(ValueError, match="at most 1000 characters"):
        evaluate("1" * 1001)
    with pytest.raises(InvalidExpressionError):
        evaluate("")
    assert math.isclose(evaluate("0.1 + 0.2"), 0.3)


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
