"""Property-based tests (hypothesis): round trips, and the password policy as a specification."""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from module_4_4_pydantic.passwords import (
    MAX_BYTES,
    MIN_LENGTH,
    broken_password_rules,
    is_common_password,
)
from module_4_4_pydantic.posts import PostRead
from module_4_4_pydantic.users import UserCreate

EXAMPLES = settings(max_examples=100, deadline=None)

text_characters = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
texts = st.text(text_characters, min_size=1, max_size=60).map(str.strip).filter(bool)
ids = st.integers(min_value=1, max_value=2**31 - 1)
moments = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-9))]),
)
usernames = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}", fullmatch=True)
tags = st.from_regex(r"[a-z0-9][a-z0-9-]{0,29}", fullmatch=True)


@st.composite
def authors(draw: st.DrawFn) -> dict[str, object]:
    return {"id": draw(ids), "username": draw(usernames), "fullName": draw(st.none() | texts)}


@st.composite
def posts(draw: st.DrawFn) -> PostRead:
    post_id = draw(ids)
    created_at = draw(moments)
    comment = st.fixed_dictionaries(
        {
            "id": ids,
            "postId": st.just(post_id),
            "author": authors(),
            "body": texts,
            "createdAt": moments,
        }
    )
    return PostRead.model_validate(
        {
            "id": post_id,
            "author": draw(authors()),
            "title": draw(texts),
            "body": draw(texts),
            "tags": draw(st.lists(tags, max_size=5)),
            "createdAt": created_at,
            "updatedAt": draw(st.none() | st.just(created_at + timedelta(hours=1))),
            "comments": draw(st.lists(comment, max_size=4)),
        }
    )


@pytest.mark.task("4.4.1", level="extra")
@EXAMPLES
@given(posts())
def test_any_post_survives_a_json_round_trip(post: PostRead) -> None:
    restored = PostRead.model_validate_json(post.model_dump_json())

    assert restored == post
    assert restored.comment_count == len(post.comments)


SYMBOLS = "!?#$%&*+-=@^_~ "
strong_passwords = st.tuples(
    st.sampled_from(string.ascii_lowercase),
    st.sampled_from(string.ascii_uppercase),
    st.sampled_from(string.digits),
    st.sampled_from(SYMBOLS),
    st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=4, max_size=40),
).flatmap(lambda parts: st.permutations([*parts[:4], *parts[4]]).map("".join))


@pytest.mark.task("4.4.2", level="extra")
@EXAMPLES
@given(password=strong_passwords)
def test_a_password_that_passes_every_rule_is_accepted(password: str) -> None:
    assume(len(password.encode()) <= MAX_BYTES)
    assume(not is_common_password(password))
    assume("ann_lee" not in password.casefold() and "ann.lee" not in password.casefold())

    user = UserCreate.model_validate(
        {
            "username": "ann_lee",
            "email": "ann.lee@example.com",
            "password": password,
            "passwordConfirm": password,
            "age": 30,
        }
    )

    assert user.password.get_secret_value() == password


def expected_character_rules(password: str) -> set[str]:
    """The policy's character rules, restated independently of the implementation."""
    expected = set()
    if len(password) < MIN_LENGTH:
        expected.add("min_length")
    if len(password.encode("utf-8")) > MAX_BYTES:
        expected.add("max_bytes")
    if any(unicodedata.category(c) == "Cc" for c in password):
        expected.add("no_control_characters")
    if not any(c.islower() for c in password):
        expected.add("lowercase")
    if not any(c.isupper() for c in password):
        expected.add("uppercase")
    if not any(c.isdigit() for c in password):
        expected.add("digit")
    if not any(not c.isalnum() for c in password):
        expected.add("symbol")
    return expected


@pytest.mark.task("4.4.2", level="extra")
@EXAMPLES
@given(password=st.text(st.characters(categories=["L", "N", "P", "S", "Zs", "Cc"]), max_size=80))
def test_exactly_the_broken_character_rules_are_reported(password: str) -> None:
    reported = {rule.code for rule in broken_password_rules(password)}

    assert reported - {"not_common"} == expected_character_rules(password)


@pytest.mark.task("4.4.2", level="extra")
@EXAMPLES
@given(
    halves=st.tuples(*[st.text(string.ascii_letters + string.digits + SYMBOLS, max_size=45)] * 2)
)
def test_a_rejected_password_never_appears_in_the_error(halves: tuple[str, str]) -> None:
    # No error message contains "~": finding the password in a message means it was echoed.
    password = "~".join(halves)
    payload = {"username": "x", "email": "bad", "password": password, "passwordConfirm": password}

    with pytest.raises(ValidationError) as error:
        UserCreate.model_validate(payload)

    for shown in (str(error.value), error.value.json(), repr(error.value.errors())):
        assert password not in shown
