"""A local aiohttp server of slow pages, so the downloader's comparison is offline and reproducible.

It runs its own event loop in a background thread: a strategy that blocks the caller's loop (the
deliberately wrong one) must not freeze the server it is downloading from.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from aiohttp import web

from module_4_2_asyncio.downloader.fetching import PageSpec

PAGE_PATH = "/pages/{index}"


@dataclass(frozen=True, slots=True)
class PageServerConfig:
    """What the local server serves and how badly it behaves."""

    pages: int = 100
    latency: float = 0.1
    jitter: float = 0.0
    size: int = 16 * 1024
    fail_rate: float = 0.0
    fail_times: int = 2
    retry_after: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.pages < 1:
            raise ValueError("pages must be at least 1")
        if self.latency < 0 or self.jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        if self.size < 1:
            raise ValueError("page size must be at least 1 byte")
        if not 0 <= self.fail_rate <= 1:
            raise ValueError("fail rate must be between 0 and 1")
        if self.fail_times < 0 or self.retry_after < 0:
            raise ValueError("fail times and Retry-After must not be negative")


def page_body(index: int, size: int) -> bytes:
    """The content of page ``index``: deterministic, different for every page."""
    line = f"page {index:06d}: the quick brown fox jumps over the lazy dog\n".encode()
    return (line * (size // len(line) + 1))[:size]


class PageServer:
    """Serves ``/pages/0`` ... ``/pages/N-1`` on 127.0.0.1 after ``latency`` seconds each.

    With ``fail_rate`` > 0 a seeded choice of pages is flaky: their first ``fail_times`` requests
    answer 503, then 429 with ``Retry-After``, alternately. ``peak_in_flight`` shows how many
    requests a strategy really had open at once.
    """

    def __init__(self, config: PageServerConfig | None = None) -> None:
        self.config = config or PageServerConfig()
        # Seeded, so a run can be repeated exactly; nothing here is a secret.
        rng = random.Random(self.config.seed)  # noqa: S311
        self.flaky_pages = frozenset(
            index for index in range(self.config.pages) if rng.random() < self.config.fail_rate
        )
        self._latency_rng = random.Random(self.config.seed + 1)  # noqa: S311
        self._bodies = [page_body(index, self.config.size) for index in range(self.config.pages)]
        self._requests_per_page: dict[int, int] = {}
        self.requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._startup_error: BaseException | None = None

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.port}" + PAGE_PATH.format(index=index)

    def specs(self) -> list[PageSpec]:
        """Every page with the size and checksum a download must match."""
        return [
            PageSpec(self.url(index), size=len(body), sha256=hashlib.sha256(body).hexdigest())
            for index, body in enumerate(self._bodies)
        ]

    def reset_statistics(self) -> None:
        """Forget past requests, so each strategy meets the same flaky pages afresh."""
        self._requests_per_page = {}
        self.requests = 0
        self.peak_in_flight = 0

    async def _serve_page(self, request: web.Request) -> web.Response:
        try:
            index = int(request.match_info["index"])
        except ValueError:
            raise web.HTTPNotFound(text="no such page\n") from None
        if not 0 <= index < self.config.pages:
            raise web.HTTPNotFound(text="no such page\n")
        self.requests += 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            delay = self.config.latency + self._latency_rng.uniform(0, self.config.jitter)
            await asyncio.sleep(delay)
            attempt = self._requests_per_page.get(index, 0)
            self._requests_per_page[index] = attempt + 1
            if index in self.flaky_pages and attempt < self.config.fail_times:
                if attempt % 2 == 0:
                    return web.Response(status=503, text="temporarily unavailable\n")
                headers = {"Retry-After": str(self.config.retry_after)}
                return web.Response(status=429, text="slow down\n", headers=headers)
            return web.Response(body=self._bodies[index], content_type="text/plain")
        finally:
            self.in_flight -= 1

    async def _run(self, ready: threading.Event) -> None:
        app = web.Application()
        app.router.add_get(PAGE_PATH, self._serve_page)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
            await site.start()
            self.port = site.port
            self._stop = asyncio.Event()
        except OSError as error:
            self._startup_error = error
            await runner.cleanup()
            return
        finally:
            ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()

    def __enter__(self) -> Self:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        loop = self._loop
        self._thread = threading.Thread(
            target=lambda: loop.run_until_complete(self._run(ready)),
            name="page-server",
            daemon=True,
        )
        self._thread.start()
        if not ready.wait(timeout=10):
            raise RuntimeError("the local page server did not start within 10 s")
        if self._startup_error is not None:
            raise RuntimeError(f"the local page server failed to start: {self._startup_error}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._loop is None or self._thread is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        self._loop.close()
