"""``GET /hello``: the smallest endpoint, with one optional, constrained query parameter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from module_4_3_fastapi.errors import problem_responses

router = APIRouter(tags=["4.3.1 hello, calculator, echo"])


class Greeting(BaseModel):
    message: str = Field(examples=["Hello, world!"])


@router.get(
    "/hello",
    summary="Say hello",
    description="Greets `name`, or the world when no name is given.",
    responses=problem_responses(422),
)
async def say_hello(
    name: Annotated[
        str, Query(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$", examples=["Ada"])
    ] = "world",
) -> Greeting:
    # region 4.3.1 core: greet `name` with a Greeting("Hello, <name>!")
    return Greeting(message=f"Hello, {name}!")
    # endregion 4.3.1
