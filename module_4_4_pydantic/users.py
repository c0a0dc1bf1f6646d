"""User models: what a client sends to register or change a profile, and what the API returns.

The password is write-only: it is accepted by `UserCreate` and `PasswordChange`, shown as
`**********` in any dump or error, and absent from every output model.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Self

from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from module_4_4_pydantic.base import (
    InputModel,
    OutputModel,
    SecretInputModel,
    check_partial_update,
    field_error,
)
from module_4_4_pydantic.fields import (
    AdultAge,
    AdultBirthDate,
    Email,
    FullName,
    Id,
    Username,
    UtcDatetime,
)
from module_4_4_pydantic.passwords import (
    PasswordRule,
    broken_password_rules,
    describe_broken_rules,
)

PASSWORD_POLICY = describe_broken_rules(list(PasswordRule))


def enforce_password_policy(
    password: SecretStr, *, username: str | None, email: str | None
) -> SecretStr:
    """Raise one error listing every rule the password breaks; the password itself never shown."""
    broken = broken_password_rules(password.get_secret_value(), username=username, email=email)
    if broken:
        raise PydanticCustomError(
            "weak_password",
            describe_broken_rules(broken),
            {"broken_rules": [rule.code for rule in broken]},
        )
    return password


class UserCreate(SecretInputModel):
    """Registration: who the user is, a strong password typed twice, and proof of age.

    The age is given either as a whole number of years (`age`) or as a birth date (`birthDate`),
    never both.
    """

    # The password check reads the username and the email, and a field validator sees only the
    # fields declared before its own: this order matters.
    secret_fields: ClassVar[frozenset[str]] = frozenset({"password", "password_confirm"})

    username: Username
    email: Email
    full_name: FullName | None = None
    password: SecretStr = Field(description=PASSWORD_POLICY)
    password_confirm: SecretStr = Field(description="The password again, to catch typos")
    age: AdultAge | None = None
    birth_date: AdultBirthDate | None = None

    @field_validator("password")
    @classmethod
    def _password_is_strong(cls, password: SecretStr, info: ValidationInfo) -> SecretStr:
        return enforce_password_policy(
            password, username=info.data.get("username"), email=info.data.get("email")
        )

    @model_validator(mode="after")
    def _confirmation_matches(self) -> Self:
        # region 4.4.2 extra: passwordConfirm equals password
        if self.password.get_secret_value() != self.password_confirm.get_secret_value():
            raise field_error(
                type(self), ("passwordConfirm",), "password_mismatch", "Passwords do not match"
            )
        return self
        # endregion 4.4.2

    @model_validator(mode="after")
    def _age_given_once(self) -> Self:
        # region 4.4.2 extra: exactly one of age and birthDate
        # `field_error` rather than a bare error: that would carry the whole body, password too.
        if self.age is None and self.birth_date is None:
            raise field_error(type(self), (), "age_required", "Give either age or birthDate")
        if self.age is not None and self.birth_date is not None:
            raise field_error(
                type(self), (), "age_given_twice", "Give either age or birthDate, not both"
            )
        return self
        # endregion 4.4.2


class UserUpdate(InputModel):
    """A profile change (PATCH): only the fields present change; `fullName: null` clears it."""

    email: Email | None = None
    full_name: FullName | None = None

    @model_validator(mode="after")
    def _is_a_change(self) -> Self:
        check_partial_update(self, nullable={"full_name"})
        return self


class PasswordChange(SecretInputModel):
    """A password change. Pass the account's `username` and `email` in the validation context,
    so the new password is checked against them too:
    `PasswordChange.model_validate(body, context={"username": ..., "email": ...})`.
    """

    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"current_password", "new_password", "new_password_confirm"}
    )

    current_password: SecretStr
    new_password: SecretStr = Field(description=PASSWORD_POLICY)
    new_password_confirm: SecretStr

    @field_validator("new_password")
    @classmethod
    def _new_password_is_strong(cls, password: SecretStr, info: ValidationInfo) -> SecretStr:
        account = info.context if isinstance(info.context, dict) else {}
        return enforce_password_policy(
            password, username=account.get("username"), email=account.get("email")
        )

    @model_validator(mode="after")
    def _confirmed_and_new(self) -> Self:
        new_password = self.new_password.get_secret_value()
        if new_password != self.new_password_confirm.get_secret_value():
            raise field_error(
                type(self), ("newPasswordConfirm",), "password_mismatch", "Passwords do not match"
            )
        if new_password == self.current_password.get_secret_value():
            raise field_error(
                type(self),
                ("newPassword",),
                "password_unchanged",
                "The new password must differ from the current one",
            )
        return self


class UserPublic(OutputModel):
    """What anyone may see of a user: shown as the author of posts and comments."""

    id: Id
    username: Username
    full_name: FullName | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def display_name(self) -> str:
        """The full name when the user gave one, else the username."""
        return self.full_name or self.username


class UserRead(UserPublic):
    """What the user themself (or an admin) sees: adds the email, status and sign-up time."""

    email: Email
    is_active: bool = True
    birth_date: date | None = None
    created_at: UtcDatetime
