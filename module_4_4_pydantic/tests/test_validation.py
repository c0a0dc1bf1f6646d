"""4.4.2: strong password, correct email, age over 18: tables of good and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pydantic import ValidationError

from module_4_4_pydantic.users import PasswordChange, UserCreate

pytestmark = pytest.mark.task("4.4.2", level="extra")

TODAY = date(2027, 2, 28)  # a common year: 29 February birthdays have not come yet
PASSWORD = "Violet-Harbor-42"
VALID = {
    "username": "ann_lee",
    "email": "ann.lee@example.com",
    "password": PASSWORD,
    "passwordConfirm": PASSWORD,
    "age": 30,
}


def register(today: date = TODAY, **changes: Any) -> UserCreate:
    payload = {**VALID, **changes}
    if "password" in changes and "passwordConfirm" not in changes:
        payload["passwordConfirm"] = changes["password"]
    payload = {key: value for key, value in payload.items() if value is not ...}
    return UserCreate.model_validate(payload, context={"today": today})


def rejection(**changes: Any) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        register(**changes)
    return error.value


def locations_and_types(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(item["loc"]), item["type"]) for item in error.errors()]


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"age": 19}, "age", 19),
        ({"age": 150}, "age", 150),
        ({"age": ..., "birthDate": "2008-02-28"}, "birth_date", date(2008, 2, 28)),
        ({"age": ..., "birthDate": date(1990, 1, 1)}, "birth_date", date(1990, 1, 1)),
        ({"email": "Ann.Lee@EXAMPLE.com"}, "email", "ann.lee@example.com"),
        ({"email": "  ann@example.com "}, "email", "ann@example.com"),
        ({"email": "ann@bücher.example"}, "email", "ann@bücher.example"),
        ({"email": "ann+blog@example.co.uk"}, "email", "ann+blog@example.co.uk"),
        ({"username": "a.b-c_1"}, "username", "a.b-c_1"),
        ({"fullName": "  Ann Lee "}, "full_name", "Ann Lee"),
    ],
)
def test_accepts(changes: dict[str, Any], field: str, expected: object) -> None:
    assert getattr(register(**changes), field) == expected


@pytest.mark.parametrize(
    "password",
    [
        "Violet Harbor 42",  # a space is a symbol
        "Aa1!" + "é" * 34,  # exactly 72 bytes: 38 characters
        "Zq8#kLmw",  # exactly 8 characters
        "Пароль-Надёжный-7",  # Cyrillic letters have case too
    ],
)
def test_accepts_a_strong_password(password: str) -> None:
    assert register(password=password).password.get_secret_value() == password


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"age": 18}, [(("age",), "greater_than")]),
        ({"age": 0}, [(("age",), "greater_than")]),
        ({"age": 151}, [(("age",), "less_than_equal")]),
        ({"age": True}, [(("age",), "int_type")]),
        ({"age": "19"}, [(("age",), "int_type")]),
        ({"age": 19.0}, [(("age",), "int_type")]),
        ({"age": ...}, [((), "age_required")]),
        ({"birthDate": "1990-01-01"}, [((), "age_given_twice")]),
        ({"age": ..., "birthDate": "2008-03-01"}, [(("birthDate",), "too_young")]),
        ({"age": ..., "birthDate": "2008-02-29"}, [(("birthDate",), "too_young")]),
        ({"age": ..., "birthDate": "2027-03-01"}, [(("birthDate",), "date_past")]),
        ({"age": ..., "birthDate": "1876-01-01"}, [(("birthDate",), "birth_date_too_old")]),
        ({"age": ..., "birthDate": "2007-02-29"}, [(("birthDate",), "date_parsing")]),
        ({"age": ..., "birthDate": "20000101"}, [(("birthDate",), "date_type")]),
        ({"age": ..., "birthDate": "2000-01-01T00:00:00"}, [(("birthDate",), "date_type")]),
        ({"age": ..., "birthDate": datetime(2000, 1, 1)}, [(("birthDate",), "date_type")]),
        ({"age": ..., "birthDate": 946_684_800}, [(("birthDate",), "date_type")]),
        ({"email": "ann"}, [(("email",), "email_invalid")]),
        ({"email": "ann@example"}, [(("email",), "email_invalid")]),
        ({"email": "ann@@example.com"}, [(("email",), "email_invalid")]),
        ({"email": "Ann <ann@example.com>"}, [(("email",), "email_invalid")]),
        ({"email": "ann@example.test"}, [(("email",), "email_invalid")]),
        ({"email": 42}, [(("email",), "string_type")]),
        ({"username": "al"}, [(("username",), "string_too_short")]),
        ({"username": "ann lee"}, [(("username",), "string_pattern_mismatch")]),
        ({"passwordConfirm": "Violet-Harbor-43"}, [(("passwordConfirm",), "password_mismatch")]),
        (
            {"password": 12345678},
            [(("password",), "string_type"), (("passwordConfirm",), "string_type")],
        ),
        ({"password": ...}, [(("password",), "missing"), (("passwordConfirm",), "missing")]),
        ({"isAdmin": True}, [(("isAdmin",), "extra_forbidden")]),
        (
            {"email": "nope", "age": 17, "password": "short"},
            [
                (("email",), "email_invalid"),
                (("password",), "weak_password"),
                (("age",), "greater_than"),
            ],
        ),
    ],
)
def test_rejects(changes: dict[str, Any], expected: list[tuple[object, str]]) -> None:
    assert locations_and_types(rejection(**changes)) == expected


def test_a_leap_day_birthday_comes_on_the_first_of_march_in_a_common_year() -> None:
    born = {"age": ..., "birthDate": "2008-02-29"}

    assert register(today=date(2027, 3, 1), **born).birth_date == date(2008, 2, 29)
    assert register(today=date(2028, 2, 29), **{**born, "birthDate": "2009-02-28"}).birth_date


def test_the_nineteenth_birthday_is_the_first_day_accepted() -> None:
    assert register(today=date(2027, 6, 15), age=..., birthDate="2008-06-15")
    with pytest.raises(ValidationError) as error:
        register(today=date(2027, 6, 14), age=..., birthDate="2008-06-15")
    assert error.value.errors()[0]["ctx"] == {"adult": 18, "age": 18}


@pytest.mark.parametrize(
    ("local_moment", "accepted"),
    [
        # 20:30 on 14 June in New York is 00:30 on 15 June in UTC: 19 years old in UTC only.
        (datetime(2027, 6, 14, 20, 30, tzinfo=ZoneInfo("America/New_York")), True),
        # 08:30 on 15 June in Tokyo is 23:30 on 14 June in UTC: 19 years old locally only.
        (datetime(2027, 6, 15, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo")), False),
    ],
)
def test_without_a_today_in_the_context_the_date_is_today_in_utc(
    local_moment: datetime, accepted: bool
) -> None:
    payload = {key: value for key, value in VALID.items() if key != "age"}
    payload["birthDate"] = "2008-06-15"

    # time-machine also sets the local time zone (TZ) to the destination's zone.
    with time_machine.travel(local_moment, tick=False):
        assert date.today() != datetime.now(UTC).date()  # the premise: local and UTC dates differ
        if accepted:
            assert UserCreate.model_validate(payload).birth_date == date(2008, 6, 15)
        else:
            with pytest.raises(ValidationError) as error:
                UserCreate.model_validate(payload)
            assert locations_and_types(error.value) == [(("birthDate",), "too_young")]


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("Sh0rt!", ["min_length"]),
        ("violet-harbor-42", ["uppercase"]),
        ("VIOLET-HARBOR-42", ["lowercase"]),
        ("Violet-Harbor-xx", ["digit"]),
        ("VioletHarbor42", ["symbol"]),
        ("Aa1!" + "é" * 35, ["max_bytes"]),
        ("Tab\tHarbor-42", ["no_control_characters"]),
        ("Ann_Lee-2024!", ["not_username"]),
        ("P@ssw0rd2024!", ["not_common"]),
        ("Qwerty123!", ["not_common"]),
        ("", ["min_length", "lowercase", "uppercase", "digit", "symbol"]),
        ("password", ["uppercase", "digit", "symbol", "not_common"]),
    ],
)
def test_a_weak_password_is_refused_with_every_broken_rule(
    password: str, broken: list[str]
) -> None:
    error = rejection(password=password)

    assert locations_and_types(error) == [(("password",), "weak_password")]
    assert error.errors()[0]["ctx"] == {"broken_rules": broken}


def test_the_password_may_not_contain_the_email_local_part() -> None:
    error = rejection(username="annie", password="Ann.Lee.2024!")

    assert error.errors()[0]["ctx"] == {"broken_rules": ["not_email"]}
    assert error.errors()[0]["msg"] == (
        "Password must not contain the part of your email address before the @."
    )


def test_every_broken_rule_is_named_in_one_plain_sentence() -> None:
    error = rejection(password="short")

    assert error.errors()[0]["msg"] == (
        "Password must be at least 8 characters long, contain an upper-case letter, "
        "contain a digit and contain a symbol (! ? # or a space, for example)."
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "Tr0ub4dor&3-but-too-long-" * 3},
        {"password": "hunter2hunter2", "email": "not-an-email"},
        {"passwordConfirm": "Violet-Harbor-43"},
        {"password": "Violet-Harbor-42", "username": ...},
        {"age": ...},
        {"password": "Violet-Harbor-42", "passwordConfirm": ...},
    ],
)
def test_the_password_never_appears_in_an_error(changes: dict[str, Any]) -> None:
    error = rejection(**changes)
    secrets = {value for key, value in changes.items() if "assword" in key and value is not ...}
    secrets |= {PASSWORD, "Violet-Harbor-43"}

    shown = [str(error), error.json(), repr(error.errors()), repr(error)]
    for text in shown:
        for secret in secrets:
            assert secret not in text


def test_password_change_checks_the_new_password_against_the_account() -> None:
    body = {
        "currentPassword": PASSWORD,
        "newPassword": "Ann.Lee-Harbor-1",
        "newPasswordConfirm": "Ann.Lee-Harbor-1",
    }
    account = {"username": "harbor", "email": "ann.lee@example.com"}

    assert PasswordChange.model_validate(body)  # without the account, nothing to compare with
    with pytest.raises(ValidationError) as error:
        PasswordChange.model_validate(body, context=account)
    assert locations_and_types(error.value) == [(("newPassword",), "weak_password")]
    assert error.value.errors()[0]["ctx"] == {"broken_rules": ["not_username", "not_email"]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"newPasswordConfirm": "Quiet-Meadow-8"},
            [(("newPasswordConfirm",), "password_mismatch")],
        ),
        (
            {"newPassword": PASSWORD, "newPasswordConfirm": PASSWORD},
            [(("newPassword",), "password_unchanged")],
        ),
        (
            {"newPassword": "weak", "newPasswordConfirm": "weak"},
            [(("newPassword",), "weak_password")],
        ),
    ],
)
def test_password_change_rejects(
    changes: dict[str, str], expected: list[tuple[object, str]]
) -> None:
    body = {"currentPassword": PASSWORD, "newPassword": "Quiet-Meadow-7"}
    body |= {"newPasswordConfirm": "Quiet-Meadow-7", **changes}

    with pytest.raises(ValidationError) as error:
        PasswordChange.model_validate(body)

    assert locations_and_types(error.value) == expected
    assert PASSWORD not in error.value.json()
