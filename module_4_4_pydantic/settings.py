"""The application's settings: typed, grouped, read from the environment and an optional `.env`.

Precedence, highest first: environment variables, the `.env` file, the defaults below. Every
variable starts with `APP_`; a nested group's fields join with `__` (`APP_DB__HOST`).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    Field,
    HttpUrl,
    PlainSerializer,
    SecretStr,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from module_4_4_pydantic.base import field_error

ENV_PREFIX = "APP_"
NESTED_DELIMITER = "__"

Port = Annotated[int, Field(ge=1, le=65535)]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> object:
    """Read `30s`, `250ms`, `5m`, `1h30m`, `2d` or a number of seconds into a `timedelta`.

    Anything else is passed on unchanged for Pydantic to judge (it reads ISO 8601 `PT30S`).
    """
    # region 4.4.3 extra: read 30s, 250ms, 1h30m or seconds
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if not isinstance(value, str):
        return value
    text = value.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return timedelta(seconds=float(text))
    if text and _DURATION_PART.sub("", text) == "":
        seconds = sum(
            float(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION_PART.findall(text)
        )
        return timedelta(seconds=seconds)
    return value
    # endregion 4.4.3


def format_duration(duration: timedelta) -> str:
    """The shortest of `1h30m`, `45s`, `250ms` that states the duration exactly."""
    # region 4.4.3 extra: the shortest exact 1h30m form
    milliseconds = round(duration.total_seconds() * 1000)
    if milliseconds % 1000:
        return f"{milliseconds}ms"
    seconds = milliseconds // 1000
    parts = []
    for unit in ("d", "h", "m", "s"):
        amount, seconds = divmod(seconds, int(_UNIT_SECONDS[unit]))
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"
    # endregion 4.4.3


def _longer_than_zero(duration: timedelta) -> timedelta:
    if duration <= timedelta(0):
        raise PydanticCustomError("duration_not_positive", "Duration must be longer than zero")
    return duration


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    AfterValidator(_longer_than_zero),
    # Machine output gives seconds: every tool reads a number, few read ISO 8601 durations.
    PlainSerializer(lambda duration: duration.total_seconds(), return_type=float, when_used="json"),
]


def _comma_separated(value: object) -> object:
    # `a,b` from the environment, or a JSON list `["a", "b"]`.
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise PydanticCustomError(
                "list_parsing",
                "Starts like a JSON list but is not one: {reason}",
                {"reason": str(error)},
            ) from None
    return [item.strip() for item in value.split(",") if item.strip()]


class AnyCaseEnum(StrEnum):
    """An enum read in any case (`debug`, `Production`): Pydantic asks `_missing_` last."""

    @classmethod
    def _missing_(cls, value: object) -> AnyCaseEnum | None:
        if isinstance(value, str):
            for member in cls:
                if member.value.casefold() == value.casefold():
                    return member
        return None


class Environment(AnyCaseEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class LogLevel(AnyCaseEnum):
    """Python's logging levels."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


def _secret_of_at_least(min_length: int, hint: str = "") -> AfterValidator:
    """A check that a secret is at least `min_length` characters, never showing the secret."""

    def check(secret: SecretStr) -> SecretStr:
        if len(secret.get_secret_value()) < min_length:
            requirement = (
                "Must not be empty"
                if min_length == 1
                else "Must be at least {min_length} characters"
            )
            raise PydanticCustomError(
                "secret_too_short", requirement + hint, {"min_length": min_length}
            )
        return secret

    return AfterValidator(check)


class DatabaseSettings(BaseModel):
    """`APP_DB__*`: where PostgreSQL is and how to talk to it."""

    host: str = "localhost"
    port: Port = 5432
    name: str = "blog"
    user: str = "blog"
    password: Annotated[SecretStr, _secret_of_at_least(1)]
    pool_size: int = Field(default=10, ge=1, le=100)
    connect_timeout: Duration = timedelta(seconds=5)


class ServerSettings(BaseModel):
    """`APP_SERVER__*`: where the HTTP server listens."""

    host: str = "127.0.0.1"
    port: Port = 8000
    workers: int = Field(default=1, ge=1, le=64)
    request_timeout: Duration = timedelta(seconds=30)


class Settings(BaseSettings):
    """Everything the application reads at start; invalid or missing values stop it there."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED_DELIMITER,
        env_file=".env",
        env_file_encoding="utf-8",
        # Other tools' keys in a shared `.env` are not ours to judge; `config.py` reports an
        # unknown `APP_` variable as the typo it is.
        extra="ignore",
    )

    name: str = "course-blog"
    environment: Environment = Environment.DEVELOPMENT
    debug: bool = False
    log_level: LogLevel = LogLevel.INFO
    public_url: HttpUrl = HttpUrl("http://127.0.0.1:8000")
    cors_origins: Annotated[list[AnyHttpUrl], NoDecode, BeforeValidator(_comma_separated)] = []
    secret_key: Annotated[
        SecretStr,
        _secret_of_at_least(
            32, "; generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        ),
    ]
    token_lifetime: Duration = timedelta(minutes=15)
    db: DatabaseSettings
    server: ServerSettings = ServerSettings()

    @model_validator(mode="before")
    @classmethod
    def _db_group_always_present(cls, data: Any) -> Any:
        # With no APP_DB__* variable at all, report the missing APP_DB__PASSWORD, not "db".
        if isinstance(data, dict):
            data.setdefault("db", {})
        return data

    @model_validator(mode="after")
    def _no_debug_in_production(self) -> Self:
        if self.debug and self.environment is Environment.PRODUCTION:
            raise field_error(
                type(self), ("debug",), "debug_in_production", "Debug must be off in production"
            )
        return self
