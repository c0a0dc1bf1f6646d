"""4.4.2: the password policy on its own, without any model around it."""

from __future__ import annotations

import pytest

from module_4_4_pydantic.passwords import (
    PasswordRule,
    broken_password_rules,
    common_passwords,
    describe_broken_rules,
    is_common_password,
)

pytestmark = pytest.mark.task("4.4.2", level="extra")


def test_the_shipped_list_is_loaded_once_and_lower_case() -> None:
    words = common_passwords()

    assert len(words) > 19_000
    assert {"123456", "password", "qwerty"} <= words
    assert all(word == word.lower() for word in words)
    assert common_passwords() is words


@pytest.mark.parametrize(
    "password",
    ["password", "PASSWORD", "P@ssw0rd", "Password1!", "!!Dragon2024", "@dmin123!", "Qwerty123!"],
)
def test_a_dressed_up_common_password_is_still_common(password: str) -> None:
    assert is_common_password(password)


@pytest.mark.parametrize("password", ["Violet-Harbor-42", "Zq8#kLmw", "Ab1!", "1!x"])
def test_an_uncommon_password_or_a_too_short_core_is_not_common(password: str) -> None:
    assert not is_common_password(password)


def test_a_short_username_or_email_local_part_is_not_looked_for() -> None:
    assert broken_password_rules("Al-Harbor-42", username="al", email="al@example.com") == []


def test_the_identity_check_ignores_case() -> None:
    broken = broken_password_rules("xANN_LEEx-42", username="Ann_Lee", email="ANN.LEE@example.com")

    assert broken == [PasswordRule.NOT_USERNAME]


def test_one_broken_rule_reads_as_one_requirement() -> None:
    assert describe_broken_rules([PasswordRule.DIGIT]) == "Password must contain a digit."


def test_many_broken_rules_read_as_one_sentence() -> None:
    rules = [PasswordRule.MIN_LENGTH, PasswordRule.UPPERCASE, PasswordRule.NOT_COMMON]

    assert describe_broken_rules(rules) == (
        "Password must be at least 8 characters long, contain an upper-case letter "
        "and not be a commonly used password."
    )


def test_rule_codes_are_stable_names() -> None:
    assert [rule.code for rule in PasswordRule] == [
        "min_length",
        "max_bytes",
        "no_control_characters",
        "lowercase",
        "uppercase",
        "digit",
        "symbol",
        "not_username",
        "not_email",
        "not_common",
    ]
