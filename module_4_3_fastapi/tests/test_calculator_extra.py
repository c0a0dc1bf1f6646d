"""4.3.1 extra: the safe expression evaluator and the calculator's limits and refusals."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
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

pytestmark = pytest.mark.task("4.3.1", level="extra")

ROOT = Path(__file__).resolve().parents[2]


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
    response = await client.post("/calculator/evaluate", json={"expression": expression})

    assert_problem(response, 422, code)


@pytest.mark.parametrize("expression", ["9**9**9", "(10**100) ** (10**100)", "2 ** 2 ** 64"])
def test_a_huge_power_is_refused_before_it_is_computed(expression: str) -> None:
    # 9**9**9 has about 370 million digits: computing it first takes minutes and gigabytes.
    # A child process with a generous deadline turns that into a failure instead of a hang.
    script = (
        "import sys\n"
        "from module_4_3_fastapi.calculator import ResultOutOfRangeError, evaluate\n"
        "try:\n"
        "    evaluate(sys.argv[1])\n"
        "except ResultOutOfRangeError as error:\n"
        "    print(error)\n"
    )

    completed = subprocess.run(
        [sys.executable, "-c", script, expression],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"the result has more than {MAX_RESULT_DIGITS} digits"


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
