"""The service's configuration, read from ``DEADLINES_*`` environment variables at start."""

from __future__ import annotations

from pydantic import AnyHttpUrl, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service needs to start; a missing or malformed value stops it at once."""

    model_config = SettingsConfigDict(env_prefix="DEADLINES_", frozen=True)

    # Not PostgresDsn: it requires a host, which a Unix-socket URL (``@/db?host=/run/pg``) lacks.
    database_url: str = Field(pattern=r"^postgres(ql)?(\+asyncpg)?://")
    """``postgresql://user:password@host/db`` or SQLAlchemy's ``postgresql+asyncpg://`` form."""
    holidays_api_url: AnyHttpUrl
    """Base URL of a Nager.Date-compatible API, e.g. ``https://date.nager.at``."""
    holidays_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    holidays_attempts: int = Field(default=3, ge=1, le=10)
    holidays_backoff_seconds: float = Field(default=0.2, ge=0, le=10)
    holidays_cache_seconds: float = Field(default=24 * 3600.0, ge=0)
