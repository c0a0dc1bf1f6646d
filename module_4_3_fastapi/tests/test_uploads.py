"""4.3.2 extra: POST /files streams multipart uploads with byte-counted limits, no leftovers."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from module_4_3_fastapi.api.files import content_disposition
from module_4_3_fastapi.app import create_app
from module_4_3_fastapi.file_store import safe_display_name
from module_4_3_fastapi.settings import Settings
from module_4_3_fastapi.tests.support import KiB, assert_problem, running_uvicorn, wait_until

pytestmark = pytest.mark.task("4.3.2", level="extra")

BOUNDARY = "test-boundary-4c1f"


def multipart(*parts: tuple[str, str | None, bytes], boundary: str = BOUNDARY) -> bytes:
    """A multipart/form-data body from (field name, filename or None, content) triples."""
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        body += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


MULTIPART_HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


async def in_chunks(body: bytes, size: int = 4 * KiB) -> AsyncIterator[bytes]:
    """The body as a stream: httpx then sends it chunked, without Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def stored_names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_upload_stores_a_file_and_describes_it(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    content = os.urandom(50 * KiB)

    response = await client.post(
        "/files", files={"files": ("report.pdf", content, "application/pdf")}
    )

    assert response.status_code == 201
    [described] = response.json()["files"]
    assert described["filename"] == "report.pdf"
    assert described["size"] == len(content)
    assert described["sha256"] == hashlib.sha256(content).hexdigest()
    assert described["content_type"] == "application/pdf"
    file_id = uuid.UUID(described["id"])
    assert stored_names(upload_dir) == [f"{file_id}.bin", f"{file_id}.json"]
    assert (upload_dir / f"{file_id}.bin").read_bytes() == content


async def test_upload_several_files_then_list_download_and_delete(
    client: httpx.AsyncClient,
) -> None:
    files = [("files", ("a.txt", b"first", "text/plain")), ("files", ("b.bin", b"\x00" * 10, ""))]

    uploaded = (await client.post("/files", files=files)).json()["files"]
    listed = (await client.get("/files")).json()
    download = await client.get(f"/files/{uploaded[0]['id']}")
    metadata = await client.get(f"/files/{uploaded[1]['id']}/metadata")
    deleted = await client.delete(f"/files/{uploaded[0]['id']}")
    after = await client.get(f"/files/{uploaded[0]['id']}")

    assert [item["filename"] for item in uploaded] == ["a.txt", "b.bin"]
    assert uploaded[1]["content_type"] == "application/octet-stream"
    assert listed == uploaded
    assert download.status_code == 200
    assert download.content == b"first"
    assert download.headers["content-type"].startswith("text/plain")
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt"
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert metadata.json() == uploaded[1]
    assert deleted.status_code == 204
    assert_problem(after, 404, "not_found")
    assert [item["id"] for item in (await client.get("/files")).json()] == [uploaded[1]["id"]]


async def test_download_keeps_a_non_ascii_name_in_content_disposition(
    client: httpx.AsyncClient,
) -> None:
    uploaded = await client.post("/files", files={"files": ("отчёт 1.txt", b"x", "text/plain")})
    file_id = uploaded.json()["files"][0]["id"]

    response = await client.get(f"/files/{file_id}")

    assert uploaded.json()["files"][0]["filename"] == "отчёт 1.txt"
    assert response.headers["content-disposition"] == (
        'attachment; filename="????? 1.txt"; '
        "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%201.txt"
    )


def test_content_disposition_cannot_be_broken_out_of() -> None:
    assert content_disposition('a "b"\\c;.txt') == (
        "attachment; filename=\"a 'b'_c;.txt\"; filename*=UTF-8''a%20%22b%22%5Cc%3B.txt"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\drivers", "drivers"),
        ("/absolute/path.txt", "path.txt"),
        ("evil\x00.txt", "evil.txt"),
        ("line\r\nX-Injected: yes", "lineX-Injected: yes"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("..", "unnamed"),
        ("", "unnamed"),
        ("   .hidden  ", "hidden"),
        ("é" * 200, "é" * 127),
    ],
)
def test_safe_display_name_keeps_only_a_plain_last_component(raw: str, expected: str) -> None:
    assert safe_display_name(raw) == expected


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd", "../../../tmp/escape", "a\x01b\x7f", "..", "/etc/shadow"]
)
async def test_a_hostile_filename_never_leaves_the_upload_folder(
    client: httpx.AsyncClient, upload_dir: Path, filename: str
) -> None:
    body = multipart(("files", filename, b"payload"))

    response = await client.post("/files", content=body, headers=MULTIPART_HEADERS)

    assert response.status_code == 201
    described = response.json()["files"][0]
    assert "/" not in described["filename"]
    assert described["filename"] != ".."
    assert all(ord(char) >= 32 and char != "\x7f" for char in described["filename"])
    assert stored_names(upload_dir) == sorted([f"{described['id']}.bin", f"{described['id']}.json"])
    assert not (upload_dir.parent.parent / "escape").exists()


async def test_a_file_over_the_limit_is_413_and_nothing_is_kept(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    body = multipart(("files", "small.txt", b"ok"), ("files", "big.bin", b"x" * (64 * KiB + 1)))

    response = await client.post("/files", content=body, headers=MULTIPART_HEADERS)

    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"] == "file 'big.bin' is larger than the 64 KiB limit"
    assert stored_names(upload_dir) == []  # the small file of the failed request is gone too


async def test_a_file_exactly_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/files", files={"files": ("max.bin", b"x" * 64 * KiB)})

    assert response.status_code == 201
    assert response.json()["files"][0]["size"] == 64 * KiB


async def test_a_chunked_file_over_the_limit_is_cut_off_too(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    body = multipart(("files", "big.bin", b"x" * (100 * KiB)))

    response = await client.post("/files", content=in_chunks(body), headers=MULTIPART_HEADERS)

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "payload_too_large")
    assert stored_names(upload_dir) == []


async def test_a_request_over_the_total_limit_is_413_before_it_is_read(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    files = [("files", (f"{number}.bin", b"x" * (60 * KiB))) for number in range(3)]

    response = await client.post("/files", files=files)

    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"].endswith("the limit is 160 KiB")
    assert stored_names(upload_dir) == []


async def test_a_chunked_request_over_the_total_limit_is_413(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    body = multipart(*[("files", f"{number}.bin", b"x" * (60 * KiB)) for number in range(3)])

    response = await client.post("/files", content=in_chunks(body), headers=MULTIPART_HEADERS)

    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"] == "the request body is larger than the 160 KiB limit"
    assert stored_names(upload_dir) == []


async def test_too_many_files_is_413(client: httpx.AsyncClient, upload_dir: Path) -> None:
    files = [("files", (f"{number}.txt", b"x")) for number in range(4)]

    response = await client.post("/files", files=files)

    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"] == "at most 3 files per request"
    assert stored_names(upload_dir) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (multipart(("note", None, b"text")), (422, "unprocessable_content", "unexpected form")),
        (multipart(("files", None, b"text")), (422, "unprocessable_content", "not text")),
        (f"--{BOUNDARY}--\r\n".encode(), (422, "unprocessable_content", "holds no files")),
        (multipart(("files", "a.txt", b"abc"))[:-20], (400, "bad_request", "ended before")),
        (b"garbage without any boundary", (400, "bad_request", "malformed multipart")),
    ],
)
async def test_a_malformed_upload_is_refused_and_leaves_nothing(
    client: httpx.AsyncClient,
    upload_dir: Path,
    body: bytes,
    expected: tuple[int, str, str],
) -> None:
    status, code, detail = expected
    response = await client.post("/files", content=body, headers=MULTIPART_HEADERS)

    problem = assert_problem(response, status, code)
    assert detail in problem["detail"]
    assert stored_names(upload_dir) == []


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("application/json", 415), ("multipart/form-data", 400), (None, 415)],
)
async def test_an_upload_must_be_multipart_with_a_boundary(
    client: httpx.AsyncClient, content_type: str | None, status: int
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = await client.post("/files", content=b"{}", headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_oversized_part_headers_are_refused(client: httpx.AsyncClient) -> None:
    body = f"--{BOUNDARY}\r\nX-Padding: {'p' * 17 * KiB}\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode()

    response = await client.post("/files", content=body, headers=MULTIPART_HEADERS)

    assert_problem(response, 400, "bad_request")


@pytest.mark.parametrize("path", ["/files/not-a-uuid", "/files/123/metadata"])
async def test_a_malformed_file_id_is_422(client: httpx.AsyncClient, path: str) -> None:
    assert_problem(await client.get(path), 422, "validation_error")


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_an_unknown_file_id_is_404(client: httpx.AsyncClient, method: str) -> None:
    file_id = uuid.uuid4()

    response = await client.request(method, f"/files/{file_id}")

    problem = assert_problem(response, 404, "not_found")
    assert problem["detail"] == f"no file with id {file_id}"


async def test_startup_removes_what_a_crashed_run_left(settings: Settings) -> None:
    folder = settings.upload_dir
    folder.mkdir(parents=True)
    (folder / f"{uuid.uuid4()}.part").write_bytes(b"half an upload")
    (folder / f"{uuid.uuid4()}.bin").write_bytes(b"data without metadata")
    (folder / f"{uuid.uuid4()}.json.part").write_bytes(b"{")
    app = create_app(settings)

    async with app.router.lifespan_context(app):
        assert stored_names(folder) == []


# --- through a real uvicorn server and real sockets ---------------------------------------------


async def test_a_real_server_streams_a_multi_megabyte_upload_and_download(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(max_file_bytes=8 * 1024 * KiB, max_upload_bytes=9 * 1024 * KiB)
    content = os.urandom(6 * 1024 * KiB)
    body = multipart(("files", "big.bin", content))

    async with (
        running_uvicorn(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url) as client,
    ):
        response = await client.post(
            "/files", content=in_chunks(body, 256 * KiB), headers=MULTIPART_HEADERS
        )
        described = response.json()["files"][0]
        download = await client.get(f"/files/{described['id']}")

    assert response.status_code == 201
    assert described["sha256"] == hashlib.sha256(content).hexdigest()
    assert download.content == content


async def test_a_real_server_answers_413_to_a_chunked_upload_over_the_limit(
    live_server: str, upload_dir: Path
) -> None:
    body = multipart(("files", "big.bin", b"x" * (200 * KiB)))

    async with httpx.AsyncClient(base_url=live_server) as client:
        response = await client.post("/files", content=in_chunks(body), headers=MULTIPART_HEADERS)

    assert_problem(response, 413, "payload_too_large")
    assert stored_names(upload_dir) == []


async def test_a_client_that_disconnects_mid_upload_leaves_nothing_behind(
    live_server: str, upload_dir: Path
) -> None:
    port = int(live_server.rsplit(":", 1)[1])
    head = multipart(("files", "cut.bin", b"x" * (40 * KiB)))[: 30 * KiB]
    request = (
        f"POST /files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {60 * KiB}\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request + head)
    await writer.drain()
    await wait_until(lambda: any(path.suffix == ".part" for path in upload_dir.iterdir()))

    writer.close()
    await writer.wait_closed()

    await wait_until(lambda: stored_names(upload_dir) == [])
    del reader


async def test_a_foreign_json_file_in_the_folder_is_not_listed(
    client: httpx.AsyncClient, upload_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (upload_dir / "notes.json").write_text('{"not": "an upload"}', encoding="utf-8")
    uploaded = (await client.post("/files", files={"files": ("a.txt", b"a")})).json()["files"]

    listed = (await client.get("/files")).json()

    assert listed == uploaded
    assert "ignoring notes.json" in caplog.text
