"""4.4.1: User, Post and Comment models, their JSON shape, round trips and JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from module_4_4_pydantic import schema
from module_4_4_pydantic.posts import CommentCreate, CommentRead, PostCreate, PostRead, PostUpdate
from module_4_4_pydantic.users import UserCreate, UserPublic, UserRead, UserUpdate

pytestmark = pytest.mark.task("4.4.1", level="extra")

CREATED = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
ANN = UserPublic(id=1, username="ann_lee", full_name="Ann Lee")
BOB = UserPublic(id=2, username="bob")


def make_post(comment_count: int = 2) -> PostRead:
    comments = [
        CommentRead(
            id=10 + number,
            post_id=7,
            author=BOB,
            body=f"Comment {number}",
            created_at=CREATED + timedelta(minutes=number),
        )
        for number in range(comment_count)
    ]
    return PostRead(
        id=7,
        author=ANN,
        title="Validating with Pydantic",
        body="Models at every boundary.",
        tags=["pydantic", "python"],
        created_at=CREATED,
        comments=comments,
    )


def errors_of(
    error: pytest.ExceptionInfo[ValidationError],
) -> list[tuple[tuple[str | int, ...], str]]:
    return [(tuple(item["loc"]), item["type"]) for item in error.value.errors()]


def test_json_is_camel_case_while_python_stays_snake_case() -> None:
    post = make_post()

    document = json.loads(post.model_dump_json())

    assert list(document) == [
        *("id", "author", "title", "body", "tags", "createdAt", "updatedAt", "comments"),
        "commentCount",
    ]
    assert document["comments"][0]["postId"] == 7
    assert document["author"] == {
        "id": 1, "username": "ann_lee", "fullName": "Ann Lee", "displayName": "Ann Lee"
    }  # fmt: skip
    assert post.created_at == CREATED


def test_input_accepts_camel_case_and_snake_case_keys() -> None:
    camel = UserUpdate.model_validate({"fullName": "Ann Lee"})
    snake = UserUpdate.model_validate({"full_name": "Ann Lee"})

    assert camel == snake


def test_comment_count_is_computed_from_the_comments() -> None:
    assert make_post(comment_count=3).comment_count == 3
    assert json.loads(make_post(comment_count=0).model_dump_json())["commentCount"] == 0


def test_display_name_falls_back_to_the_username() -> None:
    assert ANN.display_name == "Ann Lee"
    assert BOB.display_name == "bob"


# Factories, not models: the models are built when the test runs, never while collecting.
ROUND_TRIP_MODELS: dict[str, Callable[[], BaseModel]] = {
    "PostRead": make_post,
    "PostRead without comments": lambda: make_post(comment_count=0),
    "CommentRead": lambda: CommentRead(id=1, post_id=2, author=ANN, body="Hi", created_at=CREATED),
    "UserRead": lambda: UserRead(
        id=3,
        username="carol",
        email="carol@example.com",
        birth_date=date(1990, 2, 28),
        created_at=CREATED,
    ),
    "PostCreate": lambda: PostCreate(title="T", body="B", tags=["a"]),
    "CommentCreate": lambda: CommentCreate(body="Nice post"),
}


@pytest.mark.parametrize("build", ROUND_TRIP_MODELS.values(), ids=ROUND_TRIP_MODELS.keys())
def test_model_to_json_to_model_gives_an_equal_model(build: Callable[[], BaseModel]) -> None:
    model = build()

    restored = type(model).model_validate_json(model.model_dump_json())

    assert restored == model
    assert restored.model_dump_json() == model.model_dump_json()


def test_password_is_write_only() -> None:
    user = UserCreate(
        username="ann_lee",
        email="ann@example.com",
        password="Violet-Harbor-42",
        password_confirm="Violet-Harbor-42",
        age=30,
    )

    assert "Violet-Harbor-42" not in repr(user)
    assert "Violet-Harbor-42" not in user.model_dump_json()
    assert "Violet-Harbor-42" not in str(user.model_dump())
    assert user.password.get_secret_value() == "Violet-Harbor-42"
    for read_model in (UserRead, UserPublic):
        assert "password" not in read_model.model_fields


def test_timestamps_must_be_timezone_aware_and_are_stored_in_utc() -> None:
    moscow = timezone(timedelta(hours=3))
    comment = CommentRead(
        id=1,
        post_id=2,
        author=ANN,
        body="Hi",
        created_at=datetime(2026, 3, 1, 15, 30, tzinfo=moscow),
    )

    assert comment.created_at == CREATED
    assert comment.created_at.utcoffset() == timedelta(0)
    assert comment.model_dump_json().count("2026-03-01T12:30:00Z") == 1
    with pytest.raises(ValidationError) as error:
        CommentRead(id=1, post_id=2, author=ANN, body="Hi", created_at=datetime(2026, 3, 1))
    # A location names the key as given: snake_case from Python, camelCase from JSON.
    assert errors_of(error) == [(("created_at",), "timezone_aware")]


def test_a_post_lists_only_its_own_comments() -> None:
    document = make_post().model_dump()
    document["comments"][1]["postId"] = 8

    with pytest.raises(ValidationError) as error:
        PostRead.model_validate(document)

    assert errors_of(error) == [(("comments", 1, "postId"), "comment_of_another_post")]


def test_a_post_cannot_be_updated_before_it_was_created() -> None:
    document = make_post().model_dump()
    document["updatedAt"] = CREATED - timedelta(seconds=1)

    with pytest.raises(ValidationError) as error:
        PostRead.model_validate(document)

    assert errors_of(error) == [(("updatedAt",), "updated_before_created")]


def test_output_models_read_orm_like_objects() -> None:
    @dataclass
    class AuthorRow:
        id: int
        username: str
        full_name: str | None = None

    @dataclass
    class PostRow:
        id: int
        author: AuthorRow
        title: str
        body: str
        created_at: datetime
        comments: list[object] = field(default_factory=list)

    row = PostRow(id=7, author=AuthorRow(1, "ann_lee"), title="T", body="B", created_at=CREATED)

    post = PostRead.model_validate(row)

    assert post.author.display_name == "ann_lee"
    assert post.comment_count == 0


def test_new_post_tags_are_lower_cased_and_deduplicated_in_order() -> None:
    post = PostCreate(title="  Hello  ", body="Body", tags=["Python", "pydantic", "PYTHON "])

    assert post.title == "Hello"
    assert post.tags == ["python", "pydantic"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"title": "", "body": "B"}, [(("title",), "string_too_short")]),
        ({"title": "   ", "body": "B"}, [(("title",), "string_too_short")]),
        ({"title": "T" * 201, "body": "B"}, [(("title",), "string_too_long")]),
        ({"title": "T", "body": "a\x00b"}, [(("body",), "string_nul")]),
        ({"title": "T"}, [(("body",), "missing")]),
        ({"title": "T", "body": "B", "author": 1}, [(("author",), "extra_forbidden")]),
        (
            {"title": "T", "body": "B", "tags": ["ok", "no spaces"]},
            [(("tags", 1), "string_pattern_mismatch")],
        ),
        (
            {"title": "T", "body": "B", "tags": [f"t{n}" for n in range(11)]},
            [(("tags",), "too_long")],
        ),
    ],
)
def test_post_create_rejects(
    payload: dict[str, object], expected: list[tuple[object, str]]
) -> None:
    with pytest.raises(ValidationError) as error:
        PostCreate.model_validate(payload)

    assert errors_of(error) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, [((), "empty_update")]),
        (
            {"title": None, "body": None},
            [(("body",), "null_not_allowed"), (("title",), "null_not_allowed")],
        ),
        (
            {"tags": ["A", "a b"], "extra": 1},
            [(("tags", 1), "string_pattern_mismatch"), (("extra",), "extra_forbidden")],
        ),
    ],
)
def test_post_update_rejects(
    payload: dict[str, object], expected: list[tuple[object, str]]
) -> None:
    with pytest.raises(ValidationError) as error:
        PostUpdate.model_validate(payload)

    assert errors_of(error) == expected


def test_a_partial_update_knows_which_fields_were_given() -> None:
    update = PostUpdate.model_validate({"tags": ["A", "a", "b"]})

    assert update.model_dump(exclude_unset=True) == {"tags": ["a", "b"]}


def test_user_update_may_clear_the_full_name_but_not_the_email() -> None:
    assert UserUpdate.model_validate({"fullName": None}).model_fields_set == {"full_name"}
    with pytest.raises(ValidationError) as error:
        UserUpdate.model_validate({"email": None})
    assert errors_of(error) == [(("email",), "null_not_allowed")]


def test_ids_fit_a_postgresql_integer() -> None:
    with pytest.raises(ValidationError) as error:
        UserPublic(id=2**31, username="ann_lee")
    assert errors_of(error) == [(("id",), "less_than_equal")]


def test_json_schema_marks_the_password_write_only_and_computed_fields_read_only() -> None:
    user_create = schema.json_schema(UserCreate)
    post_read = schema.json_schema(PostRead)

    assert user_create["properties"]["password"]["writeOnly"] is True
    assert user_create["additionalProperties"] is False
    assert set(user_create["required"]) == {"username", "email", "password", "passwordConfirm"}
    assert post_read["properties"]["commentCount"]["readOnly"] is True
    assert "commentCount" in post_read["required"]
    assert "password" not in json.dumps(schema.json_schema(UserRead))


def test_schema_command_exports_one_file_per_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert schema.main(["--out", str(tmp_path)]) == 0

    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(f"{name}.schema.json" for name in schema.MODELS)
    assert len(capsys.readouterr().out.splitlines()) == len(schema.MODELS)
    document = json.loads((tmp_path / "PostRead.schema.json").read_text(encoding="utf-8"))
    assert document["title"] == "PostRead"


def test_schema_command_prints_the_named_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema.main(["CommentCreate"]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["CommentCreate"]
    assert printed["CommentCreate"]["required"] == ["body"]


def test_schema_command_rejects_an_unknown_model(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        schema.main(["Nope"])

    assert exit_info.value.code == 2
    assert "unknown model(s): Nope" in capsys.readouterr().err
