"""4.3.2 extra: through a real server process, a streamed upload keeps the server's memory flat.

The benchmark starts ``python -m module_4_3_fastapi`` (on the test database), streams a file to
``POST /files`` while sampling the server process's RSS, downloads it back and compares digests.
"""

from __future__ import annotations

import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_3_fastapi.bench_upload import BenchPlan, MiB, main, run

pytestmark = pytest.mark.task("4.3.2", level="extra")

MEMORY_BUDGET = 16 * MiB
"""How much the server may grow while it receives a file four times this size."""


@pytest.fixture(autouse=True)
def _use_the_test_database(
    monkeypatch: pytest.MonkeyPatch, notes_database: PostgresDatabase
) -> None:
    monkeypatch.setenv("DATABASE_URL", notes_database.url)  # skip starting another PostgreSQL


def test_the_benchmark_uploads_downloads_and_reports_memory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--size", "3MiB", "--chunk", "256KiB", "--chunked", "--timeout", "60"])

    output = capsys.readouterr().out
    assert code == 0
    assert "file: 3 MiB, sent chunked" in output
    assert "upload:" in output
    assert "download:" in output
    assert "server RSS:" in output
    assert "sha256: sent == stored == downloaded" in output


async def test_a_chunked_upload_four_times_the_memory_budget_is_never_held_in_memory() -> None:
    # Chunked, so no Content-Length tells the server the size: only streaming keeps it flat. A
    # server that reads the whole body (request.body(), or a parser fed the joined chunks) grows
    # by at least the file's 64 MiB.
    plan = BenchPlan(size=4 * MEMORY_BUDGET, chunk_size=256 * 1024, chunked=True, seconds=120)

    result = await run(plan)

    assert result.memory.growth < MEMORY_BUDGET, (
        f"the server grew by {result.memory.growth / MiB:.1f} MiB "
        f"while receiving a {plan.size / MiB:.0f} MiB file"
    )
