"""Base classes of the API models: camelCase JSON, strict input, secrets kept out of errors.

Input models refuse unknown keys (a typo must not be silently dropped); output models ignore
them, so JSON they produced (with computed fields in it) validates back into an equal model.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

MASK = "**********"  # what SecretStr shows instead of the secret


class ApiModel(BaseModel):
    """snake_case in Python, camelCase in JSON; both spellings accepted on input."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        field_title_generator=lambda name, _info: name.replace("_", " ").capitalize(),
    )


class InputModel(ApiModel):
    """A request body: an unknown key is an error, not something to drop silently."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(ApiModel):
    """A response body: built from our own data (or ORM objects), read back from our own JSON."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)


class SecretInputModel(InputModel):
    """An input model with secrets: no error message, error list or dump ever shows them.

    `hide_input_in_errors` only hides inputs from `str(error)`; `error.errors()` and
    `error.json()` still carry them, and a web framework echoes those back to the client.
    A subclass's own `model_validator`s run outside this one: they raise `field_error`, which
    attaches no input.
    """

    model_config = ConfigDict(hide_input_in_errors=True)
    secret_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="wrap")
    @classmethod
    def _mask_secrets_in_errors(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # region 4.4.2 extra: mask the secrets in every error
        try:
            return handler(data)
        except ValidationError as error:
            keys = cls.secret_fields | {to_camel(name) for name in cls.secret_fields}
            masked = [_mask_error(details, keys) for details in error.errors(include_url=False)]
            raise ValidationError.from_exception_data(error.title, masked) from None
        # endregion 4.4.2


def _mask_error(details: ErrorDetails, secret_keys: AbstractSet[str]) -> InitErrorDetails:
    loc = tuple(details["loc"])
    value = details["input"]
    if loc and loc[0] in secret_keys:
        value = MASK
    elif isinstance(value, dict):  # errors about the whole body (a missing key) carry all of it
        value = {key: MASK if key in secret_keys else item for key, item in value.items()}
    return InitErrorDetails(
        type=PydanticCustomError(details["type"], details["msg"], details.get("ctx")),
        loc=loc,
        input=value,
    )


def field_error(
    model: type[BaseModel], loc: tuple[str | int, ...], error_type: str, message: str
) -> ValidationError:
    """A validation error pinned to one field, for a check that needs several fields to decide.

    A model validator's `ValueError` has the location `()`; a client wants to know which field
    to highlight, so the error is built with its location instead.
    """
    details = InitErrorDetails(type=PydanticCustomError(error_type, message), loc=loc, input=None)
    # pydantic-core keeps the locations of a ValidationError raised in a validator (its PR #510).
    return ValidationError.from_exception_data(model.__name__, [details])


def check_partial_update(update: BaseModel, nullable: Iterable[str] = ()) -> None:
    """A PATCH body changes at least one field and sets no required field to null."""
    given = update.model_fields_set
    if not given:
        raise PydanticCustomError("empty_update", "Give at least one field to change")
    nulls = sorted(name for name in given - set(nullable) if getattr(update, name) is None)
    if nulls:
        details = [
            InitErrorDetails(
                type=PydanticCustomError("null_not_allowed", "This field cannot be null"),
                loc=(to_camel(name),),
                input=None,
            )
            for name in nulls
        ]
        raise ValidationError.from_exception_data(type(update).__name__, details)
