"""A line-based chat server on asyncio streams: one task per connection, nothing ever blocks.

    python -m module_4_2_asyncio.chat.server --host 127.0.0.1 --port 8888

Any line client works (``nc 127.0.0.1 8888``): the first line is the nickname, then plain lines
go to everyone else and ``/help`` lists the commands. The room itself is in ``room.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from module_4_2_asyncio.chat.room import DEFAULT_OUTBOX_LIMIT, ChatServer, log

__all__ = ["ChatServer", "main", "serve"]


async def serve(host: str, port: int, *, outbox_limit: int = DEFAULT_OUTBOX_LIMIT) -> None:
    """Run until SIGINT or SIGTERM, then shut down cleanly."""
    # region 4.2.3 extra: start, wait for SIGINT/SIGTERM, shut down
    server = ChatServer(host, port, outbox_limit=outbox_limit)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    await server.start()
    # One machine-readable line on stdout, for scripts that start the server on port 0.
    sys.stdout.write(f"listening on {server.host}:{server.port}\n")
    sys.stdout.flush()
    await stop.wait()
    log.info("signal received, shutting down")
    await server.shutdown()
    # endregion 4.2.3


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_2_asyncio.chat.server",
        description="A line-based chat server; try it with the chat client or `nc HOST PORT`.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8888, help="port; 0 picks a free one (8888)")
    parser.add_argument(
        "--outbox-limit",
        type=int,
        default=DEFAULT_OUTBOX_LIMIT,
        help="bytes buffered for a client before it counts as too slow and is disconnected",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=arguments.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        asyncio.run(serve(arguments.host, arguments.port, outbox_limit=arguments.outbox_limit))
    except OSError as failure:
        log.error("cannot listen on %s:%d: %s", arguments.host, arguments.port, failure)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
