"""Field types and base models every request and response schema builds on.

PostgreSQL cannot store NUL in text (asyncpg would fail with a 500), so every text field refuses
it at validation; request bodies refuse unknown fields.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.config import JsonSchemaExtraCallable
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


def _reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# asyncpg stores exactly these two instants as PostgreSQL's -infinity and infinity, and reads
# those back as naive datetimes: a due date of 9999-12-31T23:59:59.999999Z would not survive.
_INFINITIES = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def _not_a_number(value: object) -> object:
    """Pydantic reads a number (or numeric text, as in a query string) as Unix time: the API
    takes RFC 3339 timestamps only, as its schema says (`format: date-time`)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMERIC.fullmatch(value)):
        raise ValueError("must be an RFC 3339 timestamp, e.g. 2026-12-01T17:00:00Z")
    return value


_NUMERIC = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _to_utc(value: datetime) -> datetime:
    # 0001-01-01T00:00+01:00 is a valid timestamp whose UTC form falls before year 1: converting
    # it raises OverflowError, which Pydantic would let through as a 500.
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp out of range") from None
    if utc in _INFINITIES:
        raise ValueError("timestamp out of range")
    return utc


class _NoNulInSchema:
    """Says in the JSON Schema what `_reject_nul` enforces, so that clients generated from the
    OpenAPI document (and fuzzers) never send a NUL the API would refuse."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = r"^[^\u0000]*$"  # ECMA-262 and Python's re both read \u0000
        return schema


Text = Annotated[str, AfterValidator(_reject_nul), _NoNulInSchema]
"""Any text the database stores: NUL is refused."""
TrimmedText = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_reject_nul), _NoNulInSchema
]
"""Text with surrounding whitespace removed (length limits apply after trimming)."""
UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_to_utc)]
"""A timestamp with an offset (RFC 3339), normalised to UTC."""


def examples_without_null_defaults(*examples: dict[str, Any]) -> JsonSchemaExtraCallable:
    """`json_schema_extra` of a partial update: its examples, and no `"default": null` on a field
    whose schema does not allow null (`SkipJsonSchema[None]`: left out means unchanged)."""

    def extra(schema: dict[str, Any]) -> None:
        for field in schema.get("properties", {}).values():
            if "default" in field and field["default"] is None and "anyOf" not in field:
                del field["default"]
        schema["examples"] = list(examples)

    return extra


class RequestModel(BaseModel):
    """A request body: unknown fields are a 422, not silently dropped; NaN/Infinity refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ResponseModel(BaseModel):
    """A response body, read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
