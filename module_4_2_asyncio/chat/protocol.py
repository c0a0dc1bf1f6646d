"""The chat's wire protocol: UTF-8 lines, nicknames, commands, and reading a line safely.

Plain lines are messages; ``/`` starts a command (``//`` sends a line that starts with ``/``).
The server's notices start with ``* ``, its errors with ``! ``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

MAX_LINE_BYTES = 4096
MAX_NICK_LENGTH = 32
# ASCII only: a Cyrillic "а" and a Latin "a" look the same, and a nickname is an identity.
NICKNAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
# C0/C1 controls (ESC among them) would let one user rewrite another user's terminal.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")

HELP = (
    "commands:",
    "  /nick NEW        change your nickname",
    "  /list            who is online",
    "  /msg NICK text   a private message",
    "  /me action       an action: * you waves",
    "  /quit            leave",
    "  /help            this help",
    "  //text           send a line that starts with /",
)


class LineTooLongError(ValueError):
    """A line over ``MAX_LINE_BYTES``; it has been read to its end and discarded."""


def notice(text: str) -> bytes:
    return f"* {text}\n".encode()


def error(text: str) -> bytes:
    return f"! {text}\n".encode()


def nickname_problem(nick: str) -> str | None:
    """Why ``nick`` cannot be a nickname, or None when it can."""
    # region 4.2.3 extra: why a nickname is refused, or None
    if NICKNAME.fullmatch(nick):
        return None
    if not nick:
        return "a nickname cannot be empty"
    if len(nick) > MAX_NICK_LENGTH:
        return f"a nickname has at most {MAX_NICK_LENGTH} characters"
    return "a nickname has only letters A-Z, digits, '_' and '-'"
    # endregion 4.2.3


def clean_text(text: str) -> str:
    """The text with control characters replaced, so it is safe to show on a terminal."""
    # region 4.2.3 extra: replace control characters
    return CONTROL_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", text)
    # endregion 4.2.3


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed line: ``name`` is empty for a plain message, else the command without ``/``."""

    name: str
    argument: str


def parse(line: str) -> Command:
    # region 4.2.3 extra: split a line into a command and its argument
    if not line.startswith("/"):
        return Command("", line)
    if line.startswith("//"):
        return Command("", line[1:])
    name, _, argument = line[1:].partition(" ")
    return Command(name.lower(), argument.strip())
    # endregion 4.2.3


async def read_line(reader: asyncio.StreamReader) -> bytes | None:
    """The next line without its ``\\n`` (or ``\\r\\n``); None at the end of the stream.

    Raises ``LineTooLongError`` for a line over the reader's limit after discarding all of it.
    ``readline()`` would drop only the part it had buffered and return the rest as a new line.
    """
    # region 4.2.3 extra: readuntil, discarding an over-long line whole
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as end:
        line = end.partial  # the last line of a stream that ends without a newline
        if not line:
            return None
    except asyncio.LimitOverrunError as overrun:
        await _discard_through_newline(reader, overrun.consumed)
        raise LineTooLongError(f"line longer than {MAX_LINE_BYTES} bytes") from None
    return line.rstrip(b"\n").removesuffix(b"\r")
    # endregion 4.2.3


async def _discard_through_newline(reader: asyncio.StreamReader, buffered: int) -> None:
    # region 4.2.3 extra: skip to the end of the over-long line
    while True:
        await reader.readexactly(buffered)
        try:
            await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as overrun:
            buffered = overrun.consumed
        except asyncio.IncompleteReadError:
            return
        else:
            return
    # endregion 4.2.3
