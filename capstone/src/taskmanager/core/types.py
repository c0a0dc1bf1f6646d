"""Field types and base models every request and response schema builds on.

PostgreSQL cannot store NUL in text (asyncpg would fail with a 500), so every text field refuses
it at validation; request bodies refuse unknown fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints


def _reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# asyncpg stores exactly these two instants as PostgreSQL's -infinity and infinity, and reads
# those back as naive datetimes: a due date of 9999-12-31T23:59:59.999999Z would not survive.
_INFINITIES = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


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


Text = Annotated[str, AfterValidator(_reject_nul)]
"""Any text the database stores: NUL is refused."""
TrimmedText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_reject_nul)]
"""Text with surrounding whitespace removed (length limits apply after trimming)."""
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timestamp with an offset (RFC 3339), normalised to UTC."""


class RequestModel(BaseModel):
    """A request body: unknown fields are a 422, not silently dropped; NaN/Infinity refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ResponseModel(BaseModel):
    """A response body, read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
