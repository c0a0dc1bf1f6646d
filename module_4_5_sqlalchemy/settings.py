"""Database settings read from the environment (``DATABASE_URL``, ``DATABASE_POOL_SIZE``, ...)."""

from __future__ import annotations

from pydantic import Field, PositiveFloat, PositiveInt, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from course_support.postgres import to_sqlalchemy_url


class DatabaseSettings(BaseSettings):
    """How to reach PostgreSQL and how the connection pool behaves.

    ``url`` is ``None`` when ``DATABASE_URL`` is unset; the demo and the benchmark then start an
    embedded PostgreSQL.
    """

    model_config = SettingsConfigDict(env_prefix="DATABASE_", frozen=True, extra="ignore")

    # repr=False: the URL usually carries a password, and settings end up in logs.
    url: str | None = Field(default=None, repr=False)
    pool_size: PositiveInt = 5
    max_overflow: int = Field(default=5, ge=0)
    pool_timeout: PositiveFloat = 10.0
    """Seconds to wait for a free pooled connection before failing."""
    connect_timeout: PositiveFloat = 5.0
    """Seconds to wait for PostgreSQL to accept a new connection."""
    command_timeout: PositiveFloat = 30.0
    """Seconds a single statement may run before asyncpg cancels it."""
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _normalise_url(cls, url: str | None) -> str | None:
        if url is None or not url.strip():
            return None
        # Any postgres:// or postgresql:// URL works; another driver (psycopg2) is refused.
        return to_sqlalchemy_url(url.strip(), only_asyncpg=True)


def settings_for_command() -> DatabaseSettings:
    """The settings from the environment for a command line tool: an invalid value ends the
    program with one line per problem instead of a traceback."""
    try:
        return DatabaseSettings()
    except ValidationError as error:
        problems = [
            f"DATABASE_{'_'.join(map(str, problem['loc'])).upper()}: {problem['msg']}"
            for problem in error.errors()
        ]
        raise SystemExit("error: " + "; ".join(problems)) from None


def database_label(settings: DatabaseSettings) -> str:
    """Where the settings point, with the password hidden, for messages."""
    if settings.url is None:
        return "the embedded PostgreSQL"
    return make_url(settings.url).render_as_string(hide_password=True)
