"""CPU a request of `GET /tasks`' query model: `core.query.read_query` vs FastAPI's own.

    python capstone/bench/bench_query_model.py [--requests 5000]

Two minimal apps whose only route reads `TaskListQuery` from the query string — one through
`read_query` in a dependency (as the list does), one as FastAPI's `Annotated[Model, Query()]` —
called in-process through ASGI (no socket), interleaved in rounds; prints the median time a
request of each, and the difference: what `core/query.py` saves.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from starlette.types import Message
from taskmanager.core.query import read_query
from taskmanager.tasks.dependencies import TaskListQuery

QUERY = b"status=todo&status=in_progress&tag=work&q=report&sort=-due_at&limit=20"


async def query(request: Request) -> TaskListQuery:
    return read_query(request, TaskListQuery)


def own_reader_app() -> FastAPI:
    app = FastAPI()

    @app.get("/tasks")
    async def tasks(model: Annotated[TaskListQuery, Depends(query)]) -> int:
        return model.limit

    return app


def fastapi_model_app() -> FastAPI:
    app = FastAPI()

    @app.get("/tasks")
    async def tasks(model: Annotated[TaskListQuery, Query()]) -> int:
        return model.limit

    return app


async def call(app: FastAPI) -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/tasks",
        "raw_path": b"/tasks",
        "query_string": QUERY,
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    if status != 200:
        raise SystemExit(f"unexpected status {status}")


async def per_request_ms(app: FastAPI, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await call(app)
    return (time.perf_counter() - started) * 1000 / requests


async def run(requests: int, rounds: int) -> None:
    apps = {"read_query": own_reader_app(), "FastAPI Query()": fastapi_model_app()}
    for app in apps.values():
        await per_request_ms(app, 200)  # warm up
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():
            samples[name].append(await per_request_ms(app, requests // rounds))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, median in medians.items():
        print(f"{name:16} {median:.3f} ms a request (median of {rounds} rounds)")
    saved = medians["FastAPI Query()"] - medians["read_query"]
    print(f"read_query saves {saved:.3f} ms a request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.rounds))


if __name__ == "__main__":
    main()
