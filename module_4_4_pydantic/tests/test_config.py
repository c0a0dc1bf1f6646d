"""4.4.3: the configuration script: environment over .env over defaults, clear errors, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic_core import ErrorDetails

from module_4_4_pydantic import config
from module_4_4_pydantic.settings import Environment, LogLevel, format_duration, parse_duration

pytestmark = pytest.mark.task("4.4.3", level="extra")

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "k3y-" * 10
DB_PASSWORD = "db-pa55word"
REQUIRED = {"APP_SECRET_KEY": SECRET_KEY, "APP_DB__PASSWORD": DB_PASSWORD}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No APP_ variable of the machine and no stray .env: each test states its own."""
    for name in list(os.environ):
        if name.upper().startswith("APP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def set_environment(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def write_dotenv(path: Path, **variables: str) -> Path:
    path.write_text("".join(f"{name}={value}\n" for name, value in variables.items()), "utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = config.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_defaults_apply_when_only_the_required_values_are_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_environment(monkeypatch, **REQUIRED)

    settings = config.load_configuration().settings

    assert settings.environment is Environment.DEVELOPMENT
    assert settings.log_level is LogLevel.INFO
    assert settings.db.port == 5432
    assert settings.server.request_timeout == timedelta(seconds=30)
    assert settings.secret_key.get_secret_value() == SECRET_KEY


def test_environment_beats_dotenv_which_beats_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_dotenv(tmp_path / ".env", **REQUIRED, APP_DB__HOST="db.from-dotenv", APP_DB__PORT="6543")
    set_environment(monkeypatch, APP_DB__HOST="db.from-environment")

    loaded = config.load_configuration()

    assert loaded.settings.db.host == "db.from-environment"  # environment over .env
    assert loaded.settings.db.port == 6543  # .env over default
    assert loaded.settings.db.name == "blog"  # default
    sources = {v.name: loaded.source_of(v) for v in config.LEAF_VARIABLES}
    assert sources["APP_DB__HOST"] == "environment"
    assert sources["APP_DB__PORT"] == ".env"
    assert sources["APP_DB__NAME"] == "default"


def test_a_nested_group_may_come_whole_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    set_environment(
        monkeypatch,
        APP_SECRET_KEY=SECRET_KEY,
        APP_DB=json.dumps({"host": "db.internal", "password": DB_PASSWORD}),
    )

    loaded = config.load_configuration()

    assert loaded.settings.db.host == "db.internal"
    assert loaded.source_of(config.VARIABLES["APP_DB__HOST"]) == "environment"


def test_typed_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    set_environment(
        monkeypatch,
        **REQUIRED,
        APP_LOG_LEVEL="warning",
        APP_ENVIRONMENT="Staging",
        APP_DEBUG="yes",
        APP_CORS_ORIGINS="http://a.example, https://b.example:8443",
        APP_TOKEN_LIFETIME="1h30m",
        APP_SERVER__PORT="65535",
    )

    settings = config.load_configuration().settings

    assert settings.log_level is LogLevel.WARNING
    assert settings.environment is Environment.STAGING
    assert settings.debug is True
    assert [str(origin) for origin in settings.cors_origins] == [
        "http://a.example/",
        "https://b.example:8443/",
    ]
    assert settings.token_lifetime == timedelta(minutes=90)
    assert settings.server.port == 65535


def test_a_list_may_also_be_given_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    set_environment(monkeypatch, **REQUIRED, APP_CORS_ORIGINS='["https://a.example"]')

    assert len(config.load_configuration().settings.cors_origins) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("250ms", timedelta(milliseconds=250)),
        ("1h30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("45", timedelta(seconds=45)),
        ("1.5", timedelta(seconds=1.5)),
        (7, timedelta(seconds=7)),
    ],
)
def test_durations_read_as_people_write_them(text: str | int, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(minutes=90), "1h30m"),
        (timedelta(milliseconds=250), "250ms"),
        (timedelta(days=1, seconds=5), "1d5s"),
        (timedelta(0), "0s"),
    ],
)
def test_durations_print_as_people_write_them(duration: timedelta, expected: str) -> None:
    assert format_duration(duration) == expected


@pytest.mark.parametrize(
    ("variables", "variable", "problem"),
    [
        (
            {"APP_DB__PORT": "70000"},
            "APP_DB__PORT",
            'Input should be less than or equal to 65535 (got "70000")',
        ),
        (
            {"APP_DB__PORT": "0"},
            "APP_DB__PORT",
            'Input should be greater than or equal to 1 (got "0")',
        ),
        (
            {"APP_SERVER__PORT": "http"},
            "APP_SERVER__PORT",
            'Input should be a valid integer, unable to parse string as an integer (got "http")',
        ),
        (
            {"APP_LOG_LEVEL": "loud"},
            "APP_LOG_LEVEL",
            "Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL' (got \"loud\")",
        ),
        (
            {"APP_PUBLIC_URL": "ftp://x.example"},
            "APP_PUBLIC_URL",
            "URL scheme should be 'http' or 'https' (got \"ftp://x.example\")",
        ),
        (
            {"APP_CORS_ORIGINS": "http://ok.example,nope"},
            "APP_CORS_ORIGINS (item 2)",
            'Input should be a valid URL, relative URL without a base (got "nope")',
        ),
        (
            {"APP_CORS_ORIGINS": "[oops"},
            "APP_CORS_ORIGINS",
            "Starts like a JSON list but is not one: Expecting value: line 1 column 2 (char 1)"
            ' (got "[oops")',
        ),
        (
            {"APP_TOKEN_LIFETIME": "0s"},
            "APP_TOKEN_LIFETIME",
            'Duration must be longer than zero (got "0s")',
        ),
        (
            {"APP_TOKEN_LIFETIME": "soon"},
            "APP_TOKEN_LIFETIME",
            'Input should be a valid timedelta, invalid digit in duration (got "soon")',
        ),
        ({"APP_DB__PASSWORD": ""}, "APP_DB__PASSWORD", "Must not be empty"),
        (
            {"APP_DEBUG": "true", "APP_ENVIRONMENT": "production"},
            "APP_DEBUG",
            "Debug must be off in production",
        ),
        (
            {"APP_DB_HOST": "x"},
            "APP_DB_HOST (in environment)",
            "unknown setting; did you mean APP_DB__HOST?",
        ),
    ],
)
def test_an_invalid_value_exits_2_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    variable: str,
    problem: str,
) -> None:
    set_environment(monkeypatch, **{**REQUIRED, **variables})

    status, out, err = run(capsys, "--no-env-file")

    assert (status, out) == (2, "")
    assert err.splitlines() == [f"{variable}: {problem}"]


def test_missing_required_values_are_all_reported(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys)

    assert status == 2
    assert err.splitlines() == [
        "APP_SECRET_KEY: required, but not set",
        "APP_DB__PASSWORD: required, but not set",
    ]


def test_a_short_secret_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_environment(monkeypatch, APP_SECRET_KEY="tiny-secret", APP_DB__PASSWORD=DB_PASSWORD)

    status, _, err = run(capsys)

    assert status == 2
    assert err.startswith("APP_SECRET_KEY: Must be at least 32 characters; generate one:")
    assert "tiny-secret" not in err


def test_unknown_app_keys_in_dotenv_are_errors_and_other_keys_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    set_environment(monkeypatch, **REQUIRED)
    write_dotenv(tmp_path / "app.env", POSTGRES_PASSWORD="for-docker", APP_DB__PASWORD="oops-typo")

    status, _, err = run(capsys, "--env-file", "app.env")

    assert status == 2
    assert err.splitlines() == [
        "APP_DB__PASWORD (in app.env): unknown setting; did you mean APP_DB__PASSWORD?"
    ]
    assert "oops-typo" not in err


def test_the_effective_configuration_is_printed_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_dotenv(tmp_path / ".env", APP_DB__PASSWORD=DB_PASSWORD, APP_DB__PORT="6543")
    set_environment(monkeypatch, APP_SECRET_KEY=SECRET_KEY, APP_SERVER__REQUEST_TIMEOUT="90")

    status, out, err = run(capsys)

    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "# precedence: environment > .env > default; .env file: .env"
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert set(rows) == {variable.name for variable in config.LEAF_VARIABLES}
    assert rows["APP_DB__PASSWORD"] == ["**********", "[.env]"]
    assert rows["APP_SECRET_KEY"] == ["**********", "[environment]"]
    assert rows["APP_DB__PORT"] == ["6543", "[.env]"]
    assert rows["APP_SERVER__REQUEST_TIMEOUT"] == ["1m30s", "[environment]"]
    assert rows["APP_CORS_ORIGINS"] == ["(none)", "[default]"]
    assert SECRET_KEY not in out
    assert DB_PASSWORD not in out


def test_json_output_is_machine_readable_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_environment(monkeypatch, **REQUIRED, APP_SERVER__REQUEST_TIMEOUT="250ms")

    status, out, _ = run(capsys, "--json")

    document = json.loads(out)
    assert status == 0
    assert document["secret_key"] == "**********"
    assert document["db"]["password"] == "**********"
    assert document["db"]["port"] == 5432
    assert document["server"]["request_timeout"] == 0.25
    assert document["log_level"] == "INFO"


def test_an_env_file_named_on_the_command_line_must_exist(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(capsys, "--env-file", "missing.env")

    assert (status, err) == (2, "missing.env: no such file\n")


def test_an_unreadable_env_file_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "latin1.env").write_bytes(b"APP_NAME=caf\xe9\n")

    status, _, err = run(capsys, "--env-file", "latin1.env")

    assert status == 2
    assert err.startswith("latin1.env: cannot be read: ")


def test_a_group_that_is_not_valid_json_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_environment(monkeypatch, APP_SECRET_KEY=SECRET_KEY, APP_DB="{not json")

    status, _, err = run(capsys)

    assert status == 2
    assert len(err.splitlines()) == 1
    assert '"db"' in err


def test_the_shipped_example_documents_every_variable() -> None:
    example = (ROOT / "module_4_4_pydantic" / ".env.example").read_text("utf-8")
    keys = {
        line.split("=")[0] for line in example.splitlines() if "=" in line[:40] and line[0] != "#"
    }

    assert keys == {variable.name for variable in config.LEAF_VARIABLES}


def test_the_command_fails_without_a_traceback(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.upper().startswith("APP_")
    }
    environment |= {"PYTHONPATH": str(ROOT), "APP_DB__PORT": "99999", "APP_LOG_LEVEL": "loud"}

    result = subprocess.run(
        [sys.executable, "-m", "module_4_4_pydantic.config"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == [
        "APP_LOG_LEVEL",
        "APP_SECRET_KEY",
        "APP_DB__PORT",
        "APP_DB__PASSWORD",
    ]


def test_a_problem_with_no_single_variable_is_still_one_line() -> None:
    details = ErrorDetails(type="value_error", loc=(), msg="Broken", input={})

    assert config.describe_problem(details) == "configuration: Broken"
