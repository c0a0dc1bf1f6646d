"""Task 4.2.3, going further: the chat client and the chat benchmark, against a real server."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator, Iterable

import pytest

from module_4_2_asyncio.chat import bench
from module_4_2_asyncio.chat.client import keyboard_lines, run_client
from module_4_2_asyncio.chat.room import ChatServer
from module_4_2_asyncio.tests.chat_helpers import LineClient

pytestmark = pytest.mark.task("4.2.3", level="extra")


async def typed(
    lines: Iterable[bytes], first_wait_for: asyncio.Event | None = None
) -> AsyncIterator[bytes]:
    if first_wait_for is not None:
        await first_wait_for.wait()
    for line in lines:
        yield line


async def printed(output: io.StringIO, text: str) -> None:
    async with asyncio.timeout(5):
        while text not in output.getvalue():  # noqa: ASYNC110 - the output has no event
            await asyncio.sleep(0)


async def test_the_client_sends_typed_lines_prints_incoming_ones_and_quits_at_end() -> None:
    chat = ChatServer("127.0.0.1", 0)
    await chat.start()
    try:
        bob = await LineClient.join(chat.port, "bob")
        bob_has_greeted = asyncio.Event()
        output = io.StringIO()

        async def greet_carol() -> None:
            await bob.line_starting("* carol joined")
            bob.send("hi carol")
            await printed(output, "[bob] hi carol")
            bob_has_greeted.set()

        greeting = asyncio.create_task(greet_carol())
        lines = typed([b"hello bob\n", b"\xff not utf-8\n"], first_wait_for=bob_has_greeted)
        carol = run_client("127.0.0.1", chat.port, lines, output, nick="carol")
        exit_code = await asyncio.wait_for(carol, 10)
        await greeting

        assert exit_code == 0
        shown = output.getvalue().splitlines()
        assert shown[1] == "* hello carol, 2 online; /help for commands"
        assert "! that line is not valid UTF-8; it was not sent" in shown
        assert shown[-2:] == ["* bye", "* disconnected"]
        assert await bob.line_starting("[carol]") == "[carol] hello bob"
        assert await bob.line_starting("* carol left") == "* carol left"
    finally:
        await chat.shutdown(grace_period=1)


async def test_the_client_ends_when_the_server_goes_away() -> None:
    chat = ChatServer("127.0.0.1", 0)
    await chat.start()
    output = io.StringIO()
    never = asyncio.Event()
    dave = run_client("127.0.0.1", chat.port, typed([b"x"], never), output, nick="dave")
    client = asyncio.create_task(dave)
    await printed(output, "* hello dave")

    await chat.shutdown(grace_period=1)

    assert await asyncio.wait_for(client, 5) == 0
    assert output.getvalue().endswith("* server shutting down\n* disconnected\n")


async def test_the_client_reports_a_server_it_cannot_reach() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = io.StringIO()

    assert await run_client("127.0.0.1", port, typed([]), output) == 1
    assert output.getvalue().startswith(f"cannot connect to 127.0.0.1:{port}")


async def test_keyboard_lines_come_from_a_background_thread_until_end_of_input() -> None:
    received = [line async for line in keyboard_lines(io.BytesIO(b"one\ntwo\n"))]
    assert received == [b"one\n", b"two\n"]


@pytest.mark.parametrize("processes", ["0", "1"])
def test_benchmark_reports_both_scenarios_and_a_clean_server_exit(
    capsys: pytest.CaptureFixture[str], processes: str
) -> None:
    arguments = ["--clients", "30", "--senders", "3", "--rate", "40", "--duration", "0.5"]
    assert bench.main([*arguments, "--processes", processes, "--json"]) == 0

    report = json.loads(capsys.readouterr().out)
    first, second = report["scenarios"]
    assert (first["name"], second["name"]) == ("all clients reading", "plus 1 non-reading")
    assert first["deliveries"] == first["messages"] * 29
    assert (first["lost"], second["lost"]) == (0, 0)
    assert first["p50_ms"] <= first["p99_ms"] <= first["max_ms"]
    assert "server exited with code 0 after SIGTERM" in report["notes"]


def test_benchmark_table_compares_the_two_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = bench.Scenario("all clients reading", 10, 5, 45, 0, 0.5, 90.0, 1.0, 2.0, 3.0)
    slower = bench.Scenario("plus 1 non-reading", 10, 5, 45, 0, 0.5, 81.0, 1.0, 2.2, 3.0)

    table = bench.render([scenario, slower], ["a note"])

    assert "changes deliveries/s by -10.0 %, p99 by +10.0 %" in table
    assert table.endswith("a note")
