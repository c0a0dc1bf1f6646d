"""Settings from the environment: ``DATABASE_*`` for PostgreSQL, ``SERVER_*`` for uvicorn."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, PositiveFloat, PositiveInt, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def to_libpq_url(url: str) -> str:
    """``postgres://``, ``postgresql://`` or ``postgresql+asyncpg://`` -> the form asyncpg takes."""
    parts = urlsplit(url)
    backend, _, driver = parts.scheme.partition("+")
    if backend not in {"postgresql", "postgres"} or driver not in {"", "asyncpg"}:
        raise ValueError(f"expected a PostgreSQL URL (postgresql://...), got {parts.scheme!r}://")
    return urlunsplit(parts._replace(scheme="postgresql"))


class DatabaseSettings(BaseSettings):
    """How to reach PostgreSQL; ``url`` is ``None`` when ``DATABASE_URL`` is unset."""

    model_config = SettingsConfigDict(env_prefix="DATABASE_", frozen=True, extra="ignore")

    # repr=False: the URL carries the password, and settings end up in logs and tracebacks.
    url: str | None = Field(default=None, repr=False)
    pool_min_size: int = Field(default=1, ge=0)
    pool_max_size: PositiveInt = 5
    connect_timeout: PositiveFloat = 5.0
    """Seconds to wait for PostgreSQL to accept a connection."""
    startup_timeout: PositiveFloat = 30.0
    """Seconds to keep retrying the first connection while PostgreSQL is still starting."""
    command_timeout: PositiveFloat = 10.0
    """Seconds a statement may run before asyncpg cancels it."""
    health_timeout: PositiveFloat = 2.0
    """Seconds ``/health`` waits for the database before answering 503."""

    @field_validator("url")
    @classmethod
    def _normalise_url(cls, url: str | None) -> str | None:
        return None if url is None or not url.strip() else to_libpq_url(url.strip())


class ServerSettings(BaseSettings):
    """Where uvicorn listens and how long it lets requests in flight finish on SIGTERM."""

    model_config = SettingsConfigDict(env_prefix="SERVER_", frozen=True, extra="ignore")

    # Loopback by default; the image sets SERVER_HOST=0.0.0.0 because a container's port is
    # reached through its own network interface.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    graceful_shutdown_seconds: PositiveInt = 5
    """Must stay below the container's stop grace period (compose: ``stop_grace_period``)."""
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
