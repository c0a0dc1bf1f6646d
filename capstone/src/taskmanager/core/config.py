"""Settings from the environment (and an optional `.env`), validated once at start."""

from __future__ import annotations

import os
import secrets
import socket
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_BYTES = 32
# Placeholders that sample configuration files ship with; production refuses to start with them.
KNOWN_PLACEHOLDER_SECRETS = frozenset({"change-me", "changeme", "secret", "please-change-me"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob of the service; the contract's table lists the public ones."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = None
    """Unset: `taskmanager serve` starts an embedded PostgreSQL and fills this in."""
    embedded_data_dir: str = ".data/postgres"
    jwt_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
    jwt_issuer: str = "taskmanager"
    jwt_audience: str = "taskmanager-api"
    access_token_ttl_seconds: int = Field(default=900, ge=1, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=1_209_600, ge=60, le=31_536_000)
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    max_concurrent_hashes: int = Field(default=0, ge=0, le=64)
    """0 = one fewer than the CPU count (at least one), so hashing never takes every core."""
    max_waiting_hashes: int = Field(default=16, ge=0, le=10_000)
    """Hashes queued behind the running ones at most; beyond, a fast 503 `server_busy`."""
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    """Password guesses checked per account and per client address in the window."""
    login_window_seconds: int = Field(default=300, ge=1, le=86_400)
    register_max_per_address: int = Field(default=10, ge=1, le=100_000)
    """Registrations per client address in `register_window_seconds`."""
    register_window_seconds: int = Field(default=3600, ge=1, le=86_400)
    first_admin_email: str | None = None
    first_admin_password: SecretStr | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)

    # Sized for the concurrency one worker serves: a request that queues for a connection costs
    # the event loop more than the wait (measured at 32 clients: 15 connections 1.3 ms of CPU a
    # request and p99 750 ms, 32 connections 1.1 ms and p99 50 ms). Per worker process: workers
    # x (size + overflow) must stay under PostgreSQL's max_connections (100 by default).
    db_pool_size: int = Field(default=32, ge=1, le=200)
    db_max_overflow: int = Field(default=8, ge=0, le=200)
    db_pool_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    db_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    db_statement_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    """What a 503 tells clients while the database is unreachable."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Comma-separated allow-list of browser origins; empty allows none."""
    graceful_shutdown_seconds: int = Field(default=20, ge=1, le=600)
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies whose X-Forwarded-For/-Proto `taskmanager serve` trusts (uvicorn's
    `--forwarded-allow-ips`: comma-separated addresses or networks, `*` for any): behind a load
    balancer, its network only, so the client address (the login limit's key) cannot be forged."""
    instance_name: str = Field(default_factory=socket.gethostname, min_length=1, max_length=200)
    """Names this replica in `/metrics` (`taskmanager_instance_info`); by default the host name."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        scheme = value.split("://", 1)[0]
        if scheme in {"postgresql", "postgres"}:  # accept libpq's form, use asyncpg
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if scheme != "postgresql+asyncpg":
            raise ValueError("must be a postgresql+asyncpg:// (or postgresql://) URL")
        return value

    @model_validator(mode="before")
    @classmethod
    def _blank_secret_is_unset(cls, data: object) -> object:
        # docker-compose hands the container `JWT_SECRET=` when .env sets none: a blank secret is
        # no secret (development then makes a random one; production refuses to start).
        if isinstance(data, dict):
            secret = data.get("jwt_secret")
            if isinstance(secret, str) and not secret.strip():
                return {key: value for key, value in data.items() if key != "jwt_secret"}
        return data

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        secret = self.jwt_secret.get_secret_value()
        if "jwt_secret" not in self.model_fields_set:
            raise ValueError("JWT_SECRET is required when ENVIRONMENT=production")
        if len(secret.encode()) < MIN_SECRET_BYTES or secret.lower() in KNOWN_PLACEHOLDER_SECRETS:
            raise ValueError(
                f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes of real secret in production"
            )
        return self

    @property
    def hashing_concurrency(self) -> int:
        if self.max_concurrent_hashes:
            return self.max_concurrent_hashes
        return max(1, (os.cpu_count() or 2) - 1)


@lru_cache
def get_settings() -> Settings:
    """The process's settings (read once; tests build their own `Settings`)."""
    return Settings()
