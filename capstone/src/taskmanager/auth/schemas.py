"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from taskmanager.core.types import RequestModel
from taskmanager.users.schemas import Email, FullName, NewPassword

MAX_TOKEN_LENGTH = 4096


class Registration(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"email": "ada@example.com", "password": "Correct-Horse-9", "full_name": "Ada"}
            ]
        }
    )

    email: Email
    password: NewPassword
    full_name: FullName | None = None


class RefreshRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."}]
        },
    )

    refresh_token: Annotated[str, Field(min_length=1, max_length=MAX_TOKEN_LENGTH)]


class TokenPair(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
                    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
                    "token_type": "bearer",
                    "expires_in": 900,
                }
            ]
        }
    )

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
