"""4.6.2: the command that serves the API: its help and its refusal of a missing configuration.

The command serving for real is ``integration/test_real_server.py``.
"""

from __future__ import annotations

import pytest

from module_4_6_pytest.__main__ import main
from module_4_6_pytest.settings import Settings


def test_help_names_the_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    # region 4.6.2 core: help names the configuration
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])

    assert exit_.value.code == 0
    assert "DEADLINES_DATABASE_URL" in capsys.readouterr().out
    # endregion 4.6.2


def test_a_missing_configuration_stops_the_start_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # region 4.6.2 core: a missing configuration stops the start with a clear message
    monkeypatch.delenv("DEADLINES_DATABASE_URL", raising=False)
    monkeypatch.setenv("DEADLINES_HOLIDAYS_API_URL", "not a url")

    assert main([]) == 2

    error = capsys.readouterr().err
    assert "configuration error" in error
    assert "database_url" in error
    assert "holidays_api_url" in error
    # endregion 4.6.2


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:secret@db.example.com:5432/deadlines",
        "postgresql+asyncpg://app@/deadlines?host=/run/postgresql",
    ],
    ids=["tcp", "unix-socket"],
)
def test_database_urls_in_both_forms_are_accepted(url: str) -> None:
    # region 4.6.2 core: database urls in both forms are accepted
    settings = Settings(database_url=url, holidays_api_url="https://date.nager.at")

    assert settings.database_url == url
    # endregion 4.6.2


def test_a_database_url_of_another_kind_is_refused() -> None:
    # region 4.6.2 core: a database url of another kind is refused
    with pytest.raises(ValueError, match="database_url"):
        Settings(database_url="mysql://app@db/deadlines", holidays_api_url="https://date.nager.at")
    # endregion 4.6.2
