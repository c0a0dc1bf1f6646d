"""Post and comment models: what a client sends, and what the API returns with authors nested."""

from __future__ import annotations

from typing import Self

from pydantic import Field, computed_field, field_validator, model_validator

from module_4_4_pydantic.base import InputModel, OutputModel, check_partial_update, field_error
from module_4_4_pydantic.fields import CommentBody, Id, PostBody, Tag, Title, UtcDatetime
from module_4_4_pydantic.users import UserPublic

MAX_TAGS = 10


def _unique_in_order(tags: list[str]) -> list[str]:
    # region 4.4.1 extra: tags without repeats, in their order
    return list(dict.fromkeys(tags))
    # endregion 4.4.1


class PostCreate(InputModel):
    """A new post; the author is the signed-in user, never a field of the body."""

    title: Title
    body: PostBody
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("tags")
    @classmethod
    def _tags_unique(cls, tags: list[str]) -> list[str]:
        return _unique_in_order(tags)


class PostUpdate(InputModel):
    """A post change (PATCH): only the fields present change."""

    title: Title | None = None
    body: PostBody | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)

    @field_validator("tags")
    @classmethod
    def _tags_unique(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else _unique_in_order(tags)

    @model_validator(mode="after")
    def _is_a_change(self) -> Self:
        check_partial_update(self)
        return self


class CommentCreate(InputModel):
    """A new comment; its post comes from the URL and its author from the session."""

    body: CommentBody


class CommentRead(OutputModel):
    """A comment as returned: which post it belongs to, and who wrote it."""

    id: Id
    post_id: Id
    author: UserPublic
    body: CommentBody
    created_at: UtcDatetime


class PostRead(OutputModel):
    """A post as returned: its author's public view and its comments, oldest first."""

    id: Id
    author: UserPublic
    title: Title
    body: PostBody
    tags: list[Tag] = Field(default_factory=list)
    created_at: UtcDatetime
    updated_at: UtcDatetime | None = None
    comments: list[CommentRead] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def comment_count(self) -> int:
        """How many comments the post has."""
        return len(self.comments)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for index, comment in enumerate(self.comments):
            if comment.post_id != self.id:
                raise field_error(
                    type(self),
                    ("comments", index, "postId"),
                    "comment_of_another_post",
                    "This comment belongs to another post",
                )
        if self.updated_at is not None and self.updated_at < self.created_at:
            raise field_error(
                type(self), ("updatedAt",), "updated_before_created", "Updated before created"
            )
        return self
