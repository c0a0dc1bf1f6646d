"""4.4.1 core: the models User, Post and Comment of `blog.py`: types, nesting, JSON round trips."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

pytestmark = pytest.mark.task("4.4.1", level="core")

# The learner writes these classes: they are looked up by name, so the tests type-check before
# the classes exist.
blog: Any = importlib.import_module("module_4_4_pydantic.blog")

USER = {
    "id": 1,
    "username": "ann_lee",
    "email": "ann.lee@example.com",
    "full_name": "Ann Lee",
    "created_at": "2026-03-01T12:30:00Z",
}
COMMENT = {
    "id": 10,
    "post_id": 7,
    "author_id": 2,
    "text": "Nice post",
    "created_at": "2026-03-01T13:00:00Z",
}
POST = {
    "id": 7,
    "author": USER,
    "title": "Validating with Pydantic",
    "body": "Models at every boundary.",
    "tags": ["pydantic", "python"],
    "created_at": "2026-03-01T12:45:00Z",
    "comments": [COMMENT],
}


def error_locations(error: pytest.ExceptionInfo[ValidationError]) -> set[tuple[str | int, ...]]:
    return {tuple(item["loc"]) for item in error.value.errors()}


def test_a_user_is_built_from_a_dict_with_typed_fields() -> None:
    user = blog.User.model_validate(USER)

    assert user.id == 1
    assert user.username == "ann_lee"
    assert user.full_name == "Ann Lee"
    assert user.created_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_the_full_name_is_optional() -> None:
    user = blog.User.model_validate(
        {key: value for key, value in USER.items() if key != "full_name"}
    )

    assert user.full_name is None


def test_a_post_holds_its_author_and_comments_as_models() -> None:
    post = blog.Post.model_validate(POST)

    assert isinstance(post.author, blog.User)
    assert post.author.username == "ann_lee"
    assert [type(comment) for comment in post.comments] == [blog.Comment]
    assert post.comments[0].text == "Nice post"
    assert post.tags == ["pydantic", "python"]


def test_tags_and_comments_default_to_empty_lists() -> None:
    minimal = {key: value for key, value in POST.items() if key not in {"tags", "comments"}}

    first = blog.Post.model_validate(minimal)
    second = blog.Post.model_validate(minimal)
    first.tags.append("changed")

    assert first.comments == []
    assert second.tags == []  # each post has its own list


@pytest.mark.parametrize(
    ("model", "data", "location"),
    [
        ("User", {**USER, "id": "one"}, ("id",)),
        ("User", {**USER, "username": "al"}, ("username",)),
        ("User", {**USER, "created_at": "yesterday"}, ("created_at",)),
        ("User", {key: value for key, value in USER.items() if key != "email"}, ("email",)),
        ("Comment", {**COMMENT, "text": ""}, ("text",)),
        ("Comment", {**COMMENT, "post_id": None}, ("post_id",)),
        ("Post", {**POST, "title": ""}, ("title",)),
        ("Post", {**POST, "title": "x" * 201}, ("title",)),
        ("Post", {**POST, "author": {**USER, "id": "one"}}, ("author", "id")),
        ("Post", {**POST, "comments": [{**COMMENT, "id": []}]}, ("comments", 0, "id")),
    ],
)
def test_a_wrong_value_is_reported_at_its_field(
    model: str, data: dict[str, Any], location: tuple[str | int, ...]
) -> None:
    with pytest.raises(ValidationError) as error:
        getattr(blog, model).model_validate(data)

    assert location in error_locations(error)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as error:
        blog.User.model_validate({"id": "x", "username": "al"})

    assert {("id",), ("username",), ("email",), ("created_at",)} <= error_locations(error)


def test_numbers_and_dates_in_json_strings_are_converted() -> None:
    comment = blog.Comment.model_validate_json(json.dumps({**COMMENT, "id": "10"}))

    assert comment.id == 10
    assert comment.created_at == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)


def test_a_post_survives_a_json_round_trip() -> None:
    post = blog.Post.model_validate(POST)

    text = post.model_dump_json()

    assert blog.Post.model_validate_json(text) == post
    assert json.loads(text)["author"]["username"] == "ann_lee"
    assert json.loads(text)["comments"][0]["post_id"] == 7


def test_a_dump_is_a_plain_dict_with_nested_dicts() -> None:
    dumped = blog.Post.model_validate(POST).model_dump()

    assert dumped["author"]["email"] == "ann.lee@example.com"
    assert dumped["comments"][0]["author_id"] == 2
    assert dumped["created_at"] == datetime(2026, 3, 1, 12, 45, tzinfo=UTC)
