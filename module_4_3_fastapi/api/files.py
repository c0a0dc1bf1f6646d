"""File routes: streaming upload (``POST /files``), list, download and delete.

The upload endpoint reads ``request.stream()`` itself instead of declaring ``UploadFile``
parameters (as ``POST /upload`` does): those make FastAPI parse (and spool) the whole form before
the endpoint runs.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel

from module_4_3_fastapi.errors import NotFoundError, problem_responses
from module_4_3_fastapi.file_store import FileNotInStoreError, FileStore, StoredFile
from module_4_3_fastapi.settings import AppSettings
from module_4_3_fastapi.uploads import FILES_FIELD, UploadLimits, receive_files

router = APIRouter(prefix="/files", tags=["4.3.2 file upload"])


def get_file_store(request: Request) -> FileStore:
    store: FileStore = request.app.state.file_store
    return store


Store = Annotated[FileStore, Depends(get_file_store)]


class UploadedFiles(BaseModel):
    files: list[StoredFile]


_MULTIPART_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILES_FIELD],
                "properties": {
                    FILES_FIELD: {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "one or more files",
                    }
                },
            }
        }
    },
}


@router.post(
    "",
    status_code=201,
    summary="Upload one or more files (streamed to disk)",
    description="Send `multipart/form-data` with the files in the field `files`. Each file is "
    "written to disk in chunks as it arrives and hashed on the way (SHA-256). A file over the "
    "per-file limit, or a body over the per-request limit, is cut off at that byte with 413, "
    "also without `Content-Length`; a failed upload stores none of its files.",
    openapi_extra={"requestBody": _MULTIPART_BODY},
    responses=problem_responses(400, 413, 415, 422),
)
async def upload_files(request: Request, store: Store, settings: AppSettings) -> UploadedFiles:
    limits = UploadLimits(
        max_file_bytes=settings.max_file_bytes, max_files=settings.max_files_per_upload
    )
    stored = await receive_files(
        request.stream(), request.headers.get("content-type"), store, limits
    )
    return UploadedFiles(files=stored)


@router.get("", summary="List stored files", description="Oldest first.")
def list_files(store: Store) -> list[StoredFile]:
    # A plain `def`: FastAPI runs it in a worker thread, so the file system calls don't block.
    return store.list()


def _find(store: FileStore, file_id: uuid.UUID) -> tuple[StoredFile, str]:
    try:
        stored, path = store.get(file_id)
    except FileNotInStoreError:
        raise NotFoundError(f"no file with id {file_id}") from None
    return stored, str(path)


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact UTF-8 name (RFC 6266, RFC 8187)."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/{file_id}",
    summary="Download a file",
    description="Streams the file back as an attachment under its original (cleaned) name.",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the file's bytes"},
        **problem_responses(404, 422),
    },
)
def download_file(file_id: uuid.UUID, store: Store) -> FileResponse:
    stored, path = _find(store, file_id)
    return FileResponse(
        path,
        media_type=stored.content_type,
        headers={
            "Content-Disposition": content_disposition(stored.filename),
            # Never let a browser sniff an uploaded file into HTML or script.
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/{file_id}/metadata",
    summary="Describe a file",
    responses=problem_responses(404, 422),
)
def describe_file(file_id: uuid.UUID, store: Store) -> StoredFile:
    return _find(store, file_id)[0]


@router.delete(
    "/{file_id}",
    status_code=204,
    summary="Delete a file",
    responses=problem_responses(404, 422),
)
def delete_file(file_id: uuid.UUID, store: Store) -> Response:
    try:
        store.delete(file_id)
    except FileNotInStoreError:
        raise NotFoundError(f"no file with id {file_id}") from None
    return Response(status_code=204)
