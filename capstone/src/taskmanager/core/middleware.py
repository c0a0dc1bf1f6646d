"""Pure ASGI middleware: request ids, security headers, metrics and the request log, a
last-resort 500, and the body limit.

Pure ASGI rather than `@app.middleware("http")`: errors raised through `BaseHTTPMiddleware` arrive
wrapped in an `ExceptionGroup`, and the body limit must count bytes as they stream in.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskmanager.core.errors import problem_response
from taskmanager.core.logging import REQUEST_LOGGER
from taskmanager.core.metrics import Metrics, route_of

logger = logging.getLogger(__name__)
request_logger = logging.getLogger(REQUEST_LOGGER)
REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
DOCS_PATHS = ("/docs", "/redoc")

API_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# Swagger UI and ReDoc run inline bootstrap scripts and ReDoc uses a blob: worker.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


def request_id_from(scope: Scope) -> str:
    """The client's `X-Request-ID` if well formed (so ids join up across services), else new."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _WELL_FORMED_REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Outermost layer: every response, even a crash, gets a request id and security headers,
    is counted and timed, and logged as one line."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, hsts: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        response_started = False
        status = 500
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started, status
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                self._add_security_headers(scope["path"], headers)
            await send(message)

        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unhandled error in %s %s", scope["method"], route_of(scope))
            if response_started:
                raise
            response = problem_response(
                500, "internal_error", "An unexpected error occurred; it has been logged."
            )
            await response(scope, receive, send_with_headers)
        finally:
            self.metrics.in_progress.dec()
            duration = time.perf_counter() - started
            self.metrics.observe(scope, status, duration)
            _log_request(scope, request_id, status, duration)

    def _add_security_headers(self, path: str, headers: MutableHeaders) -> None:
        for name, value in API_SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        if path.startswith(DOCS_PATHS):
            headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        elif path.startswith("/api/"):
            headers.setdefault("Cache-Control", "no-store")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def _log_request(scope: Scope, request_id: str, status: int, seconds: float) -> None:
    # Built from the scope only: headers (tokens) and bodies (passwords) never reach the log.
    level = logging.ERROR if status >= 500 else logging.INFO
    if not request_logger.isEnabledFor(level):  # LOG_LEVEL=WARNING: skip building the record
        return
    client = scope.get("client")
    request_logger.log(
        level,
        "%s %s %s",
        scope["method"],
        route_of(scope),
        status,
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "route": route_of(scope),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "user_id": scope["state"].get("user_id"),
            "client": client[0] if client else None,
        },
    )


class BodySizeLimitMiddleware:
    """413 for a body over `max_body_bytes`, counted as it streams (chunked bodies have no
    Content-Length to trust)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI passes its own HTTPException through body parsing; anything else
                    # raised here would become a 400 "error parsing the body".
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counting_receive, send)

    def _detail(self) -> str:
        return f"The request body exceeds {self.max_body_bytes} bytes."

    def _too_large(self) -> ASGIApp:
        return problem_response(413, "payload_too_large", self._detail())


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
