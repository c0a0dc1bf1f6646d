"""Task 4.2.3, core: ``ChatRoom`` and ``start_chat_server`` over real loopback sockets."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from module_4_2_asyncio.chat.simple_server import ChatRoom, start_chat_server
from module_4_2_asyncio.tests.chat_helpers import DEADLINE, LineClient

pytestmark = pytest.mark.task("4.2.3", level="core")

ROOT = Path(__file__).resolve().parents[2]


class Chat:
    """A running core chat server, its room, and every error the event loop was told about."""

    def __init__(self, room: ChatRoom, server: asyncio.Server) -> None:
        self.room = room
        self.server = server
        self.port: int = server.sockets[0].getsockname()[1]
        self.loop_errors: list[dict[str, Any]] = []
        self.opened: list[LineClient] = []

    async def connect(self, count: int = 1) -> list[LineClient]:
        """``count`` more clients, returned once the room holds every one of them."""
        expected = len(self.room.clients) + count
        clients = [await LineClient.connect(self.port) for _ in range(count)]
        self.opened.extend(clients)
        await until(lambda: len(self.room.clients) == expected)
        return clients


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition`` holds; fail after the deadline."""
    async with asyncio.timeout(DEADLINE):
        while not condition():  # noqa: ASYNC110 - the room's set has no event to await
            await asyncio.sleep(0)


@pytest.fixture
async def chat() -> AsyncIterator[Chat]:
    room = ChatRoom()
    server = await start_chat_server(room, "127.0.0.1", 0)
    running = Chat(room, server)
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: running.loop_errors.append(context))
    try:
        yield running
    finally:
        for client in running.opened:
            await client.close()
        with contextlib.suppress(TimeoutError):  # the handlers notice and close their side
            await until(lambda: not room.clients)
        for writer in list(room.clients):
            writer.close()
        server.close()
        await server.wait_closed()
        loop.set_exception_handler(None)


async def test_it_listens_on_the_given_address(chat: Chat) -> None:
    assert chat.server.sockets[0].getsockname()[0] == "127.0.0.1"
    assert chat.server.is_serving()


async def test_a_line_reaches_every_other_client_and_never_comes_back_to_its_sender(
    chat: Chat,
) -> None:
    alice, bob, carol = await chat.connect(3)

    alice.send("hello, room")
    assert (await bob.line()).endswith("hello, room")
    assert (await carol.line()).endswith("hello, room")

    bob.send("hi alice")
    # Had alice got an echo of her own line, it would arrive before bob's.
    assert (await alice.line()).endswith("hi alice")
    assert (await carol.line()).endswith("hi alice")
    carol.send("and carol")
    assert (await alice.line()).endswith("and carol")
    assert (await bob.line()).endswith("and carol")  # not bob's own "hi alice"


async def test_many_lines_arrive_whole_and_in_order(chat: Chat) -> None:
    alice, bob = await chat.connect(2)
    lines = [f"line {number:03d} " + "x" * number for number in range(200)]

    alice.send_raw("".join(f"{line}\n" for line in lines).encode())  # one write, many lines

    received = [await bob.line() for _ in lines]
    assert all(got.endswith(sent) for got, sent in zip(received, lines, strict=True)), received


async def test_a_client_that_leaves_is_forgotten_and_the_others_carry_on(chat: Chat) -> None:
    alice, bob, carol = await chat.connect(3)

    await carol.close()
    await until(lambda: len(chat.room.clients) == 2)
    alice.send("still here?")

    assert (await bob.line()).endswith("still here?")
    assert chat.loop_errors == []


async def test_a_client_that_resets_its_connection_does_no_harm(chat: Chat) -> None:
    alice, bob, dave = await chat.connect(3)

    dave.reset()  # a TCP reset instead of a clean close
    for number in range(20):
        alice.send(f"message {number}")  # some of these are written to dave's dead socket
    await until(lambda: len(chat.room.clients) == 2)

    received = [await bob.line() for _ in range(20)]
    assert all(line.endswith(f"message {n}") for n, line in enumerate(received)), received
    await chat.connect(1)  # the server still accepts newcomers
    assert chat.loop_errors == []  # the reset was handled, not left to the event loop


async def test_the_command_serves_the_chat_until_interrupted() -> None:
    command = [sys.executable, "-m", "module_4_2_asyncio.chat", "--port", "0"]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        announced = await asyncio.wait_for(process.stdout.readline(), DEADLINE)
        match = re.fullmatch(rb"listening on 127\.0\.0\.1:(\d+)\n", announced)
        assert match is not None, announced
        alice = await LineClient.connect(int(match.group(1)))
        bob = await LineClient.connect(int(match.group(1)))
        # Nothing tells a client that the other one is in the room yet: bob says hello until
        # alice hears it (every try is a new line, so each one she reads ends with "hello").
        async with asyncio.timeout(DEADLINE):
            while True:
                bob.send("hello")
                try:
                    line = await asyncio.wait_for(alice.reader.readline(), 0.1)
                except TimeoutError:
                    continue
                break
        assert line.decode().rstrip("\n").endswith("hello")
        await alice.close()
        await bob.close()
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), DEADLINE) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
