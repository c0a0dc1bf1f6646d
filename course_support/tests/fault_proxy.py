"""A reverse proxy that plants one contract fault in front of a correct server.

It forwards every request to the upstream API unchanged, except for the single fault it is set
to: the contract suite run through it must then fail the test that guards that rule.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from enum import Enum
from typing import Any

import httpx
import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TASK_PATH = re.compile(r"^/api/v1/tasks/([0-9a-f-]{36})$")
HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}


class Fault(Enum):
    """One way an implementation can break the contract."""

    CREATED_AS_OK = "POST /tasks answers 200 instead of 201"
    FOREIGN_TASK_VISIBLE = "a task is readable, editable and deletable by any user"
    LOGOUT_IGNORED = "logout answers 204 but the session's tokens keep working"
    PASSWORD_ECHOED = "a validation error of /auth/register echoes the submitted password"
    NO_WWW_AUTHENTICATE = "401 responses lack WWW-Authenticate"
    ERRORS_AS_PLAIN_JSON = "errors are application/json, not application/problem+json"


class FaultProxy:
    """An ASGI app forwarding to ``upstream``, with at most one :class:`Fault` planted."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.fault: Fault | None = None
        self.task_owners: dict[str, str] = {}  # task id -> its creator's Authorization

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"]
        headers = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if key.decode("latin-1").lower() not in HOP_BY_HOP
        }
        if self.fault is Fault.LOGOUT_IGNORED and path == "/api/v1/auth/logout":
            await respond(send, 204, {}, b"")
            return
        task = TASK_PATH.match(path)
        if self.fault is Fault.FOREIGN_TASK_VISIBLE and task and task[1] in self.task_owners:
            headers["authorization"] = self.task_owners[task[1]]

        async with httpx.AsyncClient(base_url=self.upstream, timeout=30.0) as client:
            upstream = await client.request(
                method,
                path,
                params=scope["query_string"].decode("latin-1"),
                headers=headers,
                content=body,
            )
        status, content = upstream.status_code, upstream.content
        response_headers = {
            key: value for key, value in upstream.headers.items() if key not in HOP_BY_HOP
        }
        if method == "POST" and path == "/api/v1/tasks" and status == 201:
            self.task_owners[upstream.json()["id"]] = headers.get("authorization", "")
            if self.fault is Fault.CREATED_AS_OK:
                status = 200
        if self.fault is Fault.NO_WWW_AUTHENTICATE and status == 401:
            response_headers.pop("www-authenticate", None)
        if self.fault is Fault.ERRORS_AS_PLAIN_JSON and status >= 400:
            response_headers["content-type"] = "application/json"
        if self.fault is Fault.PASSWORD_ECHOED and status == 422 and path.endswith("/register"):
            content = echo_password(content, body)
        await respond(send, status, response_headers, content)


def echo_password(problem_body: bytes, request_body: bytes) -> bytes:
    """FastAPI's default habit: each validation error carries the submitted ``input``."""
    problem = json.loads(problem_body)
    password = json.loads(request_body).get("password")
    for error in problem.get("errors", []):
        error["input"] = password
    return json.dumps(problem).encode()


async def respond(send: Send, status: int, headers: dict[str, str], content: bytes) -> None:
    raw = [(key.encode("latin-1"), value.encode("latin-1")) for key, value in headers.items()]
    raw.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": content})


@contextlib.contextmanager
def serve_in_thread(app: FaultProxy, port: int, deadline_seconds: float = 15.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1:``port`` in a thread; yield its URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="fault-proxy", daemon=True)
    thread.start()
    deadline = time.monotonic() + deadline_seconds
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fault proxy did not start")
        time.sleep(0.01)  # a poll interval while uvicorn binds its socket
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=deadline_seconds)
