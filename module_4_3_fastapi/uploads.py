"""Receive a multipart upload as a stream: each file goes to disk chunk by chunk while hashed.

Starlette's ``request.form()`` would spool every file before the endpoint runs; here the body is
fed to python-multipart's push parser as it arrives, so a file's size limit stops the upload at
the byte that crosses it, memory stays flat, and a failure deletes every part of the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from module_4_3_fastapi.body_limit import format_bytes
from module_4_3_fastapi.errors import (
    BadRequestError,
    PayloadTooLargeError,
    UnprocessableContentError,
    UnsupportedMediaTypeError,
)
from module_4_3_fastapi.file_store import (
    FileStore,
    IncomingFile,
    StoredFile,
    normalise_content_type,
    safe_display_name,
)

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILES_FIELD = "files"
MAX_PART_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_files: int


class _Event(Enum):
    HEADER_FIELD = auto()
    HEADER_VALUE = auto()
    HEADER_END = auto()
    HEADERS_FINISHED = auto()
    DATA = auto()
    PART_END = auto()
    END = auto()


@dataclass
class _Part:
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[str, bytes] = field(default_factory=dict)
    header_bytes: int = 0


class _UploadReceiver:
    """Turns parser events into files; one instance per request."""

    def __init__(self, store: FileStore, limits: UploadLimits) -> None:
        self.store = store
        self.limits = limits
        self.events: list[tuple[_Event, bytes]] = []
        self.part = _Part()
        self.current: IncomingFile | None = None
        self.received: list[IncomingFile] = []
        self.finished = False

    def callbacks(self) -> MultipartCallbacks:
        """The parser calls these synchronously; they only queue what they saw."""
        events = self.events
        return {
            "on_header_field": lambda data, start, end: events.append(
                (_Event.HEADER_FIELD, data[start:end])
            ),
            "on_header_value": lambda data, start, end: events.append(
                (_Event.HEADER_VALUE, data[start:end])
            ),
            "on_header_end": lambda: events.append((_Event.HEADER_END, b"")),
            "on_headers_finished": lambda: events.append((_Event.HEADERS_FINISHED, b"")),
            "on_part_data": lambda data, start, end: events.append((_Event.DATA, data[start:end])),
            "on_part_end": lambda: events.append((_Event.PART_END, b"")),
            "on_end": lambda: events.append((_Event.END, b"")),
        }

    async def handle_events(self) -> None:
        """Act on what the parser found in the last chunk; file writes run in a thread."""
        pending: list[bytes] = []
        for kind, data in self.events:
            if kind is _Event.DATA:
                pending.append(data)
                continue
            await self._write(pending)
            pending = []
            self._handle_structure(kind, data)
        await self._write(pending)
        self.events.clear()  # the parser's callbacks hold this same list

    async def _write(self, chunks: list[bytes]) -> None:
        # region 4.3.2 extra: refuse a file past max_file_bytes, else write the chunks in a thread
        if not chunks:
            return
        incoming = self.current
        if incoming is None:  # the parser reports data only after a part's headers
            raise BadRequestError("part data before part headers")
        if incoming.size + sum(map(len, chunks)) > self.limits.max_file_bytes:
            raise PayloadTooLargeError(
                f"file {incoming.filename!r} is larger than the "
                f"{format_bytes(self.limits.max_file_bytes)} limit"
            )
        await asyncio.to_thread(incoming.write, chunks)
        # endregion 4.3.2

    def _handle_structure(self, kind: _Event, data: bytes) -> None:
        part = self.part
        if kind in (_Event.HEADER_FIELD, _Event.HEADER_VALUE):
            part.header_bytes += len(data)
            if part.header_bytes > MAX_PART_HEADER_BYTES:
                raise BadRequestError("a part's headers are larger than 16 KiB")
            target = part.header_name if kind is _Event.HEADER_FIELD else part.header_value
            target.extend(data)
        elif kind is _Event.HEADER_END:
            name = part.header_name.decode("latin-1").lower()
            part.headers[name] = bytes(part.header_value)
            part.header_name.clear()
            part.header_value.clear()
        elif kind is _Event.HEADERS_FINISHED:
            self._begin_file()
        elif kind is _Event.PART_END:
            self.current = None
            self.part = _Part()
        elif kind is _Event.END:
            self.finished = True

    def _begin_file(self) -> None:
        disposition, options = parse_options_header(self.part.headers.get("content-disposition"))
        field_name = options.get(b"name", b"").decode("utf-8", errors="replace")
        if disposition != b"form-data" or field_name != FILES_FIELD:
            raise UnprocessableContentError(
                f"unexpected form field {field_name!r}: send each file in a field named 'files'"
            )
        if b"filename" not in options:
            raise UnprocessableContentError("the 'files' field must hold files, not text")
        if len(self.received) >= self.limits.max_files:
            raise PayloadTooLargeError(f"at most {self.limits.max_files} files per request")
        filename = safe_display_name(options[b"filename"].decode("utf-8", errors="replace"))
        content_type = normalise_content_type(
            self.part.headers.get("content-type", b"").decode("latin-1")
        )
        self.current = self.store.begin(filename, content_type)
        self.received.append(self.current)


def _boundary(content_type: str | None) -> bytes:
    media_type, options = parse_options_header(content_type)
    if media_type != b"multipart/form-data":
        raise UnsupportedMediaTypeError("send the files as multipart/form-data")
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise BadRequestError("the multipart/form-data content type has no valid boundary")
    return boundary


async def receive_files(
    body: AsyncIterator[bytes],
    content_type: str | None,
    store: FileStore,
    limits: UploadLimits,
) -> list[StoredFile]:
    """Store every file of a multipart body, all or nothing, and describe them."""
    # region 4.3.2 extra: feed each chunk to the push parser, act on its events; all or nothing
    #: tip: parser.write(chunk) then `await receiver.handle_events()`; parser.finalize() at the
    #: end; on any failure (BaseException: a vanished client too) discard every received file
    receiver = _UploadReceiver(store, limits)
    parser = MultipartParser(_boundary(content_type), receiver.callbacks())
    try:
        async for chunk in body:
            parser.write(chunk)
            await receiver.handle_events()
        parser.finalize()
        await receiver.handle_events()
        if not receiver.finished:
            raise BadRequestError("the multipart body ended before its closing boundary")
        if not receiver.received:
            raise UnprocessableContentError("the request holds no files: send them in 'files'")
        return await asyncio.to_thread(lambda: [store.commit(file) for file in receiver.received])
    except BaseException as error:
        # Any failure, a cancelled task or a vanished client included, leaves nothing behind.
        # Synchronous on purpose: a few unlinks, and they must run even while being cancelled.
        _discard_all(store, receiver.received)
        if isinstance(error, MultipartParseError):
            raise BadRequestError(f"malformed multipart body: {error}") from None
        raise
    # endregion 4.3.2


def _discard_all(store: FileStore, files: list[IncomingFile]) -> None:
    for incoming in files:
        store.discard(incoming)
