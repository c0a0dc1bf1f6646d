"""Settings of the application, from the environment (``API_*``, ``DATABASE_URL``) or the CLI.

Values are validated once at start; a bad one stops the process with a message naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ByteSize,
    Field,
    SecretStr,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from course_support.postgres import to_asyncpg_dsn

MiB = 1024 * 1024
MIN_TOKEN_LENGTH = 16
SCOPES = frozenset({"notes:read", "notes:write"})
"""Every scope a token can carry."""


def _known_scopes(scopes: frozenset[str]) -> frozenset[str]:
    unknown = scopes - SCOPES
    if unknown:
        raise ValueError(f"unknown scope(s) {sorted(unknown)}; known: {sorted(SCOPES)}")
    return scopes


def _long_enough(token: SecretStr) -> SecretStr:
    if len(token.get_secret_value()) < MIN_TOKEN_LENGTH:
        raise ValueError(f"a token must have at least {MIN_TOKEN_LENGTH} characters")
    return token


class TokenGrant(BaseModel):
    """One bearer token the API accepts: whose it is and what it may do."""

    token: Annotated[SecretStr, AfterValidator(_long_enough)]
    subject: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$")
    scopes: Annotated[frozenset[str], AfterValidator(_known_scopes)] = SCOPES


class Settings(BaseSettings):
    """Everything the application can be configured with; see ``--help`` for the CLI names."""

    model_config = SettingsConfigDict(env_prefix="API_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="PostgreSQL URL; unset starts an embedded PostgreSQL under data_dir",
    )
    data_dir: Path = Field(
        default=Path(".data/module_4_3_fastapi"),
        description="uploaded files and the embedded PostgreSQL's data live here",
    )
    max_file_bytes: ByteSize = Field(default=ByteSize(10 * MiB), gt=0)
    max_upload_bytes: ByteSize = Field(default=ByteSize(20 * MiB), gt=0)
    max_files_per_upload: int = Field(default=10, ge=1, le=1000)
    max_body_bytes: ByteSize = Field(default=ByteSize(1 * MiB), gt=0)
    tokens: list[TokenGrant] = Field(
        default_factory=list,
        description='JSON list such as [{"token": "...", "subject": "alice", "scopes": [...]}]',
    )

    @field_validator("database_url", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        return None if value == "" else value  # `DATABASE_URL=` in a .env or a shell

    @field_validator("database_url")
    @classmethod
    def _asyncpg_form(cls, value: str | None) -> str | None:
        # SQLAlchemy's postgresql+asyncpg:// is accepted too; anything but PostgreSQL is refused.
        return None if value is None else to_asyncpg_dsn(value)

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def embedded_postgres_dir(self) -> Path:
        return self.data_dir / "postgres"


def get_settings(request: Request) -> Settings:
    """The application's settings, as a dependency (tests may override it)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings)]
