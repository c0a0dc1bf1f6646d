"""Task 4.2.3, going further: the full chat server (nicknames, commands, slow clients)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from module_4_2_asyncio.chat.room import ChatServer
from module_4_2_asyncio.chat.server import main
from module_4_2_asyncio.tests.chat_helpers import DEADLINE, LineClient

pytestmark = pytest.mark.task("4.2.3", level="extra")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def server() -> AsyncIterator[ChatServer]:
    chat = ChatServer("127.0.0.1", 0)
    await chat.start()
    yield chat
    await chat.shutdown(grace_period=1)


async def test_plain_lines_reach_everyone_else_but_not_the_sender(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")
    carol = await LineClient.join(server.port, "carol")
    assert [await alice.line(), await alice.line()] == ["* bob joined", "* carol joined"]
    assert await bob.line() == "* carol joined"

    alice.send("hello, room")

    assert await bob.line() == "[alice] hello, room"
    assert await carol.line() == "[alice] hello, room"
    bob.send("hi alice")
    # Had alice got an echo of her own line, it would arrive before bob's.
    assert await alice.line() == "[bob] hi alice"


async def test_nicknames_are_validated_and_unique_ignoring_case(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    newcomer = await LineClient.connect(server.port)
    await newcomer.line()

    for attempt, refusal in [
        ("", "! a nickname cannot be empty; send another nickname"),
        ("bad nick!", "! a nickname has only letters A-Z, digits, '_' and '-'; send another"),
        ("x" * 33, "! a nickname has at most 32 characters; send another nickname"),
        ("ALICE", "! the nickname ALICE is taken; send another nickname"),
        ("/list", "! a nickname has only letters A-Z, digits, '_' and '-'; send another"),
    ]:
        newcomer.send(attempt)
        assert (await newcomer.line()).startswith(refusal)

    newcomer.send("Bob_the-2nd")
    assert await newcomer.line() == "* hello Bob_the-2nd, 2 online; /help for commands"
    assert await alice.line() == "* Bob_the-2nd joined"


async def test_nick_command_renames_and_tells_everyone(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")

    alice.send("/nick Bob")
    assert await alice.line_starting("!") == "! the nickname Bob is taken"
    alice.send("/nick alicia")

    assert await bob.line_starting("* alice is") == "* alice is now known as alicia"
    assert await alice.line_starting("* alice is") == "* alice is now known as alicia"
    bob.send("/msg ALICIA psst")
    assert await alice.line_starting("[") == "[bob -> you] psst"


async def test_private_messages_actions_help_and_errors(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")
    carol = await LineClient.join(server.port, "carol")

    alice.send("/msg bob see you at 5")
    assert await bob.line_starting("[") == "[alice -> you] see you at 5"
    assert await alice.line_starting("[") == "[you -> bob] see you at 5"

    alice.send("/me waves")
    assert await carol.line_starting("* alice w") == "* alice waves"

    alice.send("/msg nobody hi")
    assert await alice.line_starting("!") == "! nobody called nobody is online"
    alice.send("/msg bob")
    assert await alice.line() == "! usage: /msg NICK text"
    alice.send("/dance")
    assert await alice.line() == "! unknown command /dance; try /help"
    alice.send("/help")
    assert await alice.line() == "* commands:"
    assert (await alice.line_starting("*   /quit")).startswith("*   /quit")

    alice.send("")
    alice.send("//slash at the start")
    assert await carol.line_starting("[") == "[alice] /slash at the start"  # the empty line: none


async def test_quit_says_bye_closes_and_tells_the_others(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")

    bob.send("/quit")

    assert await bob.line() == "* bye"
    assert await bob.closed_by_server()
    assert await alice.line_starting("* bob left") == "* bob left"


async def test_an_over_long_line_is_refused_and_the_connection_stays_usable(
    server: ChatServer,
) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")

    alice.send("x" * 5000)
    assert await alice.line_starting("!") == "! line longer than 4096 bytes; it was not sent"
    alice.send("y" * 100_000)  # arrives in many chunks; none of its tail may leak out
    assert await alice.line() == "! line longer than 4096 bytes; it was not sent"
    alice.send("z" * 4096)  # exactly the limit is fine
    alice.send("still here")

    assert await bob.line_starting("[") == "[alice] " + "z" * 4096
    assert await bob.line_starting("[") == "[alice] still here"
    assert server.stats.rejected_lines == 2


async def test_crlf_invalid_utf8_and_control_characters(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")

    alice.send_raw(b"windows line\r\n")
    assert await bob.line_starting("[") == "[alice] windows line"

    alice.send_raw(b"\xff\xfe broken\n")
    assert await alice.line_starting("!") == "! that line is not valid UTF-8; it was not sent"
    alice.send_raw("\x1b[2J clear screen, привет\n".encode())
    assert (
        await bob.line_starting("[") == "[alice] \N{REPLACEMENT CHARACTER}[2J clear screen, привет"
    )


async def test_a_client_that_resets_mid_broadcast_affects_no_one_else(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    bob = await LineClient.join(server.port, "bob")
    doomed = await LineClient.join(server.port, "doomed")

    for number in range(200):
        alice.send(f"message {number}")
        if number == 100:
            doomed.reset()

    for number in range(200):
        assert await bob.line_starting("[") == f"[alice] message {number}"
    assert await alice.line_starting("* doomed left") == "* doomed left"
    alice.send("/list")
    assert await alice.line_starting("* online") == "* online (2): alice, bob"


async def test_a_client_that_stops_reading_is_disconnected_and_delays_no_one() -> None:
    chat = ChatServer("127.0.0.1", 0, outbox_limit=64 * 1024)
    await chat.start()
    try:
        sender = await LineClient.join(chat.port, "sender")
        reader = await LineClient.join(chat.port, "reader")
        stalled = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.setblocking(False)
        await asyncio.get_running_loop().sock_connect(stalled, ("127.0.0.1", chat.port))
        await asyncio.get_running_loop().sock_sendall(stalled, b"stalled\n")  # then never reads
        await sender.line_starting("* stalled joined")

        line = "x" * 4000
        sent = 0
        async with asyncio.timeout(20):
            while chat.stats.slow_disconnects == 0:
                sender.send(f"{sent} {line}")
                sent += 1
                assert await reader.line_starting("[") == f"[sender] {sent - 1} {line}"

        assert await sender.line_starting("* stalled left") == (
            "* stalled left (too slow: outbox full)"
        )
        assert chat.stats.slow_disconnects == 1
        stalled.close()
    finally:
        await chat.shutdown(grace_period=1)


async def test_shutdown_tells_every_client_and_closes_the_connections(server: ChatServer) -> None:
    alice = await LineClient.join(server.port, "alice")
    anonymous = await LineClient.connect(server.port)  # connected, no nickname yet
    await anonymous.line()

    await server.shutdown(grace_period=1)

    assert await alice.line_starting("* server") == "* server shutting down"
    assert await alice.closed_by_server()
    assert await anonymous.line() == "* server shutting down"
    with pytest.raises(OSError, match="Connect call failed"):
        await LineClient.connect(server.port)


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
async def test_the_server_process_exits_0_on_a_signal_after_telling_clients(
    signal_number: signal.Signals,
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "module_4_2_asyncio.chat.server",
        "--port",
        "0",
        "--log-level",
        "warning",
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        listening = await asyncio.wait_for(process.stdout.readline(), 20)
        port = int(listening.rsplit(b":", 1)[1])
        alice = await LineClient.join(port, "alice")

        process.send_signal(signal_number)

        assert await alice.line() == "* server shutting down"
        assert await alice.closed_by_server()
        assert await asyncio.wait_for(process.wait(), DEADLINE) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_the_server_command_reports_a_port_it_cannot_listen_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["--port", str(port), "--log-level", "error"]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in caplog.text
