"""4.3.2: the upload benchmark command runs end to end against a real server (a smoke test)."""

from __future__ import annotations

import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_3_fastapi.bench_upload import main

pytestmark = pytest.mark.task("4.3.2", level="extra")


def test_the_benchmark_uploads_downloads_and_reports_memory(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    notes_database: PostgresDatabase,
) -> None:
    monkeypatch.setenv("DATABASE_URL", notes_database.url)  # skip starting another PostgreSQL

    code = main(["--size", "3MiB", "--chunk", "256KiB", "--chunked", "--timeout", "60"])

    output = capsys.readouterr().out
    assert code == 0
    assert "file: 3 MiB, sent chunked" in output
    assert "upload:" in output
    assert "download:" in output
    assert "server RSS:" in output
    assert "sha256: sent == stored == downloaded" in output
