"""Where uploaded files live: one folder, files named by a server-made UUID, metadata beside them.

A client's filename is kept only as metadata, cleaned by :func:`safe_display_name`; it never
becomes part of a path, so ``../../etc/passwd`` cannot escape the folder. Uploads are written to
``<id>.part`` and renamed only when the whole request succeeded; anything else is deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel, Field, ValidationError

logger = logging.getLogger(__name__)

MAX_FILENAME_BYTES = 255
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")


class StoredFile(BaseModel):
    """What the API says about a stored file."""

    id: uuid.UUID
    filename: str = Field(examples=["report.pdf"])
    size: int = Field(examples=[48213])
    sha256: str = Field(
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    )
    content_type: str = Field(examples=["application/pdf"])
    created_at: datetime


class FileNotInStoreError(LookupError):
    """No stored file has this id."""


def safe_display_name(raw: str) -> str:
    """A filename fit to show and to send back in ``Content-Disposition``.

    Only the last path component survives; control and format characters (NUL, CR/LF, the
    right-to-left override) are dropped; the name is cut to 255 bytes of UTF-8.
    """
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = name.strip().strip(".").strip()
    while len(name.encode()) > MAX_FILENAME_BYTES:
        name = name[:-1]
    return name or "unnamed"


def normalise_content_type(raw: str | None) -> str:
    """The media type of a part without its parameters, or ``application/octet-stream``."""
    media_type = (raw or "").split(";", 1)[0].strip().lower()
    return media_type if _MEDIA_TYPE.match(media_type) else DEFAULT_CONTENT_TYPE


class IncomingFile:
    """One file being received: written to ``<id>.part`` and hashed as its chunks arrive."""

    def __init__(self, folder: Path, filename: str, content_type: str) -> None:
        self.id = uuid.uuid4()
        self.filename = filename
        self.content_type = content_type
        self.size = 0
        self.part_path = folder / f"{self.id}.part"
        self._hash = hashlib.sha256()
        self._file: BinaryIO = self.part_path.open("xb")

    def write(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self._hash.update(chunk)
            self._file.write(chunk)
            self.size += len(chunk)

    def close(self) -> None:
        self._file.close()

    def describe(self) -> StoredFile:
        return StoredFile(
            id=self.id,
            filename=self.filename,
            size=self.size,
            sha256=self._hash.hexdigest(),
            content_type=self.content_type,
            created_at=datetime.now(UTC),
        )


class FileStore:
    """The folder of uploads. Methods block on the file system: call them from a thread."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def prepare(self) -> None:
        """Create the folder and delete what a crashed run left (parts, files without metadata)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for path in self.root.iterdir():
            orphan = path.suffix == ".bin" and not path.with_suffix(".json").exists()
            if path.suffix == ".part" or orphan:
                logger.warning("removing leftover upload %s", path.name)
                path.unlink(missing_ok=True)

    def begin(self, filename: str, content_type: str) -> IncomingFile:
        return IncomingFile(self.root, filename, content_type)

    def commit(self, incoming: IncomingFile) -> StoredFile:
        """Make a fully received file visible: data first, then its metadata, each atomically."""
        incoming.close()
        stored = incoming.describe()
        os.replace(incoming.part_path, self._data_path(stored.id))
        metadata_part = self.root / f"{stored.id}.json.part"
        metadata_part.write_text(stored.model_dump_json(), encoding="utf-8")
        os.replace(metadata_part, self._metadata_path(stored.id))
        return stored

    def discard(self, incoming: IncomingFile) -> None:
        incoming.close()
        incoming.part_path.unlink(missing_ok=True)

    def list(self) -> list[StoredFile]:
        stored = []
        for path in self.root.glob("*.json"):
            try:
                stored.append(StoredFile.model_validate_json(path.read_bytes()))
            except FileNotFoundError:
                continue  # deleted since the folder was listed
            except ValidationError:
                logger.warning("ignoring %s: not the metadata of an upload", path.name)
        return sorted(stored, key=lambda item: (item.created_at, str(item.id)))

    def get(self, file_id: uuid.UUID) -> tuple[StoredFile, Path]:
        try:
            metadata = self._metadata_path(file_id).read_bytes()
        except FileNotFoundError:
            raise FileNotInStoreError(file_id) from None
        return StoredFile.model_validate_json(metadata), self._data_path(file_id)

    def delete(self, file_id: uuid.UUID) -> None:
        try:
            # Metadata first: from that moment the file is gone for every reader.
            self._metadata_path(file_id).unlink()
        except FileNotFoundError:
            raise FileNotInStoreError(file_id) from None
        self._data_path(file_id).unlink(missing_ok=True)

    def _data_path(self, file_id: uuid.UUID) -> Path:
        return self.root / f"{file_id}.bin"

    def _metadata_path(self, file_id: uuid.UUID) -> Path:
        return self.root / f"{file_id}.json"
