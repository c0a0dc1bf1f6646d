"""Real servers for the end-to-end test: a fake Nager.Date in-process, the service as a process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Response

from module_4_6_pytest.tests.nager import FakeNager

ROOT = Path(__file__).resolve().parents[3]
STARTUP_DEADLINE = 30.0
"""Seconds a server may take to start on a busy CI machine before the test gives up."""
_LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


class FakeNagerServer:
    """Nager.Date's ``/api/v3/PublicHolidays`` over real HTTP, answering from a ``FakeNager``.

    ``hang()`` makes it stop answering (until ``release()``): the client's timeout is then real.
    """

    def __init__(self, nager: FakeNager) -> None:
        self.nager = nager
        self._answering = asyncio.Event()
        self._answering.set()
        self.app = FastAPI()
        self.app.get("/api/v3/PublicHolidays/{year}/{country}")(self._public_holidays)

    def hang(self) -> None:
        self._answering.clear()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve on a free port of 127.0.0.1; yield the base URL."""
        async with serve_in_process(self.app) as url:
            try:
                yield url
            finally:
                self._answering.set()  # a hanging request must end, or uvicorn waits for it

    async def _public_holidays(self, year: int, country: str) -> Response:
        await self._answering.wait()
        answer = self.nager.answer(year, country)
        return Response(answer.content, answer.status_code, media_type="application/json")


@asynccontextmanager
async def serve_in_process(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn in this event loop, on a free port; yield its base URL."""
    config = uvicorn.Config(
        app, port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(STARTUP_DEADLINE):
            while not server.started:  # poll with a deadline: uvicorn offers no startup event
                if serving.done():
                    serving.result()  # a failed start raises here
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def service_process(environment: Mapping[str, str], log: Path) -> AsyncIterator[str]:
    """``python -m module_4_6_pytest --port 0`` as a child process; yield its base URL.

    The port is read from uvicorn's "running on" line in the log. On exit the process gets
    SIGTERM and must shut down cleanly: the app's lifespan ends, closing its connections.
    """
    with log.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "module_4_6_pytest",
            "--port",
            "0",
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": _python_path(), **environment},
            stdout=log_file,
            stderr=log_file,
        )
    try:
        yield await _wait_until_listening(process, log)
    finally:
        if process.returncode is None:
            process.terminate()
        try:
            async with asyncio.timeout(STARTUP_DEADLINE):
                await process.wait()
        except TimeoutError:
            process.kill()  # never leave a server behind, even one that ignores SIGTERM
            await process.wait()
            raise
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught, as a server should.
    output = await asyncio.to_thread(log.read_text)
    assert process.returncode in {0, -signal.SIGTERM}, output
    assert "Application shutdown complete" in output, output


def _python_path() -> str:
    """The repository root, ahead of whatever PYTHONPATH this run already has."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


async def _wait_until_listening(process: asyncio.subprocess.Process, log: Path) -> str:
    async with asyncio.timeout(STARTUP_DEADLINE):
        while not (listening := _LISTENING.search(await asyncio.to_thread(log.read_text))):
            if process.returncode is not None:
                output = await asyncio.to_thread(log.read_text)
                raise AssertionError(f"the service exited at start:\n{output}")
            await asyncio.sleep(0.05)
    return listening.group(1)
