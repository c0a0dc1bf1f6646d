"""The 4.5.1 command line (`basics/connection.py`'s `main`): given scaffolding, no task."""

from __future__ import annotations

import pytest

from module_4_5_sqlalchemy.basics import connection

pytestmark = pytest.mark.support


def test_the_command_answers_help_without_connecting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        connection.main(["--help"])

    assert exit_info.value.code == 0
    assert "DATABASE_URL" in capsys.readouterr().out
