"""``POST /upload``: one file through FastAPI's ``UploadFile``, stored with its size and SHA-256.

FastAPI parses the multipart form before the endpoint runs (Starlette spools a large file to a
temporary file); the endpoint then copies it into the store in chunks and refuses it past
``max_file_bytes`` with 413. ``GET /files/{id}`` downloads what it stored.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile

from module_4_3_fastapi.api.files import Store
from module_4_3_fastapi.body_limit import format_bytes
from module_4_3_fastapi.errors import PayloadTooLargeError, problem_responses
from module_4_3_fastapi.file_store import StoredFile, normalise_content_type, safe_display_name
from module_4_3_fastapi.settings import AppSettings

router = APIRouter(tags=["4.3.2 file upload"])

CHUNK_BYTES = 64 * 1024
"""How much of the upload is read, hashed and written at a time."""


@router.post(
    "/upload",
    status_code=201,
    summary="Upload one file (UploadFile)",
    description="Send `multipart/form-data` with the file in the field `file`. The answer "
    "describes the stored file: its id, name, size and SHA-256. A file over the per-file limit "
    "is refused with 413 and nothing of it is kept.",
    responses=problem_responses(413, 422),
)
async def upload_file(
    file: Annotated[UploadFile, File(description="the file to store")],
    store: Store,
    settings: AppSettings,
    response: Response,
) -> StoredFile:
    # region 4.3.2 core: copy `file` into the store in chunks; past max_file_bytes, 413
    #: tip: incoming = store.begin(name, content_type); `await file.read(CHUNK_BYTES)` until it
    #: returns b""; incoming.write([chunk]) hashes and writes (run it with asyncio.to_thread);
    #: store.commit(incoming) describes the file, store.discard(incoming) deletes a failed one
    name = safe_display_name(file.filename or "")
    incoming = await asyncio.to_thread(store.begin, name, normalise_content_type(file.content_type))
    try:
        while chunk := await file.read(CHUNK_BYTES):
            if incoming.size + len(chunk) > settings.max_file_bytes:
                limit = format_bytes(settings.max_file_bytes)
                raise PayloadTooLargeError(f"file {name!r} is larger than the {limit} limit")
            await asyncio.to_thread(incoming.write, [chunk])
        stored = await asyncio.to_thread(store.commit, incoming)
    except BaseException:
        store.discard(incoming)  # a refused or broken upload leaves nothing behind
        raise
    response.headers["Location"] = f"/files/{stored.id}"
    return stored
    # endregion 4.3.2
