"""Benchmark: 1,000 clients on loopback, messages broadcast to all, with and without a client
that never reads.

    python -m module_4_2_asyncio.chat.bench --clients 1000 --rate 150 --duration 5

The server runs as its own process (the real command, on a free port). The senders run here, the
receivers in ``--processes`` worker processes, each an event loop with a small protocol per
client. A message carries its send time, so every delivery gives one fan-out latency: from the
sender's write to the line arriving at a receiver.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal
import socket
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from module_4_2_asyncio.chat.bench_clients import SETTLE_TIMEOUT, ClientGroup, RemoteGroup

SERVER_COMMAND = [sys.executable, "-m", "module_4_2_asyncio.chat.server"]


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


Group = ClientGroup | RemoteGroup


async def settle(groups: Sequence[Group], senders: ClientGroup, token: str) -> None:
    """Wait until everything sent so far has reached every client: a marker goes round."""
    marker_sender = senders.clients[0]
    for group in groups:
        await group.arm_sync(token, sender=marker_sender.nick)
    marker_sender.send(token)
    await asyncio.gather(*(group.wait_sync() for group in groups))


async def run_scenario(
    name: str,
    groups: Sequence[Group],
    senders: ClientGroup,
    arguments: argparse.Namespace,
    *,
    seconds: float | None = None,
) -> Scenario:
    messages = max(1, int(arguments.rate * (seconds or arguments.duration)))
    clients = sum(len(group.nicks) for group in groups)
    expected = messages * (clients - 1)  # everyone but the sender
    for group in groups:
        not_own = len(group.nicks) - (1 if group is senders else 0)
        await group.expect(messages * not_own)
    padding = "x" * max(0, arguments.message_bytes - 40)
    started_ns = time.monotonic_ns()
    started = time.monotonic()
    for number in range(messages):
        delay = started + number / arguments.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sender = senders.clients[number % len(senders.clients)]
        sender.send(f"{padding} bench {time.monotonic_ns()}")
    collected = await asyncio.gather(
        *(group.collect(arguments.duration + SETTLE_TIMEOUT) for group in groups)
    )
    latencies = sorted(latency for group_latencies, _ in collected for latency in group_latencies)
    elapsed = (max(last for _, last in collected) - started_ns) / 1e9
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive") if latencies else []
    return Scenario(
        name=name,
        clients=clients,
        messages=messages,
        deliveries=len(latencies),
        lost=expected - len(latencies),
        seconds=elapsed,
        deliveries_per_second=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentiles[49] / 1e6 if percentiles else float("nan"),
        p99_ms=percentiles[98] / 1e6 if percentiles else float("nan"),
        max_ms=latencies[-1] / 1e6 if latencies else float("nan"),
    )


def receiver_groups(port: int, arguments: argparse.Namespace) -> list[Group]:
    nicks = [f"c{number:04d}" for number in range(arguments.clients - arguments.senders)]
    if arguments.processes == 0:
        return [ClientGroup(port, nicks)]
    share = -(-len(nicks) // arguments.processes)
    return [
        RemoteGroup(port, nicks[first : first + share]) for first in range(0, len(nicks), share)
    ]


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
    groups: list[Group] = []
    try:
        started = time.monotonic()
        senders = ClientGroup(port, [f"s{number:03d}" for number in range(arguments.senders)])
        await senders.connect()
        groups = [senders, *receiver_groups(port, arguments)]
        await asyncio.gather(*(group.connect() for group in groups[1:]))
        await settle(groups, senders, "sync-0")
        notes.append(f"{arguments.clients} clients joined in {time.monotonic() - started:.1f} s")
        # A short unmeasured round first, so both measured rounds start from the same state.
        await run_scenario("warm-up", groups, senders, arguments, seconds=1.0)
        await settle(groups, senders, "sync-1")
        results = [await run_scenario("all clients reading", groups, senders, arguments)]
        idle = await connect_idle_client(port)
        await settle(groups, senders, "sync-2")
        results.append(await run_scenario("plus 1 non-reading", groups, senders, arguments))
        notes.append(f"non-reading client: {idle_client_fate(idle)}")
        idle.close()
    finally:
        await asyncio.gather(*(group.close() for group in groups), return_exceptions=True)
        server.send_signal(signal.SIGTERM)  # whatever failed above, the server must not outlive us
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
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="worker processes for the receiving clients; 0 keeps them here (2)",
    )
    parser.add_argument("--rate", type=float, default=150.0, help="messages per second (150)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of sending (5)")
    parser.add_argument("--message-bytes", type=int, default=64, help="bytes per message (64)")
    parser.add_argument("--outbox-limit", type=int, help="the server's --outbox-limit")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    arguments = parser.parse_args(argv)
    if arguments.clients < 2 or not 1 <= arguments.senders < arguments.clients:
        parser.error("need at least 2 clients and from 1 to --clients - 1 senders")
    if arguments.processes < 0:
        parser.error("--processes must not be negative")
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
