"""Reusable field types: identifiers, texts, e-mail, age and birth date, UTC timestamps.

Each type is an `Annotated` alias that carries its own constraints and validators, so every model
that uses it validates it the same way and its JSON Schema says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
ADULT_AGE = 18  # the rule is "older than 18": 18 is refused, 19 accepted
OLDEST_AGE = 150

# PostgreSQL's `integer` is 32-bit; a larger id would fail in the driver instead of here.
Id = Annotated[int, Field(gt=0, le=2**31 - 1)]


def _reject_nul(text: str) -> str:
    # PostgreSQL cannot store NUL in text; the driver would fail with an internal error.
    if "\x00" in text:
        raise PydanticCustomError("string_nul", "Text must not contain the NUL character")
    return text


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Title = Annotated[str, _text(200), AfterValidator(_reject_nul)]
PostBody = Annotated[str, _text(20_000), AfterValidator(_reject_nul)]
CommentBody = Annotated[str, _text(2_000), AfterValidator(_reject_nul)]
FullName = Annotated[str, _text(100), AfterValidator(_reject_nul)]
Username = Annotated[
    str,
    StringConstraints(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"),
]


def _fold_tag(value: object) -> object:
    # StringConstraints checks its pattern before `to_lower`; fold first, then check.
    return value.strip().lower() if isinstance(value, str) else value


Tag = Annotated[
    str,
    StringConstraints(max_length=30, pattern=r"^[a-z0-9][a-z0-9-]*$"),
    BeforeValidator(_fold_tag),
]


def normalize_email(address: str) -> str:
    """A valid address in canonical form: Unicode-normalised and lower-cased, local part too.

    RFC 5321 lets a server treat the local part case-sensitively, but no common mail provider
    does, and users type `Ann@` and `ann@` for the same mailbox: one account per mailbox wins.
    """
    # region 4.4.2 extra: email-validator, offline, lower-cased
    try:
        # No DNS look-up: validation must be fast, offline and deterministic.
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise PydanticCustomError(
            "email_invalid", "Not a valid email address: {reason}", {"reason": str(error)}
        ) from None
    return checked.normalized.lower()
    # endregion 4.4.2


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(normalize_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


def _to_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+03:00 is in the year 0 in UTC
        raise PydanticCustomError(
            "datetime_out_of_range", "Datetime is out of range once converted to UTC"
        ) from None


# Naive timestamps are refused (which zone were they in?); aware ones are stored in UTC.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

# `True` is an int to Python and "19" becomes 19 in lax mode: an age must be a real integer.
AdultAge = Annotated[StrictInt, Field(gt=ADULT_AGE, le=OLDEST_AGE)]


def today_utc(info: ValidationInfo | None = None) -> date:
    """Today's date in UTC, or the `today` a caller passed in the validation context (for tests)."""
    context = info.context if info is not None else None
    if isinstance(context, Mapping) and isinstance(context.get("today"), date):
        today: date = context["today"]
        return today
    return datetime.now(UTC).date()


def age_on(birth_date: date, today: date) -> int:
    """Completed years on `today`. Born on 29 February: a year older on 1 March in common years."""
    # region 4.4.2 extra: completed years, leap days included
    birthday_passed = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if birthday_passed else 1)
    # endregion 4.4.2


def _calendar_date_only(value: object) -> object:
    # Lax mode would read 1_000_000_000 and "20080101" as Unix timestamps, and accept a datetime.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_type", "Input should be a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as error:  # 2007-02-29, 2008-13-01
        raise PydanticCustomError(
            "date_parsing", "Input should be a valid date: {reason}", {"reason": str(error)}
        ) from None


def _check_adult(birth_date: date, info: ValidationInfo) -> date:
    # region 4.4.2 extra: a birth date in the past, over 18 today in UTC
    today = today_utc(info)
    if birth_date > today:
        raise PydanticCustomError("date_past", "Date should be in the past")
    age = age_on(birth_date, today)
    if age > OLDEST_AGE:
        raise PydanticCustomError(
            "birth_date_too_old",
            "Birth date is more than {oldest} years ago",
            {"oldest": OLDEST_AGE},
        )
    if age <= ADULT_AGE:
        raise PydanticCustomError(
            "too_young",
            "Must be older than {adult}: this birth date makes {age} today (UTC)",
            {"adult": ADULT_AGE, "age": age},
        )
    return birth_date
    # endregion 4.4.2


AdultBirthDate = Annotated[date, BeforeValidator(_calendar_date_only), AfterValidator(_check_adult)]
