"""A raw line client for the chat tests: every wait has a deadline, nothing sleeps."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

DEADLINE = 5.0


class LineClient:
    """One connection to the chat server, read and written line by line."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, *, receive_buffer: int | None = None) -> LineClient:
        if receive_buffer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
            return cls(reader, writer)
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        raw.setblocking(False)
        await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=raw, limit=1 << 20)
        return cls(reader, writer)

    @classmethod
    async def join(cls, port: int, nick: str, **options: int) -> LineClient:
        client = await cls.connect(port, **options)
        assert (await client.line()).startswith("* welcome")
        client.send(nick)
        assert (await client.line()).startswith(f"* hello {nick}, ")
        return client

    def send(self, text: str) -> None:
        self.writer.write(text.encode() + b"\n")

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    async def line(self) -> str:
        raw = await asyncio.wait_for(self.reader.readline(), DEADLINE)
        if not raw:
            raise EOFError("the server closed the connection")
        return raw.decode().removesuffix("\n")

    async def line_starting(self, prefix: str) -> str:
        """Skip lines until one starts with ``prefix``."""
        async with asyncio.timeout(DEADLINE):
            while not (line := await self.line()).startswith(prefix):
                pass
        return line

    async def closed_by_server(self) -> bool:
        """True once the server has closed the connection (lines before that are skipped)."""
        async with asyncio.timeout(DEADLINE):
            while await self.reader.readline():
                pass
        return True

    def reset(self) -> None:
        """Close with a TCP reset (RST) instead of a clean goodbye."""
        raw = self.writer.get_extra_info("socket")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
