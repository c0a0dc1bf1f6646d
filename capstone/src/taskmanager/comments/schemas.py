"""Request and response bodies of the comments API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, StringConstraints, field_validator

from taskmanager.core.types import RequestModel, ResponseModel, Text

CommentBody = Annotated[Text, StringConstraints(min_length=1, max_length=5_000)]


class CommentCreate(RequestModel):
    body: CommentBody

    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Waiting for finance."}]})

    @field_validator("body")
    @classmethod
    def _not_blank(cls, body: str) -> str:
        # Kept as written (leading spaces may be Markdown), but there must be something to read.
        if not body.strip():
            raise ValueError("must not be blank")
        return body


class CommentRead(ResponseModel):
    id: uuid.UUID
    task_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    created_at: datetime
