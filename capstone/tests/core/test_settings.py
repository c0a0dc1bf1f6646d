"""Settings are validated at start: a bad value stops the process with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError
from taskmanager.cli import load_settings
from taskmanager.core.config import Settings

pytestmark = pytest.mark.task("4.8.2", level="core")
STRONG_SECRET = "s" * 48


def run_command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in Settings.model_fields}
    return subprocess.run(
        [sys.executable, "-m", "taskmanager", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_defaults_match_the_contract() -> None:
    settings = Settings(_env_file=None)

    assert settings.access_token_ttl_seconds == 900
    assert settings.refresh_token_ttl_seconds == 1_209_600
    assert settings.bcrypt_rounds == 12
    assert (settings.login_max_failures, settings.login_window_seconds) == (5, 300)
    assert settings.max_body_bytes == 1_048_576
    assert len(settings.jwt_secret.get_secret_value().encode()) >= 32


def test_development_secrets_are_random_per_process() -> None:
    first = Settings(_env_file=None)
    second = Settings(_env_file=None)

    assert first.jwt_secret.get_secret_value() != second.jwt_secret.get_secret_value()


def test_a_blank_secret_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # docker-compose passes `JWT_SECRET=` when .env does not set it.
    monkeypatch.setenv("JWT_SECRET", "  ")

    settings = Settings(_env_file=None)

    assert len(settings.jwt_secret.get_secret_value().encode()) >= 32
    assert "jwt_secret" not in settings.model_fields_set


@pytest.mark.parametrize(
    "secret",
    [None, "", "short", "change-me"],
    ids=["missing", "blank", "short", "placeholder"],
)
def test_production_refuses_a_missing_or_weak_secret(secret: str | None) -> None:
    values = {"environment": "production"} | ({} if secret is None else {"jwt_secret": secret})

    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings.model_validate(values)


def test_production_accepts_a_strong_secret() -> None:
    settings = Settings.model_validate({"environment": "production", "jwt_secret": STRONG_SECRET})

    assert settings.environment == "production"


def test_lists_and_urls_are_parsed_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example.com, https://b.example.com")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/app")
    monkeypatch.setenv("LOG_LEVEL", "debug")

    settings = Settings(_env_file=None)

    assert settings.cors_origins == ["https://a.example.com", "https://b.example.com"]
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/app"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BCRYPT_ROUNDS", "99"),
        ("ACCESS_TOKEN_TTL_SECONDS", "soon"),
        ("MAX_BODY_BYTES", "-1"),
        ("DATABASE_URL", "mysql://db/app"),
        ("ENVIRONMENT", "staging"),
        ("LOG_LEVEL", "loud"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SystemExit) as stopped:
        load_settings()

    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]
    assert value not in lines[0] or value.isdigit()


def test_the_command_stops_on_a_bad_value_before_doing_anything() -> None:
    result = run_command("migrate", env={"BCRYPT_ROUNDS": "3"})

    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "BCRYPT_ROUNDS" in line


def test_production_without_a_secret_stops_the_command() -> None:
    result = run_command("serve", env={"ENVIRONMENT": "production"})

    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "JWT_SECRET" in line
