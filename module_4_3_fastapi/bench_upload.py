"""Benchmark: upload one large file to a real server and watch the server's memory.

``python -m module_4_3_fastapi.bench_upload --size 200MiB`` starts ``python -m
module_4_3_fastapi`` on a free loopback port with a temporary data folder, streams a generated
file to ``POST /files`` while sampling the server's resident memory, downloads it back, checks
both SHA-256 digests and prints throughput and peak RSS. One upload, bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import re
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from pydantic import ByteSize, TypeAdapter

MiB = 1024 * 1024
BOUNDARY = "bench-boundary-7d3a"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BenchPlan:
    size: int
    chunk_size: int
    chunked: bool
    seconds: float


@dataclass
class MemoryPeak:
    baseline: int = 0
    peak: int = 0

    @property
    def growth(self) -> int:
        """How much the server's resident memory grew above its idle level, in bytes."""
        return self.peak - self.baseline


@dataclass(frozen=True)
class BenchResult:
    """What one run measured; the SHA-256 digests sent, stored and downloaded agreed."""

    plan: BenchPlan
    upload_seconds: float
    download_seconds: float
    memory: MemoryPeak


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def watch_memory(process: psutil.Process, peak: MemoryPeak, stop: asyncio.Event) -> None:
    """Sample the server's RSS every 10 ms until ``stop`` is set."""
    while not stop.is_set():
        peak.peak = max(peak.peak, process.memory_info().rss)
        try:
            async with asyncio.timeout(0.01):
                await stop.wait()
        except TimeoutError:
            continue


async def generated_file(size: int, block: bytes, digest: hashlib._Hash) -> AsyncIterator[bytes]:
    """The multipart body: ``size`` bytes repeating ``block``, hashed as they are sent."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    sent = 0
    while sent < size:
        chunk = block[: size - sent]
        digest.update(chunk)
        sent += len(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def framing_bytes() -> int:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    return len(head.encode()) + len(f"\r\n--{BOUNDARY}--\r\n".encode())


async def wait_until_ready(client: httpx.AsyncClient, server: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(60):
        while True:
            if server.returncode is not None:
                raise SystemExit(f"the server exited with {server.returncode} before it was ready")
            try:
                # The schema is served by FastAPI itself, whatever the routes' state.
                if (await client.get("/openapi.json")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


async def run(plan: BenchPlan) -> BenchResult:
    """Start ``python -m module_4_3_fastapi`` (it inherits ``DATABASE_URL``), upload, measure."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as data_dir:
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "module_4_3_fastapi",
            "--port",
            str(port),
            "--data-dir",
            data_dir,
            "--log-level",
            "warning",
            "--max-file-bytes",
            str(plan.size),
            "--max-upload-bytes",
            str(plan.size + MiB),
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            return await measure(port, server, plan)
        finally:
            server.send_signal(signal.SIGTERM)
            await server.wait()


async def measure(port: int, server: asyncio.subprocess.Process, plan: BenchPlan) -> BenchResult:
    size = plan.size
    limits = httpx.Timeout(plan.seconds)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=limits) as client:
        await wait_until_ready(client, server)
        process = psutil.Process(server.pid)
        memory = MemoryPeak(baseline=process.memory_info().rss)
        memory.peak = memory.baseline
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_memory(process, memory, stop))
        try:
            sent_digest = hashlib.sha256()
            headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
            if not plan.chunked:
                headers["content-length"] = str(size + framing_bytes())
            block = os.urandom(plan.chunk_size)
            started = time.perf_counter()
            async with asyncio.timeout(plan.seconds):
                response = await client.post(
                    "/files", content=generated_file(size, block, sent_digest), headers=headers
                )
                upload_seconds = time.perf_counter() - started
                response.raise_for_status()
                stored = response.json()["files"][0]
                received_digest = hashlib.sha256()
                started = time.perf_counter()
                async with client.stream("GET", f"/files/{stored['id']}") as download:
                    async for chunk in download.aiter_bytes():
                        received_digest.update(chunk)
                download_seconds = time.perf_counter() - started
        finally:  # also when the upload fails: no task outlives the run
            stop.set()
            await watcher

    if not stored["sha256"] == sent_digest.hexdigest() == received_digest.hexdigest():
        raise SystemExit("SHA-256 mismatch between what was sent, stored and downloaded")
    return BenchResult(plan, upload_seconds, download_seconds, memory)


def report(result: BenchResult) -> None:
    size, memory = result.plan.size, result.memory
    upload_seconds, download_seconds = result.upload_seconds, result.download_seconds
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"file: {size / MiB:.0f} MiB, "
        f"sent {'chunked' if result.plan.chunked else 'with Content-Length'}"
    )
    print(f"upload:   {upload_seconds:6.2f} s  {size / MiB / upload_seconds:7.1f} MiB/s")
    print(f"download: {download_seconds:6.2f} s  {size / MiB / download_seconds:7.1f} MiB/s")
    print(
        f"server RSS: {memory.baseline / MiB:.1f} MiB before, peak {memory.peak / MiB:.1f} MiB "
        f"(+{memory.growth / MiB:.1f} MiB for a {size / MiB:.0f} MiB file)"
    )
    print("sha256: sent == stored == downloaded")


def cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    return found.group(1) if found else "unknown CPU"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_3_fastapi.bench_upload",
        description="Upload one large file to a real server; print throughput and peak RSS.",
    )
    parser.add_argument("--size", default="200MiB", help="file size, e.g. 200MiB [200MiB]")
    parser.add_argument("--chunk", default="1MiB", help="client write size [1MiB]")
    parser.add_argument(
        "--chunked", action="store_true", help="send without Content-Length (chunked)"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds at most [300]")
    arguments = parser.parse_args(argv)
    to_bytes = TypeAdapter(ByteSize)
    plan = BenchPlan(
        size=int(to_bytes.validate_python(arguments.size)),
        chunk_size=int(to_bytes.validate_python(arguments.chunk)),
        chunked=arguments.chunked,
        seconds=arguments.timeout,
    )
    report(asyncio.run(run(plan)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
