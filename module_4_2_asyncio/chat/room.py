"""The chat room behind the server: who is connected under which name, and how lines travel.

Sending never waits: a loop iteration's lines leave together, one write per client, into an
outbox bounded per client. One task per connection reads; nothing in a broadcast ever blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import NamedTuple

from module_4_2_asyncio.chat import protocol
from module_4_2_asyncio.chat.protocol import LineTooLongError, clean_text, error, notice

log = logging.getLogger("chat.server")

DEFAULT_OUTBOX_LIMIT = 256 * 1024
SHUTDOWN_NOTICE = "server shutting down"


@dataclass(slots=True)
class ServerStats:
    """Counters since the server started; logged when it stops."""

    connections: int = 0
    messages: int = 0
    deliveries: int = 0
    writes: int = 0
    slow_disconnects: int = 0
    rejected_lines: int = 0


class Client:
    """One connection: its nickname once chosen, and where its lines go."""

    __slots__ = ("handler", "joined_at", "leave_reason", "nick", "transport", "writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.transport = writer.transport
        self.nick: str | None = None
        self.leave_reason = ""
        self.handler = asyncio.current_task()
        self.joined_at = 0  # lines queued in this loop iteration before it joined are not for it

    @property
    def peer(self) -> str:
        host, port, *_ = self.writer.get_extra_info("peername") or ("?", 0)
        return f"{host}:{port}"


class Outgoing(NamedTuple):
    """A line on its way out: to everyone named but ``skip``, or to ``only`` one client."""

    data: bytes
    skip: Client | None
    only: Client | None


class ChatServer:
    """The room: who is connected under which nickname, and how lines travel between them."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 8888, *, outbox_limit: int = DEFAULT_OUTBOX_LIMIT
    ) -> None:
        self.host = host
        self.port = port
        self.outbox_limit = outbox_limit
        self.stats = ServerStats()
        self._clients: set[Client] = set()
        self._by_nick: dict[str, Client] = {}  # casefolded nickname -> its client
        self._server: asyncio.Server | None = None
        self._closing = False
        self._outgoing: list[Outgoing] = []  # this loop iteration's lines, in order
        self._addressed: set[Client] = set()  # clients named as skip or only in them

    async def start(self) -> None:
        # region 4.2.3 extra: asyncio.start_server with a line limit
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, limit=protocol.MAX_LINE_BYTES, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("chat server listening on %s:%d", self.host, self.port)
        # endregion 4.2.3

    async def shutdown(self, grace_period: float = 5.0) -> None:
        """Tell everyone, stop accepting, close every connection; abort what will not flush."""
        # region 4.2.3 extra: notify, close, abort what will not flush
        if self._server is None or self._closing:
            return
        self._closing = True
        self._server.close()
        self._flush()
        for client in list(self._clients):
            self._write(client, notice(SHUTDOWN_NOTICE), 1)
            client.writer.close()
        handlers = {client.handler for client in self._clients if client.handler is not None}
        if handlers:
            _, stuck = await asyncio.wait(handlers, timeout=grace_period)
            for client in list(self._clients):
                client.writer.transport.abort()
            if stuck:
                await asyncio.wait(stuck)
        await self._server.wait_closed()
        log.info(
            "stopped: %d connections, %d messages, %d deliveries in %d writes, "
            "%d slow clients disconnected",
            self.stats.connections,
            self.stats.messages,
            self.stats.deliveries,
            self.stats.writes,
            self.stats.slow_disconnects,
        )
        # endregion 4.2.3

    @property
    def nicknames(self) -> list[str]:
        return sorted(
            (client.nick for client in self._by_nick.values() if client.nick), key=str.lower
        )

    # --- sending ----------------------------------------------------------------------------

    def _send(self, client: Client, data: bytes) -> None:
        self._queue(Outgoing(data, None, client))

    def _broadcast(self, data: bytes, *, sender: Client | None = None) -> None:
        self._queue(Outgoing(data, sender, None))

    def _queue(self, line: Outgoing) -> None:
        """Lines leave together at the end of the loop iteration, one write per client.

        A ``send()`` system call per line per client is what limits a broadcast to 1,000
        clients; the lines that pile up while the server is busy share one call instead, so the
        server gets cheaper per line the busier it is.
        """
        # region 4.2.3 extra: batch lines until the loop iteration ends
        if not self._outgoing:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outgoing.append(line)
        for client in (line.skip, line.only):
            if client is not None:
                self._addressed.add(client)
        # endregion 4.2.3

    def _flush(self) -> None:
        # region 4.2.3 extra: one write per client for the batch
        outgoing, self._outgoing = self._outgoing, []
        addressed, self._addressed = self._addressed, set()
        if not outgoing:
            return
        broadcasts = [line.data for line in outgoing if line.only is None]
        shared = b"".join(broadcasts)
        for client in list(self._by_nick.values()):
            if shared and client not in addressed:
                self._write(client, shared, len(broadcasts))
        for client in addressed:
            lines = [
                line.data
                for index, line in enumerate(outgoing)
                if line.only is client
                or (
                    line.only is None
                    and line.skip is not client
                    and client.nick is not None
                    and index >= client.joined_at
                )
            ]
            client.joined_at = 0
            if lines:
                self._write(client, b"".join(lines), len(lines))
        # endregion 4.2.3

    def _write(self, client: Client, data: bytes, lines: int) -> None:
        """Hand ``data`` to the client's outbox (its transport's buffer), never waiting.

        Awaiting ``drain()`` per client in a broadcast would let one client that stops reading
        stall everybody; here such a client fills its own outbox and is disconnected.
        """
        # region 4.2.3 extra: write within the outbox bound, never wait
        transport = client.transport
        if transport.is_closing():
            return
        if transport.get_write_buffer_size() + len(data) > self.outbox_limit:
            self._disconnect_slow(client)
            return
        transport.write(data)
        self.stats.writes += 1
        self.stats.deliveries += lines
        # endregion 4.2.3

    def _disconnect_slow(self, client: Client) -> None:
        # region 4.2.3 extra: count, log and abort the slow client
        # The client has stopped reading; whatever is buffered for it will never arrive.
        self.stats.slow_disconnects += 1
        client.leave_reason = " (too slow: outbox full)"
        log.warning("%s (%s) stopped reading; disconnected", client.nick, client.peer)
        client.transport.abort()
        # endregion 4.2.3

    # --- a connection's life ----------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # region 4.2.3 extra: one connection: greet, read, dispatch, leave
        client = Client(writer)
        self._clients.add(client)
        self.stats.connections += 1
        try:
            self._send(client, notice("welcome! send your nickname (letters, digits, _ and -)"))
            while not self._closing and (line := await self._next_line(reader, client)) is not None:
                if not self._dispatch(client, line):
                    break
        except (ConnectionError, TimeoutError) as failure:
            log.info("%s: connection lost: %s", client.peer, failure)
        finally:
            self._flush()  # "* bye" and the like must leave before the close
            self._clients.discard(client)
            if client.nick is not None:
                del self._by_nick[client.nick.casefold()]
                if not self._closing:
                    self._broadcast(notice(f"{client.nick} left{client.leave_reason}"))
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        # endregion 4.2.3

    async def _next_line(self, reader: asyncio.StreamReader, client: Client) -> str | None:
        """The next decoded line; bad lines are answered with an error and skipped."""
        # region 4.2.3 extra: the next valid line; answer bad ones
        while True:
            try:
                raw = await protocol.read_line(reader)
            except LineTooLongError as too_long:
                self.stats.rejected_lines += 1
                self._send(client, error(f"{too_long}; it was not sent"))
                continue
            if raw is None:
                return None
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                self.stats.rejected_lines += 1
                self._send(client, error("that line is not valid UTF-8; it was not sent"))
        # endregion 4.2.3

    def _dispatch(self, client: Client, line: str) -> bool:
        """Act on one line; False when the client is leaving."""
        # region 4.2.3 extra: act on a message or a command
        if client.nick is None:
            return self._choose_first_nick(client, line.strip())
        command = protocol.parse(line)
        match command.name:
            case "":
                if command.argument.strip():
                    self.stats.messages += 1
                    text = clean_text(command.argument)
                    self._broadcast(f"[{client.nick}] {text}\n".encode(), sender=client)
            case "nick":
                self._rename(client, command.argument)
            case "list":
                names = self.nicknames
                self._send(client, notice(f"online ({len(names)}): {', '.join(names)}"))
            case "msg":
                self._private_message(client, command.argument)
            case "me":
                if command.argument:
                    action = notice(f"{client.nick} {clean_text(command.argument)}")
                    self._broadcast(action, sender=client)
            case "quit":
                self._send(client, notice("bye"))
                return False
            case "help":
                for help_line in protocol.HELP:
                    self._send(client, notice(help_line))
            case _:
                self._send(client, error(f"unknown command /{command.name}; try /help"))
        return True
        # endregion 4.2.3

    def _nick_refusal(self, nick: str, client: Client) -> str | None:
        # region 4.2.3 extra: invalid or taken nickname, or None
        problem = protocol.nickname_problem(nick)
        if problem is not None:
            return problem
        holder = self._by_nick.get(nick.casefold())
        if holder is not None and holder is not client:
            return f"the nickname {nick} is taken"
        return None
        # endregion 4.2.3

    def _choose_first_nick(self, client: Client, nick: str) -> bool:
        # region 4.2.3 extra: accept the first nickname; announce it
        if nick == "/quit":
            return False
        refusal = self._nick_refusal(nick, client)
        if refusal is not None:
            self._send(client, error(f"{refusal}; send another nickname"))
            return True
        client.nick = nick
        client.joined_at = len(self._outgoing)
        self._addressed.add(client)
        self._by_nick[nick.casefold()] = client
        self._broadcast(notice(f"{nick} joined"), sender=client)
        self._send(client, notice(f"hello {nick}, {len(self._by_nick)} online; /help for commands"))
        log.info("%s joined from %s", nick, client.peer)
        return True
        # endregion 4.2.3

    def _rename(self, client: Client, new_nick: str) -> None:
        # region 4.2.3 extra: the /nick command
        old_nick = client.nick
        if old_nick is None:  # pragma: no cover - only named clients reach commands
            return
        refusal = self._nick_refusal(new_nick, client)
        if refusal is not None:
            self._send(client, error(refusal))
            return
        del self._by_nick[old_nick.casefold()]
        client.nick = new_nick
        self._by_nick[new_nick.casefold()] = client
        self._broadcast(notice(f"{old_nick} is now known as {new_nick}"))
        # endregion 4.2.3

    def _private_message(self, client: Client, argument: str) -> None:
        # region 4.2.3 extra: the /msg command
        target_nick, _, text = argument.partition(" ")
        target = self._by_nick.get(target_nick.casefold())
        if not target_nick or not text.strip():
            self._send(client, error("usage: /msg NICK text"))
        elif target is None:
            self._send(client, error(f"nobody called {target_nick} is online"))
        else:
            text = clean_text(text)
            self._send(target, f"[{client.nick} -> you] {text}\n".encode())
            self._send(client, f"[you -> {target.nick}] {text}\n".encode())
        # endregion 4.2.3
