"""4.4.2 core: a registration form that refuses a weak password, a bad email and a minor.

`UserRegistration.model_validate(data)` returns the valid form or raises one `ValidationError`
that lists every problem, each at its field: `password`, `email` or `age`.
"""

from __future__ import annotations

# region 4.4.2 core: UserRegistration: EmailStr, a password field_validator, a strict age > 18
#: tip: from pydantic import BaseModel, EmailStr, Field, StrictInt, field_validator
#: tip: age: StrictInt = Field(gt=ADULT_AGE) refuses "19" and True, which lax mode would accept
#: tip: the validator raises ValueError with the problems from password_problems()
from pydantic import BaseModel, EmailStr, Field, StrictInt, field_validator

ADULT_AGE = 18  # "older than 18": 18 is refused, 19 accepted


class UserRegistration(BaseModel):
    """What a new user sends to sign up."""

    username: str = Field(min_length=3, max_length=32)
    email: EmailStr
    password: str
    age: StrictInt = Field(gt=ADULT_AGE)

    @field_validator("password")
    @classmethod
    def password_is_strong(cls, password: str) -> str:
        problems = password_problems(password)
        if problems:
            raise ValueError("weak password: " + ", ".join(problems))
        return password


# endregion 4.4.2

MIN_PASSWORD_LENGTH = 8


def password_problems(password: str) -> list[str]:
    """What makes `password` weak, one short phrase per broken rule; empty when it is strong.

    Strong: at least MIN_PASSWORD_LENGTH characters, with a lower-case letter, an upper-case
    letter, a digit and a symbol (anything that is neither a letter nor a digit, space included).
    """
    # region 4.4.2 core: one phrase per rule the password breaks
    #: tip: str.islower(), str.isupper(), str.isdigit() and str.isalnum() on each character
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"shorter than {MIN_PASSWORD_LENGTH} characters")
    if not any(character.islower() for character in password):
        problems.append("no lower-case letter")
    if not any(character.isupper() for character in password):
        problems.append("no upper-case letter")
    if not any(character.isdigit() for character in password):
        problems.append("no digit")
    if all(character.isalnum() for character in password):
        problems.append("no symbol")
    return problems
    # endregion 4.4.2
