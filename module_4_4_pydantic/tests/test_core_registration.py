"""4.4.2 core: `UserRegistration` refuses a weak password, a bad email and an age of 18 or less."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from pydantic import ValidationError

from module_4_4_pydantic.registration import password_problems

pytestmark = pytest.mark.task("4.4.2", level="core")

# The learner writes the class: it is looked up by name, so the tests type-check before it exists.
registration: Any = importlib.import_module("module_4_4_pydantic.registration")

VALID = {
    "username": "ann_lee",
    "email": "ann.lee@example.com",
    "password": "Violet-Harbor-42",
    "age": 30,
}


def register(**changes: Any) -> Any:
    return registration.UserRegistration.model_validate({**VALID, **changes})


def rejected_fields(**changes: Any) -> set[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as error:
        register(**changes)
    return {tuple(item["loc"]) for item in error.value.errors()}


def test_a_valid_registration_is_accepted() -> None:
    user = register()

    assert (user.username, user.email, user.age) == ("ann_lee", "ann.lee@example.com", 30)
    assert user.password == "Violet-Harbor-42"


@pytest.mark.parametrize("age", [19, 40, 120])
def test_an_age_over_18_is_accepted(age: int) -> None:
    assert register(age=age).age == age


@pytest.mark.parametrize("age", [18, 17, 0, -1])
def test_an_age_of_18_or_less_is_refused(age: int) -> None:
    assert rejected_fields(age=age) == {("age",)}


@pytest.mark.parametrize("age", ["19", True, 19.5, None])
def test_the_age_must_be_a_real_integer(age: object) -> None:
    assert rejected_fields(age=age) == {("age",)}


@pytest.mark.parametrize(
    "email", ["ann", "ann@", "@example.com", "ann@@example.com", "ann lee@example.com", 42]
)
def test_an_invalid_email_is_refused(email: object) -> None:
    assert rejected_fields(email=email) == {("email",)}


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt!",  # too short
        "violet-harbor-42",  # no upper case
        "VIOLET-HARBOR-42",  # no lower case
        "Violet-Harbor-xx",  # no digit
        "VioletHarbor42",  # no symbol
        "",
    ],
)
def test_a_weak_password_is_refused(password: str) -> None:
    assert rejected_fields(password=password) == {("password",)}
    assert password_problems(password)


@pytest.mark.parametrize(
    "password", ["Violet-Harbor-42", "Zq8#kLmw", "Пароль-Надёжный-7", "A b 1 c d"]
)
def test_a_strong_password_has_no_problems(password: str) -> None:
    assert password_problems(password) == []
    assert register(password=password).password == password


def test_each_broken_rule_is_one_problem() -> None:
    assert len(password_problems("violet")) == 4  # short, no upper case, no digit, no symbol
    assert len(password_problems("VioletHarbor42")) == 1


def test_all_problems_are_reported_together() -> None:
    assert rejected_fields(email="nope", password="weak", age=18) == {
        ("email",),
        ("password",),
        ("age",),
    }
