"""Page types: offset pages with a total for CRUD listings, opaque cursors for keyset pages."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from module_4_5_sqlalchemy.errors import InvalidCursorError

MAX_PAGE_SIZE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; ``total`` is counted by the database, not from ``items``."""

    items: list[T]
    total: int
    limit: int
    offset: int


def check_page_size(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}, got {limit}")


def check_offset_page(limit: int, offset: int) -> None:
    check_page_size(limit)
    if offset < 0:
        raise ValueError(f"offset must not be negative, got {offset}")


def encode_cursor(sort: str, key: list[Any]) -> str:
    """An opaque cursor: the sort it belongs to and the sort key of the last row seen."""
    payload = json.dumps({"sort": sort, "key": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort key a cursor carries; :class:`InvalidCursorError` if it is malformed or was
    produced for another sort order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidCursorError("the cursor is not one this listing produced") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("key"), list):
        raise InvalidCursorError("the cursor is not one this listing produced")
    if payload.get("sort") != sort:
        raise InvalidCursorError(f"the cursor belongs to another sort order, not {sort!r}")
    key: list[Any] = payload["key"]
    return key
