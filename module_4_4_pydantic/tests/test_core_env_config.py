"""4.4.3 core: `python -m module_4_4_pydantic.env_config` reads BLOG_* variables and `.env`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from module_4_4_pydantic import env_config

pytestmark = pytest.mark.task("4.4.3", level="core")

SECRET_KEY = "s3cret-" * 6


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No BLOG_ variable of the machine and no stray .env: each test states its own."""
    for name in list(os.environ):
        if name.upper().startswith("BLOG_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = env_config.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_prints_the_configuration_with_defaults_and_the_secret_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOG_SECRET_KEY", SECRET_KEY)

    status, out, err = run(capsys)

    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "name": "course-blog",
        "debug": False,
        "host": "127.0.0.1",
        "port": 8000,
        "database_url": "postgresql://blog@localhost:5432/blog",
        "secret_key": "**********",
    }
    assert SECRET_KEY not in out


def test_values_come_typed_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOG_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("BLOG_PORT", "9000")
    monkeypatch.setenv("BLOG_DEBUG", "yes")
    monkeypatch.setenv("BLOG_NAME", "my-blog")

    status, out, _ = run(capsys)

    document = json.loads(out)
    assert status == 0
    assert (document["port"], document["debug"], document["name"]) == (9000, True, "my-blog")


def test_the_environment_wins_over_the_env_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        f"BLOG_SECRET_KEY={SECRET_KEY}\nBLOG_PORT=7000\nBLOG_HOST=0.0.0.0\nOTHER_TOOL=x\n"
    )
    monkeypatch.setenv("BLOG_PORT", "9000")

    status, out, _ = run(capsys)

    assert status == 0
    assert (json.loads(out)["port"], json.loads(out)["host"]) == (9000, "0.0.0.0")


def test_another_env_file_may_be_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    settings = tmp_path / "staging.env"
    settings.write_text(f"BLOG_SECRET_KEY={SECRET_KEY}\nBLOG_DATABASE_URL=postgresql://db/blog\n")

    status, out, _ = run(capsys, "--env-file", str(settings))

    assert status == 0
    assert json.loads(out)["database_url"] == "postgresql://db/blog"


def test_a_missing_secret_exits_2_naming_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)

    assert (status, out) == (2, "")
    assert "BLOG_SECRET_KEY" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BLOG_PORT", "http"),
        ("BLOG_PORT", "70000"),
        ("BLOG_DEBUG", "maybe"),
        ("BLOG_SECRET_KEY", "short"),
    ],
)
def test_an_invalid_value_exits_2_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv("BLOG_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv(variable, value)

    status, out, err = run(capsys)

    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(variable)
    assert SECRET_KEY not in err


def test_every_problem_gets_its_own_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOG_PORT", "0")

    status, _, err = run(capsys)

    assert status == 2
    assert sorted(line.split(":")[0] for line in err.splitlines()) == [
        "BLOG_PORT",
        "BLOG_SECRET_KEY",
    ]
