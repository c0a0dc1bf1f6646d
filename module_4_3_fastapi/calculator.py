"""Arithmetic for the calculator endpoints: five operations and a safe expression evaluator.

The evaluator walks Python's AST and allows only numbers, + - * / // % ** and parentheses, with
limits on length, depth and result size, so ``9**9**9`` is refused before any work is done.
No ``eval``: nothing in an expression can name a variable, call a function or touch a file.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from enum import StrEnum
from typing import ClassVar

Number = int | float

MAX_EXPRESSION_LENGTH = 1000
MAX_EXPRESSION_DEPTH = 32
MAX_RESULT_DIGITS = 1000
_INTEGER_LIMIT = 10**MAX_RESULT_DIGITS


class Operation(StrEnum):
    """The operations of ``GET /calculator/{operation}``."""

    ADD = "add"
    SUBTRACT = "subtract"
    MULTIPLY = "multiply"
    DIVIDE = "divide"
    POWER = "power"


class CalculationError(ValueError):
    """A calculation that has no answer a client can use; ``code`` names the reason."""

    code: ClassVar[str] = "calculation_error"


class DivisionByZeroError(CalculationError):
    code = "division_by_zero"


class ResultOutOfRangeError(CalculationError):
    code = "result_out_of_range"


class NotARealNumberError(CalculationError):
    code = "not_a_real_number"


class InvalidExpressionError(CalculationError):
    code = "invalid_expression"


class ExpressionTooComplexError(CalculationError):
    code = "expression_too_complex"


def _checked(value: object) -> Number:
    """The value if it is a real number within the result limits, else a domain error."""
    if isinstance(value, complex):
        raise NotARealNumberError("the result is not a real number")
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= _INTEGER_LIMIT:
            raise ResultOutOfRangeError(f"the result has more than {MAX_RESULT_DIGITS} digits")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ResultOutOfRangeError("the result is too large for a floating-point number")
        return value
    raise InvalidExpressionError(f"{type(value).__name__} is not a number")


def _power(base: Number, exponent: Number) -> Number:
    # An integer power's size is known in advance: refuse it before spending CPU and memory.
    # base ** exponent has at least exponent * (bits(base) - 1) + 1 bits.
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and exponent * (abs(base).bit_length() - 1) >= _INTEGER_LIMIT.bit_length()
    ):
        raise ResultOutOfRangeError(f"the result has more than {MAX_RESULT_DIGITS} digits")
    result: object = base**exponent
    return _checked(result)


_BINARY: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _power,
}
_UNARY: dict[type[ast.unaryop], Callable[[Number], Number]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_OPERATIONS: dict[Operation, Callable[[Number, Number], Number]] = {
    Operation.ADD: operator.add,
    Operation.SUBTRACT: operator.sub,
    Operation.MULTIPLY: operator.mul,
    Operation.DIVIDE: operator.truediv,
    Operation.POWER: _power,
}


def _apply(function: Callable[..., Number], *operands: Number) -> Number:
    try:
        return _checked(function(*operands))
    except ZeroDivisionError:
        raise DivisionByZeroError("division by zero") from None
    except OverflowError:
        raise ResultOutOfRangeError("the result is too large for a floating-point number") from None


def calculate(operation: Operation, a: Number, b: Number) -> Number:
    """``a <operation> b``, or a :class:`CalculationError` saying why there is no answer."""
    # region 4.3.1 core: apply the operation; dividing by zero raises DivisionByZeroError
    #: tip: _OPERATIONS maps each Operation to its function; _apply turns ZeroDivisionError and
    #: OverflowError into the domain errors above and checks the result's range
    return _apply(_OPERATIONS[operation], _checked(a), _checked(b))
    # endregion 4.3.1


def evaluate(expression: str) -> Number:
    """The value of an arithmetic expression such as ``2 * (3 + 4) ** 2``."""
    # region 4.3.1 extra: parse with ast.parse(mode="eval") and walk the tree; never eval
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionTooComplexError(
            f"an expression is at most {MAX_EXPRESSION_LENGTH} characters"
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise InvalidExpressionError(f"not an arithmetic expression: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionTooComplexError("the expression is nested too deeply") from None
    return _evaluate_node(tree.body, depth=1)
    # endregion 4.3.1


def _evaluate_node(node: ast.expr, depth: int) -> Number:
    # region 4.3.1 extra: numbers, the operators of _BINARY and _UNARY, nothing else
    if depth > MAX_EXPRESSION_DEPTH:
        raise ExpressionTooComplexError(
            f"the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep"
        )
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _checked(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _evaluate_node(node.left, depth + 1)
        right = _evaluate_node(node.right, depth + 1)
        return _apply(_BINARY[type(node.op)], left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _apply(_UNARY[type(node.op)], _evaluate_node(node.operand, depth + 1))
    raise InvalidExpressionError(
        f"{type(node).__name__} is not allowed: use numbers, + - * / // % ** and parentheses"
    )
    # endregion 4.3.1
