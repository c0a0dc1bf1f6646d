"""4.3.1: ``python -m module_4_3_fastapi`` serves the application with uvicorn."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_3_fastapi.__main__ import main

pytestmark = pytest.mark.task("4.3.1", level="extra")

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_every_option_with_its_environment_variable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    text = " ".join(capsys.readouterr().out.split())
    assert exit_info.value.code == 0
    for option, variable in [
        ("--host", "API_HOST"),
        ("--port", "API_PORT"),
        ("--database-url", "DATABASE_URL"),
        ("--data-dir", "API_DATA_DIR"),
        ("--max-file-bytes", "API_MAX_FILE_BYTES"),
        ("--max-upload-bytes", "API_MAX_UPLOAD_BYTES"),
        ("--max-files-per-upload", "API_MAX_FILES_PER_UPLOAD"),
        ("--max-body-bytes", "API_MAX_BODY_BYTES"),
    ]:
        assert option in text
        assert f"env {variable}" in text
    assert "default 10 MiB" in text
    assert "API_TOKENS" in text


@pytest.mark.parametrize(
    ("argv", "environment", "message"),
    [
        (["--max-file-bytes", "ten"], {}, "invalid setting max_file_bytes"),
        (["--port", "70000"], {}, "invalid setting port"),
        ([], {"API_TOKENS": '[{"token": "short", "subject": "a"}]'}, "at least 16 characters"),
        ([], {"API_TOKENS": "not json"}, "API_TOKENS"),
    ],
)
def test_a_bad_setting_stops_with_one_clear_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    environment: dict[str, str],
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    code = main(argv)

    error = capsys.readouterr().err
    assert code == 2
    assert message in error
    assert "Traceback" not in error


async def test_the_command_serves_until_sigterm(
    notes_database: PostgresDatabase, tmp_path: Path
) -> None:
    environment = os.environ | {
        "DATABASE_URL": notes_database.url,
        "API_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("API_TOKENS", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "module_4_3_fastapi",
        "--port",
        "0",
        "--max-file-bytes",
        "1KiB",
        cwd=ROOT,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        token, base_url = await read_token_and_address(process.stderr)
        async with httpx.AsyncClient(base_url=base_url) as client:
            hello = await client.get("/hello", params={"name": "CLI"})
            created = await client.post(
                "/notes", json={"title": "via CLI"}, headers={"Authorization": f"Bearer {token}"}
            )
            too_big = await client.post("/files", files={"files": ("a.bin", b"x" * 1025)})
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            remaining = await process.stderr.read()
            code = await process.wait()

    assert hello.json() == {"message": "Hello, CLI!"}
    assert created.status_code == 201
    assert created.json()["owner"] == "developer"
    assert too_big.status_code == 413
    assert b"Application shutdown complete" in remaining  # a graceful shutdown ...
    assert code == -signal.SIGTERM  # ... after which uvicorn re-raises the signal it caught


async def read_token_and_address(stream: asyncio.StreamReader) -> tuple[str, str]:
    """The development token and the URL the server printed while starting."""
    token = address = None
    async with asyncio.timeout(30):
        while address is None:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError("the server exited before it was ready")
            if found := re.search(r"development token .*: (\S+)$", line):
                token = found.group(1)
            if found := re.search(r"Uvicorn running on (http://\S+)", line):
                address = found.group(1)
    assert token is not None
    return token, address
