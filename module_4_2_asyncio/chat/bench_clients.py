"""The chat benchmark's clients: groups of them in one event loop, here or in a worker process.

Receiving is most of the benchmark's own work, so the receivers are spread over processes; each
group answers the same four calls whether it is local or behind a pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import re
import time
from array import array
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, cast

BENCH_TIMESTAMP = re.compile(rb" bench (\d+)\n")
CONNECT_BATCH = 100
SETTLE_TIMEOUT = 60.0


class BenchClient(asyncio.Protocol):
    """A client that reads every line and records each benchmark message's latency."""

    def __init__(self, nick: str, group: ClientGroup) -> None:
        self.nick = nick
        self.group = group
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.joined = asyncio.get_running_loop().create_future()
        self.sync_token = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.nick.encode() + b"\n")

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        chunk = self.buffer + data
        end = chunk.rfind(b"\n") + 1
        self.buffer = chunk[end:]
        lines = chunk[:end]
        # One regular expression over the whole chunk: per-line Python code would make the
        # clients, not the server, the bottleneck.
        sent_at = BENCH_TIMESTAMP.findall(lines)
        if sent_at:
            self.group.latencies_ns.extend(now - int(stamp) for stamp in sent_at)
            self.group.last_delivery_ns = now
        if not self.joined.done() and b"\n* hello " in b"\n" + lines:
            self.joined.set_result(None)
        if self.sync_token and self.sync_token in lines:
            self.sync_token = b""
            self.group.synced += 1
        self.group.check()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.joined.done():
            self.joined.set_exception(ConnectionError(f"{self.nick}: connection lost"))

    def send(self, text: str) -> None:
        if self.transport is None:
            raise RuntimeError(f"{self.nick} is not connected")
        self.transport.write(text.encode() + b"\n")


class ClientGroup:
    """Clients sharing one event loop, and the latencies they measured."""

    def __init__(self, port: int, nicks: Sequence[str]) -> None:
        self.port = port
        self.nicks = list(nicks)
        self.clients: list[BenchClient] = []
        self.latencies_ns: list[int] = []
        self.last_delivery_ns = 0
        self.synced = 0
        self._target = 0
        self._count_synced = False
        self._reached = asyncio.Event()

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        for first in range(0, len(self.nicks), CONNECT_BATCH):
            batch = [BenchClient(nick, self) for nick in self.nicks[first : first + CONNECT_BATCH]]
            for client in batch:
                await loop.create_connection(lambda client=client: client, "127.0.0.1", self.port)  # type: ignore[misc]
            joined = asyncio.gather(*(client.joined for client in batch))
            await asyncio.wait_for(joined, SETTLE_TIMEOUT)
            self.clients.extend(batch)

    def check(self) -> None:
        count = self.synced if self._count_synced else len(self.latencies_ns)
        if count >= self._target:
            self._reached.set()

    def _wait_for(self, target: int, *, synced: bool) -> None:
        self.latencies_ns, self.synced = [], 0
        self._target, self._count_synced = target, synced
        self._reached = asyncio.Event()
        self.check()

    async def arm_sync(self, token: str, *, sender: str | None = None) -> None:
        """Watch for ``token`` from ``sender`` on every client but the sender itself."""
        watching = [client for client in self.clients if client.nick != sender]
        for client in watching:
            client.sync_token = f"] {token}\n".encode()
        self._wait_for(len(watching), synced=True)

    async def wait_sync(self) -> None:
        await asyncio.wait_for(self._reached.wait(), SETTLE_TIMEOUT)

    async def expect(self, deliveries: int) -> None:
        self._wait_for(deliveries, synced=False)

    async def collect(self, wait_at_most: float) -> tuple[list[int], int]:
        """The latencies once all expected deliveries arrived, or whatever came in time."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._reached.wait(), wait_at_most)
        return self.latencies_ns, self.last_delivery_ns

    async def close(self) -> None:
        for client in self.clients:
            if client.transport is not None:
                client.transport.close()


class RemoteGroup:
    """A ``ClientGroup`` in a worker process, driven through a pipe."""

    def __init__(self, port: int, nicks: Sequence[str]) -> None:
        self.nicks = list(nicks)
        context = multiprocessing.get_context("spawn")  # never fork a process with a live loop
        self.connection, child_end = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=run_group_process, args=(port, self.nicks, child_end), daemon=True
        )
        self.process.start()
        child_end.close()

    async def _call(self, *command: Any) -> Any:
        self.connection.send(command)
        return await asyncio.to_thread(self.connection.recv)

    async def connect(self) -> None:
        answer = await asyncio.wait_for(asyncio.to_thread(self.connection.recv), SETTLE_TIMEOUT)
        if answer != "ready":
            raise RuntimeError(f"a client process failed to connect: {answer}")

    async def arm_sync(self, token: str, *, sender: str | None = None) -> None:
        await self._call("arm_sync", token, sender)

    async def wait_sync(self) -> None:
        await self._call("wait_sync")

    async def expect(self, deliveries: int) -> None:
        await self._call("expect", deliveries)

    async def collect(self, wait_at_most: float) -> tuple[list[int], int]:
        raw, last_delivery_ns = await self._call("collect", wait_at_most)
        return array("q", raw).tolist(), last_delivery_ns

    async def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):  # the worker may already be gone
            await self._call("close")
        await asyncio.to_thread(self.process.join, 10)
        if self.process.is_alive():
            self.process.kill()


def run_group_process(port: int, nicks: list[str], connection: Connection) -> None:
    """A worker process: connect its clients, then follow the commands from the pipe."""
    asyncio.run(_serve_commands(port, nicks, connection))


async def _serve_commands(port: int, nicks: list[str], connection: Connection) -> None:
    group = ClientGroup(port, nicks)
    try:
        await group.connect()
    except (OSError, TimeoutError) as failure:
        connection.send(f"{type(failure).__name__}: {failure}")
        return
    connection.send("ready")
    while True:
        command, *arguments = await asyncio.to_thread(connection.recv)
        if command == "arm_sync":
            await group.arm_sync(arguments[0], sender=arguments[1])
            connection.send("ok")
        elif command == "wait_sync":
            await group.wait_sync()
            connection.send("ok")
        elif command == "expect":
            await group.expect(arguments[0])
            connection.send("ok")
        elif command == "collect":
            latencies, last_delivery_ns = await group.collect(arguments[0])
            connection.send((array("q", latencies).tobytes(), last_delivery_ns))
        else:
            await group.close()
            connection.send("closed")
            return
