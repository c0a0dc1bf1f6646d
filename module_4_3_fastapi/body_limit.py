"""Pure ASGI middleware that caps the size of every request body by counting bytes as they arrive.

``Content-Length`` is checked up front, but chunked requests have none, so the bytes delivered by
``receive()`` are counted too. It is pure ASGI (not ``@app.middleware``), because exceptions
raised through ``BaseHTTPMiddleware`` arrive wrapped in an ``ExceptionGroup``.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from module_4_3_fastapi.errors import PayloadTooLargeError, problem_response


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
            response = problem_response(
                413,
                PayloadTooLargeError.code,
                f"the request body is {declared} bytes; the limit is {format_bytes(limit)}",
            )
            await response(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLargeError(
                        f"the request body is larger than the {format_bytes(limit)} limit"
                    )
            return message

        await self.app(scope, counting_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects a malformed Content-Length itself
    return None
