"""4.3.2 core: ``POST /upload`` takes one file as ``UploadFile``, stores it and describes it."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from module_4_3_fastapi.app import create_app
from module_4_3_fastapi.settings import Settings
from module_4_3_fastapi.tests.support import KiB, assert_problem

pytestmark = pytest.mark.task("4.3.2", level="core")

LIMIT = 64 * KiB  # the tests' max_file_bytes (conftest.make_settings)


def leftovers(upload_dir: Path) -> list[str]:
    return sorted(path.name for path in upload_dir.iterdir())


async def test_upload_answers_201_with_the_name_size_and_sha256(
    client: httpx.AsyncClient,
) -> None:
    content = os.urandom(50 * KiB)

    response = await client.post(
        "/upload", files={"file": ("report.pdf", content, "application/pdf")}
    )

    assert response.status_code == 201, response.text
    described = response.json()
    assert described["filename"] == "report.pdf"
    assert described["size"] == len(content)
    assert described["sha256"] == hashlib.sha256(content).hexdigest()
    assert described["content_type"] == "application/pdf"
    assert uuid.UUID(described["id"])


async def test_the_stored_file_downloads_byte_for_byte(
    make_settings: Callable[..., Settings],
) -> None:
    # Larger than one read: a loop that keeps only the first or the last chunk shows here.
    settings = make_settings(max_file_bytes=1024 * KiB, max_upload_bytes=2048 * KiB)
    content = os.urandom(700 * KiB)
    app = create_app(settings)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.post("/upload", files={"file": ("data.bin", content)})
        uploaded = response.json()
        download = await client.get(f"/files/{uploaded['id']}")
        listed = await client.get("/files")

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/files/{uploaded['id']}"
    assert uploaded["size"] == len(content)
    assert uploaded["sha256"] == hashlib.sha256(content).hexdigest()
    assert download.content == content
    assert [item["id"] for item in listed.json()] == [uploaded["id"]]


async def test_an_empty_file_is_stored_with_size_zero(client: httpx.AsyncClient) -> None:
    response = await client.post("/upload", files={"file": ("empty.txt", b"", "text/plain")})

    assert response.status_code == 201, response.text
    assert response.json()["size"] == 0
    assert response.json()["sha256"] == hashlib.sha256(b"").hexdigest()


async def test_a_file_exactly_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    content = b"x" * LIMIT

    response = await client.post("/upload", files={"file": ("max.bin", content)})

    assert response.status_code == 201, response.text
    assert response.json()["size"] == LIMIT


async def test_a_file_over_the_limit_is_413_and_nothing_is_kept(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    response = await client.post("/upload", files={"file": ("big.bin", b"x" * (LIMIT + 1))})

    problem = assert_problem(response, 413, "payload_too_large")
    assert "big.bin" in problem["detail"]
    assert leftovers(upload_dir) == []
    assert (await client.get("/files")).json() == []


async def test_two_uploads_of_the_same_name_are_two_files(client: httpx.AsyncClient) -> None:
    first = (await client.post("/upload", files={"file": ("a.txt", b"first")})).json()
    second = (await client.post("/upload", files={"file": ("a.txt", b"second")})).json()

    assert first["id"] != second["id"]
    assert (await client.get(f"/files/{first['id']}")).content == b"first"
    assert (await client.get(f"/files/{second['id']}")).content == b"second"


async def test_a_request_without_the_file_field_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/upload", files={"other": ("a.txt", b"a")})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["body", "file"]
