"""Benchmark: 1,000 clients on loopback, messages broadcast to all, with and without a client
that never reads.

    python -m module_4_2_asyncio.chat.bench --clients 1000 --rate 200 --duration 5

The server runs as its own process (the real command, on a free port); the clients run here, one
event loop with a small protocol each. A message carries its send time, so every delivery gives
one fan-out latency: from the sender's write to the line arriving at a receiver.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import resource
import signal
import socket
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import cast

BENCH_TIMESTAMP = re.compile(rb" bench (\d+)\n")
SERVER_COMMAND = [sys.executable, "-m", "module_4_2_asyncio.chat.server"]
CONNECT_BATCH = 100
SETTLE_TIMEOUT = 60.0


class Room:
    """What all benchmark clients share: the latencies measured, and what is being waited for."""

    def __init__(self) -> None:
        self.latencies_ns: list[int] = []
        self.last_delivery_ns = 0
        self.synced = 0
        self._target = 0
        self._count_synced = False
        self._reached = asyncio.Event()

    def expect(self, target: int, *, synced: bool = False) -> asyncio.Event:
        """An event set once ``target`` deliveries (or sync markers) have arrived."""
        self.latencies_ns, self.synced = [], 0
        self._target, self._count_synced = target, synced
        self._reached = asyncio.Event()
        return self._reached

    def check(self) -> None:
        count = self.synced if self._count_synced else len(self.latencies_ns)
        if count >= self._target:
            self._reached.set()


class BenchClient(asyncio.Protocol):
    """A client that reads every line and records each benchmark message's latency."""

    def __init__(self, nick: str, room: Room) -> None:
        self.nick = nick
        self.room = room
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
            self.room.latencies_ns.extend(now - int(stamp) for stamp in sent_at)
            self.room.last_delivery_ns = now
        if not self.joined.done() and b"\n* hello " in b"\n" + lines:
            self.joined.set_result(None)
        if self.sync_token and self.sync_token in lines:
            self.sync_token = b""
            self.room.synced += 1
        self.room.check()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.joined.done():
            self.joined.set_exception(ConnectionError(f"{self.nick}: connection lost"))

    def send(self, text: str) -> None:
        if self.transport is None:
            raise RuntimeError(f"{self.nick} is not connected")
        self.transport.write(text.encode() + b"\n")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    clients: int
    messages: int
    deliveries: int
    lost: int
    seconds: float
    deliveries_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float


def raise_file_limit(needed: int) -> str:
    """Raise RLIMIT_NOFILE toward ``needed``: many laptops default to 1,024 (macOS to 256)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return f"open files limit {soft} (enough)"
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        return f"open files limit raised to the hard limit {target}: below the {needed} needed"
    return f"open files limit raised from {soft} to {target}"


async def start_server(outbox_limit: int | None) -> tuple[asyncio.subprocess.Process, int]:
    command = [*SERVER_COMMAND, "--host", "127.0.0.1", "--port", "0", "--log-level", "warning"]
    if outbox_limit is not None:
        command += ["--outbox-limit", str(outbox_limit)]
    server = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    if server.stdout is None:  # pragma: no cover - stdout=PIPE always gives a stream
        raise RuntimeError("no pipe to the server's stdout")
    line = await asyncio.wait_for(server.stdout.readline(), 30)
    if not line.startswith(b"listening on "):
        server.kill()
        raise RuntimeError(f"the chat server did not start: {line!r}")
    return server, int(line.rsplit(b":", 1)[1])


async def connect_clients(port: int, count: int, room: Room) -> list[BenchClient]:
    loop = asyncio.get_running_loop()
    clients: list[BenchClient] = []
    for first in range(0, count, CONNECT_BATCH):
        batch = [
            BenchClient(f"c{number:04d}", room)
            for number in range(first, min(first + CONNECT_BATCH, count))
        ]
        for client in batch:
            await loop.create_connection(lambda client=client: client, "127.0.0.1", port)  # type: ignore[misc]
        await asyncio.wait_for(asyncio.gather(*(client.joined for client in batch)), SETTLE_TIMEOUT)
        clients.extend(batch)
    return clients


async def settle(clients: Sequence[BenchClient], room: Room, token: str) -> None:
    """Wait until everything sent so far has reached every client: a marker goes round."""
    everyone_has_it = room.expect(len(clients) - 1, synced=True)
    for client in clients[1:]:
        client.sync_token = f"] {token}\n".encode()
    clients[0].send(token)
    await asyncio.wait_for(everyone_has_it.wait(), SETTLE_TIMEOUT)


async def run_scenario(
    name: str,
    clients: Sequence[BenchClient],
    room: Room,
    arguments: argparse.Namespace,
    *,
    seconds: float | None = None,
) -> Scenario:
    messages = max(1, int(arguments.rate * (seconds or arguments.duration)))
    expected = messages * (len(clients) - 1)
    all_delivered = room.expect(expected)
    senders = clients[: arguments.senders]
    padding = "x" * max(0, arguments.message_bytes - 40)
    started_ns = time.monotonic_ns()
    started = time.monotonic()
    for number in range(messages):
        delay = started + number / arguments.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        senders[number % len(senders)].send(f"{padding} bench {time.monotonic_ns()}")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_delivered.wait(), SETTLE_TIMEOUT)
    latencies = sorted(room.latencies_ns)
    elapsed = (room.last_delivery_ns - started_ns) / 1e9
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive") if latencies else []
    return Scenario(
        name=name,
        clients=len(clients),
        messages=messages,
        deliveries=len(latencies),
        lost=expected - len(latencies),
        seconds=elapsed,
        deliveries_per_second=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentiles[49] / 1e6 if percentiles else float("nan"),
        p99_ms=percentiles[98] / 1e6 if percentiles else float("nan"),
        max_ms=latencies[-1] / 1e6 if latencies else float("nan"),
    )


async def connect_idle_client(port: int) -> socket.socket:
    """A client that joins and then never reads: its small receive window fills quickly."""
    idle = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    idle.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    idle.setblocking(False)
    await asyncio.get_running_loop().sock_connect(idle, ("127.0.0.1", port))
    await asyncio.get_running_loop().sock_sendall(idle, b"idle\n")
    return idle


def idle_client_fate(idle: socket.socket) -> str:
    try:
        unread = idle.recv(1 << 24, socket.MSG_PEEK)
    except ConnectionResetError:
        return "disconnected by the server (outbox full)"
    except BlockingIOError:
        return "still connected, nothing unread"
    if not unread:
        return "closed by the server"
    return f"still connected, {len(unread)} bytes unread in its socket"


async def benchmark(arguments: argparse.Namespace) -> tuple[list[Scenario], list[str]]:
    notes = [raise_file_limit(2 * arguments.clients + 100)]
    server, port = await start_server(arguments.outbox_limit)
    room = Room()
    try:
        started = time.monotonic()
        clients = await connect_clients(port, arguments.clients, room)
        await settle(clients, room, "sync-0")
        notes.append(f"{len(clients)} clients joined in {time.monotonic() - started:.1f} s")
        # A short unmeasured round first, so both measured rounds start from the same state.
        await run_scenario("warm-up", clients, room, arguments, seconds=1.0)
        await settle(clients, room, "sync-w")
        results = [await run_scenario("all clients reading", clients, room, arguments)]
        idle = await connect_idle_client(port)
        await settle(clients, room, "sync-1")
        results.append(await run_scenario("plus 1 non-reading", clients, room, arguments))
        notes.append(f"non-reading client: {idle_client_fate(idle)}")
        idle.close()
        for client in clients:
            if client.transport is not None:
                client.transport.close()
    finally:
        server.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(server.wait(), 30)
        notes.append(f"server exited with code {code} after SIGTERM")
    return results, notes


def render(results: Sequence[Scenario], notes: Sequence[str]) -> str:
    header = (
        f"{'scenario':<20} {'clients':>7} {'msgs':>6} {'deliveries':>10} {'lost':>5} "
        f"{'deliv/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    lines = [header, "-" * len(header)]
    lines.extend(
        f"{r.name:<20} {r.clients:>7} {r.messages:>6} {r.deliveries:>10} {r.lost:>5} "
        f"{r.deliveries_per_second:>9,.0f} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f}"
        for r in results
    )
    if len(results) == 2:
        base, other = results
        if base.deliveries and other.deliveries:
            lines.append(
                f"non-reading client changes deliveries/s by "
                f"{(other.deliveries_per_second / base.deliveries_per_second - 1) * 100:+.1f} %, "
                f"p99 by {(other.p99_ms / base.p99_ms - 1) * 100:+.1f} %"
            )
    lines.extend(notes)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.chat.bench",
        description="Broadcast messages to N chat clients on loopback; print deliveries/s and "
        "fan-out latency, with and without one client that never reads.",
    )
    parser.add_argument("--clients", type=int, default=1000, help="reading clients (1000)")
    parser.add_argument("--senders", type=int, default=10, help="clients that send (10)")
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second (200)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of sending (5)")
    parser.add_argument("--message-bytes", type=int, default=64, help="bytes per message (64)")
    parser.add_argument("--outbox-limit", type=int, help="the server's --outbox-limit")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    arguments = parser.parse_args(argv)
    if arguments.clients < 2 or not 1 <= arguments.senders <= arguments.clients:
        parser.error("need at least 2 clients and 1 to --clients senders")
    if arguments.rate <= 0 or arguments.duration <= 0:
        parser.error("--rate and --duration must be positive")
    results, notes = asyncio.run(benchmark(arguments))
    if arguments.json:
        print(json.dumps({"scenarios": [asdict(r) for r in results], "notes": notes}, indent=2))
    else:
        print(render(results, notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
