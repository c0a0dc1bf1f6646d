"""A terminal chat client that reads the keyboard and the socket at the same time.

    python -m module_4_2_asyncio.chat.client 127.0.0.1 8888 [--nick alice]

Two coroutines share one event loop: one copies typed lines to the server, the other prints what
the server sends. End of input (Ctrl-D) sends ``/quit``; the client ends when the server closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from typing import BinaryIO, TextIO

QUIT_GRACE_SECONDS = 5.0


async def _print_incoming(reader: asyncio.StreamReader, output: TextIO) -> None:
    # region 4.2.3 extra: print each line from the server
    while line := await reader.readline():
        output.write(line.decode("utf-8", errors="replace"))
        output.flush()
    # endregion 4.2.3


async def _send_typed(lines: AsyncIterator[bytes], writer: asyncio.StreamWriter) -> None:
    # region 4.2.3 extra: send typed lines, then /quit
    async for line in lines:
        # Bytes pass through untouched: the server, not the client, judges what is valid.
        writer.write(line.rstrip(b"\r\n") + b"\n")
        await writer.drain()
    writer.write(b"/quit\n")
    await writer.drain()
    # endregion 4.2.3


async def run_client(
    host: str, port: int, lines: AsyncIterator[bytes], output: TextIO, *, nick: str | None = None
) -> int:
    """Chat until the server closes the connection; 0 then, 1 when it cannot be reached."""
    # region 4.2.3 extra: connect; read and type at once; close
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as failure:
        output.write(f"cannot connect to {host}:{port}: {failure}\n")
        return 1
    if nick:
        writer.write(nick.encode() + b"\n")
    incoming = asyncio.create_task(_print_incoming(reader, output))
    typing = asyncio.create_task(_send_typed(lines, writer))
    try:
        await asyncio.wait({incoming, typing}, return_when=asyncio.FIRST_COMPLETED)
        if not incoming.done():  # the user is done: give the server a moment to say bye
            await asyncio.wait({incoming}, timeout=QUIT_GRACE_SECONDS)
    finally:
        for task in (incoming, typing):
            task.cancel()
        await asyncio.gather(incoming, typing, return_exceptions=True)
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    output.write("* disconnected\n")
    return 0
    # endregion 4.2.3


async def keyboard_lines(stream: BinaryIO) -> AsyncIterator[bytes]:
    """Lines typed on ``stream``, read by a daemon thread.

    ``loop.connect_read_pipe`` would make stdin non-blocking, and on a terminal stdout shares that
    file description: a large print could then fail with BlockingIOError. A thread avoids that.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    def read_forever() -> None:
        try:
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read_forever, name="keyboard", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def _main(arguments: argparse.Namespace) -> int:
    return await run_client(
        arguments.host,
        arguments.port,
        keyboard_lines(sys.stdin.buffer),
        sys.stdout,
        nick=arguments.nick,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.chat.client",
        description="Chat: type lines to send them; /help lists commands; Ctrl-D quits.",
    )
    parser.add_argument("host", help="server address, e.g. 127.0.0.1")
    parser.add_argument("port", type=int, help="server port, e.g. 8888")
    parser.add_argument("--nick", help="nickname to join with (otherwise type it first)")
    arguments = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_main(arguments))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
