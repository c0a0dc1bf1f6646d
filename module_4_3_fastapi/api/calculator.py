"""Calculator routes: ``GET /calculator/{operation}`` and ``POST /calculator/evaluate``.

GET suits an operation on two query parameters (safe, cacheable); an expression is a body, so
evaluating it is a POST. Domain errors (division by zero, overflow) come back as 422 problems.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

from module_4_3_fastapi.calculator import MAX_EXPRESSION_LENGTH, Operation, calculate, evaluate
from module_4_3_fastapi.errors import problem_responses

router = APIRouter(prefix="/calculator", tags=["4.3.1 hello, calculator, echo"])

# An int stays an int (2 + 3 is 5, not 5.0); NaN and infinities are refused at validation.
Number = int | FiniteFloat


class OperationResult(BaseModel):
    operation: Operation = Field(examples=[Operation.MULTIPLY])
    a: Number = Field(examples=[6])
    b: Number = Field(examples=[7])
    result: Number = Field(examples=[42])


class Expression(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expression: str = Field(
        min_length=1, max_length=MAX_EXPRESSION_LENGTH, examples=["2 * (3 + 4) ** 2"]
    )


class ExpressionResult(BaseModel):
    expression: str = Field(examples=["2 * (3 + 4) ** 2"])
    result: Number = Field(examples=[98])


@router.get(
    "/{operation}",
    summary="Apply one operation to two numbers",
    description="`add`, `subtract`, `multiply`, `divide` or `power` of `a` and `b`. "
    "Division by zero and results out of range are 422 problems with their own `code`.",
    responses=problem_responses(422),
)
async def apply_operation(
    operation: Annotated[Operation, Path(description="what to do with a and b")],
    a: Annotated[Number, Query(description="the left operand", examples=[6])],
    b: Annotated[Number, Query(description="the right operand", examples=[7])],
) -> OperationResult:
    # region 4.3.1 core: answer an OperationResult with calculate(operation, a, b) as the result
    return OperationResult(operation=operation, a=a, b=b, result=calculate(operation, a, b))
    # endregion 4.3.1


@router.post(
    "/evaluate",
    summary="Evaluate an arithmetic expression safely",
    description="Numbers, `+ - * / // % **` and parentheses, at most "
    f"{MAX_EXPRESSION_LENGTH} characters and 32 levels deep; results up to 1000 digits. "
    "The expression is walked as a syntax tree, never passed to `eval`.",
    responses=problem_responses(413, 422),
)
async def evaluate_expression(body: Expression) -> ExpressionResult:
    # region 4.3.1 extra: answer an ExpressionResult with evaluate(body.expression)
    return ExpressionResult(expression=body.expression, result=evaluate(body.expression))
    # endregion 4.3.1
