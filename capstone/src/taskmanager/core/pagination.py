"""Cursor pagination shared by every list: `?limit=&cursor=` in, `{"items", "next_cursor"}` out.

A cursor is the keyset position after the last item of a page, as JSON, signed with HMAC so a
client can neither read meaning into it nor forge one; a tampered or foreign cursor is a 422.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Annotated, Any, Generic, TypeVar

import pydantic_core
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from taskmanager.core.errors import ValidationProblemError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 2048
_SIGNATURE_BYTES = 16
ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; `next_cursor` is null on the last page."""

    model_config = ConfigDict(extra="forbid")

    items: list[ItemT]
    next_cursor: str | None


def page_response(items: Iterable[str], next_cursor: str | None) -> Response:
    """A `Page` as JSON from its items' finished JSON texts (see `taskmanager.core.sql_json`).

    For the hottest list: validating each row into the item model, the page into `Page`, and
    FastAPI validating the returned page once more against the route's `response_model`, cost
    more CPU than the query. The tests compare the items with the item route's JSON, byte for byte.
    """
    body = b"".join(
        (
            b'{"items":[',
            ",".join(items).encode(),
            b'],"next_cursor":',
            pydantic_core.to_json(next_cursor),
            b"}",
        )
    )
    return Response(body, media_type="application/json")


def _signature(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, b"cursor:" + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(position: dict[str, Any], secret: bytes) -> str:
    """An opaque, tamper-evident cursor for a keyset position (JSON-serialisable values)."""
    payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    token = _signature(payload, secret) + payload
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(cursor: str, secret: bytes) -> dict[str, Any]:
    """The position inside a cursor made by `encode_cursor`; anything else is a 422."""
    invalid = ValidationProblemError("The cursor is not valid.", code="invalid_cursor")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise invalid from None
    signature, payload = token[:_SIGNATURE_BYTES], token[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _signature(payload, secret)):
        raise invalid
    try:
        position = json.loads(payload)
    except ValueError:
        raise invalid from None
    if not isinstance(position, dict):
        raise invalid
    return position


def cursor_secret(request: Request) -> bytes:
    """The key cursors are signed with: derived from the JWT secret, never the secret itself."""
    jwt_secret: str = request.app.state.settings.jwt_secret.get_secret_value()
    return hashlib.sha256(b"taskmanager-cursor\x00" + jwt_secret.encode()).digest()


class PageParams(BaseModel):
    """The paging query of a list endpoint, with the cursor already verified and decoded."""

    limit: int
    position: dict[str, Any] | None
    secret: bytes = Field(repr=False)
    """The key cursors are signed with: never in a repr (a log line, a traceback)."""

    def next_cursor(self, position: dict[str, Any]) -> str:
        return encode_cursor(position, self.secret)


LIMIT_DESCRIPTION = "Items per page (1..100)."
CURSOR_DESCRIPTION = "`next_cursor` of the previous page."
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=LIMIT_DESCRIPTION, examples=[20])]
CursorQuery = Annotated[
    str | None, Query(max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)
]


def read_page_params(request: Request, limit: int, cursor: str | None) -> PageParams:
    """The page size and the verified position of a validated `?limit=&cursor=`."""
    secret = cursor_secret(request)
    position = decode_cursor(cursor, secret) if cursor else None
    return PageParams(limit=limit, position=position, secret=secret)


async def page_params(
    request: Request, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None
) -> PageParams:
    # `async def` although nothing is awaited: a plain `def` dependency would run in the
    # thread pool, a hand-off that costs more than decoding the cursor.
    return read_page_params(request, limit, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]
