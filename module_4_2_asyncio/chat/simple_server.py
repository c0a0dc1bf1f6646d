"""Task 4.2.3, core: a chat server on asyncio streams; each line goes to every other client.

    uv run --group section-4-2 python -m module_4_2_asyncio.chat --port 8888

Try it with two or more ``nc 127.0.0.1 8888`` in other terminals. The full server, with
nicknames, commands and a bound on slow clients, is ``chat/server.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence


class ChatRoom:
    """The connected clients, and the relay of each line from one of them to all the others."""

    def __init__(self) -> None:
        self.clients: set[asyncio.StreamWriter] = set()

    async def handle_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Serve one connection until it ends: relay each of its lines, then forget it.

        Every line the client sends is written to every *other* client, unchanged. A client that
        disconnects, cleanly or by a reset, is removed from ``clients`` and its socket closed;
        nothing escapes to the event loop.
        """
        # region 4.2.3 core: register, relay each line to the others, clean up
        #: tip: `while line := await reader.readline():`; b"" means the client closed.
        #: A reset raises ConnectionError; remove the writer and close it in a `finally:`.
        self.clients.add(writer)
        try:
            while line := await reader.readline():
                if not line.endswith(b"\n"):
                    line += b"\n"  # the last line of a client that closed without a newline
                for other in self.clients:
                    if other is not writer:
                        # Not awaiting drain() here: one client that stops reading would
                        # stall the whole broadcast (the extra bounds each client's buffer).
                        other.write(line)
        except ConnectionError:
            pass  # a reset is one way to leave
        finally:
            self.clients.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        # endregion 4.2.3


async def start_chat_server(room: ChatRoom, host: str, port: int) -> asyncio.Server:
    """Listen on ``host:port`` (0: any free port); each connection is served by ``room``."""
    # region 4.2.3 core: asyncio.start_server with room.handle_client
    return await asyncio.start_server(room.handle_client, host, port)
    # endregion 4.2.3


async def serve(host: str, port: int) -> None:
    """Run the chat until the process is interrupted."""
    server = await start_chat_server(ChatRoom(), host, port)
    address = server.sockets[0].getsockname()
    sys.stdout.write(f"listening on {address[0]}:{address[1]}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.chat",
        description="A chat server: every line a client sends goes to every other client.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8888, help="port; 0 picks a free one (8888)")
    arguments = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        asyncio.run(serve(arguments.host, arguments.port))
    return 0
