"""Pure ASGI middleware that caps the size of every request body by counting bytes as they arrive.

``Content-Length`` is checked up front, but chunked requests have none, so the bytes delivered by
``receive()`` are counted too. It is pure ASGI (not ``@app.middleware``), because exceptions
raised through ``BaseHTTPMiddleware`` arrive wrapped in an ``ExceptionGroup``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from module_4_3_fastapi.errors import PayloadTooLargeError, problem_response

# After a 413 the client may still be sending: read and drop a little more of it so that it can
# read the answer, instead of a connection reset from closing a socket with unread data.
DRAIN_MAX_BYTES = 1024 * 1024
DRAIN_MAX_SECONDS = 1.0


def format_bytes(count: int) -> str:
    """``10485760`` -> ``"10 MiB"``, for limits in messages."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


class BodySizeLimitMiddleware:
    """Answer 413 problem+json once a request body passes the limit ``limit_for(scope)``."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _drain(receive)
            response = problem_response(
                413,
                PayloadTooLargeError.code,
                f"the request body is {declared} bytes; the limit is {format_bytes(limit)}",
            )
            await response(scope, receive, send)
            return

        received = 0
        body_complete = False

        async def counting_receive() -> Message:
            nonlocal received, body_complete
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_complete = not message.get("more_body", False)
                if received > limit:
                    raise PayloadTooLargeError(
                        f"the request body is larger than the {format_bytes(limit)} limit"
                    )
            return message

        async def draining_send(message: Message) -> None:
            starting_413 = message["type"] == "http.response.start" and message["status"] == 413
            if starting_413 and not body_complete:
                await _drain(receive)
            await send(message)

        await self.app(scope, counting_receive, draining_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects a malformed Content-Length itself
    return None


async def _drain(receive: Receive) -> None:
    """Read and discard what is left of the request body, within a byte and a time budget."""
    drained = 0
    try:
        async with asyncio.timeout(DRAIN_MAX_SECONDS):
            while drained <= DRAIN_MAX_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except TimeoutError:
        return
