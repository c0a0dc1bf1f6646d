"""Request and response bodies of the users endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, EmailStr, Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from taskmanager.core.passwords import BCRYPT_MAX_PASSWORD_BYTES
from taskmanager.core.types import (
    RequestModel,
    ResponseModel,
    TrimmedText,
    examples_without_null_defaults,
)
from taskmanager.users.models import FULL_NAME_MAX_LENGTH, Role

PASSWORD_MIN_BYTES = 8


def _check_password_rules(password: str) -> str:
    # Pydantic's max_length counts characters; bcrypt's limit is 72 *bytes* of UTF-8.
    size = len(password.encode())
    if not PASSWORD_MIN_BYTES <= size <= BCRYPT_MAX_PASSWORD_BYTES:
        raise ValueError(
            f"must be {PASSWORD_MIN_BYTES}..{BCRYPT_MAX_PASSWORD_BYTES} bytes of UTF-8"
        )
    if "\x00" in password:
        raise ValueError("must not contain NUL characters")
    if not (
        any(char.islower() for char in password)
        and any(char.isupper() for char in password)
        and any(char.isdigit() for char in password)
    ):
        raise ValueError("must contain a lower-case letter, an upper-case letter and a digit")
    return password


def _lower_case(email: str) -> str:
    return email.lower()


NewPassword = Annotated[
    str,
    AfterValidator(_check_password_rules),
    Field(
        description="8..72 bytes of UTF-8 with a lower-case letter, an upper-case letter "
        "and a digit.",
        examples=["Correct-Horse-9"],
    ),
]
Email = Annotated[
    EmailStr,
    AfterValidator(_lower_case),
    Field(max_length=254, examples=["ada@example.com"]),
]
FullName = Annotated[TrimmedText, Field(max_length=FULL_NAME_MAX_LENGTH, examples=["Ada Lovelace"])]


class UserRead(ResponseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f4c1e-3d0a-4f7e-9a55-2f1f0c8d7e21",
                    "email": "ada@example.com",
                    "full_name": "Ada Lovelace",
                    "role": "user",
                    "is_active": True,
                    "created_at": "2026-01-31T09:30:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    email: str
    full_name: str | None
    role: Role
    is_active: bool
    created_at: datetime


class ProfileUpdate(RequestModel):
    """What users may change about themselves (role, email and activity are not)."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={"examples": [{"full_name": "Ada King"}]},
    )

    full_name: FullName | None


class PasswordChange(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [{"current_password": "Correct-Horse-9", "new_password": "Another-Horse-7"}]
        },
    )

    current_password: Annotated[str, Field(max_length=1024)]
    new_password: NewPassword


class AdminUserUpdate(RequestModel):
    """Any subset of the fields; `full_name: null` clears the name, the others cannot be null."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra=examples_without_null_defaults({"role": "admin", "is_active": True}),
    )

    full_name: FullName | None = None
    role: Role | SkipJsonSchema[None] = None  # null is refused: the schema does not offer it
    is_active: StrictBool | SkipJsonSchema[None] = None

    @field_validator("role", "is_active", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Only an explicit null reaches this (defaults are not validated).
        if value is None:
            raise ValueError("must not be null")
        return value
