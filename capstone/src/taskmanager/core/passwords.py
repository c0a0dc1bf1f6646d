"""Password hashing with bcrypt, off the event loop and bounded in concurrency.

bcrypt at cost 12 takes ~220 ms of CPU: called inside `async def` it would freeze every other
request, so it runs in a small thread pool of its own (bcrypt releases the GIL). The pool has
fewer threads than there are cores, and its threads run at a lower scheduling priority, so the
rest of the API keeps a core while many users log in.

The work waiting for those threads is bounded too: beyond `max_waiting` hashes queued behind
the running ones, a new one is refused at once with a 503 `server_busy` and `Retry-After`
(`ServerBusyError`), so a flood of logins or registrations neither queues without bound nor
makes real users wait behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import TypeVar

import bcrypt

from taskmanager.core.errors import ServerBusyError

# bcrypt 5 raises ValueError beyond 72 bytes (4.x silently truncated): schemas validate bytes.
BCRYPT_MAX_PASSWORD_BYTES = 72
HASHING_THREAD_NICENESS = 5  # the loop gets ~3x the CPU share of a hash when they compete
DEFAULT_MAX_WAITING_HASHES = 16
SERVER_BUSY = "The server is busy checking passwords; try again shortly."
ResultT = TypeVar("ResultT")
# Set inside `PasswordHasher.reserved()`: the hashes of that request are already counted.
_holds_reservation: ContextVar[bool] = ContextVar("holds_hashing_reservation", default=False)


def _lower_thread_priority() -> None:
    """Let the event loop's thread win the CPU when a hash competes with it (Linux: per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_THREAD_NICENESS)


class PasswordHasher:
    def __init__(
        self,
        rounds: int,
        concurrency: int,
        *,
        max_waiting: int = DEFAULT_MAX_WAITING_HASHES,
        retry_after_seconds: int = 1,
    ) -> None:
        self.rounds = rounds
        self.max_pending = concurrency + max_waiting
        """Hashes running or queued at most; one more is refused with `ServerBusyError`."""
        self.pending = 0
        self.retry_after_seconds = retry_after_seconds
        self._pool = ThreadPoolExecutor(
            max_workers=concurrency,
            thread_name_prefix="bcrypt",
            initializer=_lower_thread_priority,
        )
        self._dummy_hash: bytes | None = None

    async def hash(self, password: str) -> str:
        hashed = await self._hash_bytes(password.encode())
        return hashed.decode()

    async def verify(self, password: str, password_hash: str) -> bool:
        return await self._check_bytes(password.encode(), password_hash.encode())

    async def warm_up(self) -> bytes:
        """The dummy hash, computed at start so the first unknown-email login is not slower."""
        if self._dummy_hash is None:
            self._dummy_hash = await self._hash_bytes(b"dummy-password")
        return self._dummy_hash

    async def verify_unknown_user(self, password: str) -> bool:
        """Spend the same time as a real check, so login timing does not reveal which emails
        exist; always False."""
        await self._check_bytes(password.encode(), await self.warm_up())
        return False

    @contextlib.contextmanager
    def reserved(self) -> Iterator[None]:
        """A place in the hashing queue for the whole block, taken before any other work, or
        `ServerBusyError` at once: a refused request costs no database round trip and records
        no attempt. The block's hashes run without asking again."""
        if _holds_reservation.get():
            yield
            return
        if self.pending >= self.max_pending:
            raise ServerBusyError(SERVER_BUSY, retry_after_seconds=self.retry_after_seconds)
        self.pending += 1  # one event loop: no other task runs between the check and this
        token = _holds_reservation.set(True)
        try:
            yield
        finally:
            _holds_reservation.reset(token)
            self.pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _hash_bytes(self, password: bytes) -> bytes:
        return await self._run(bcrypt.hashpw, password, bcrypt.gensalt(self.rounds))

    async def _check_bytes(self, password: bytes, password_hash: bytes) -> bool:
        return await self._run(bcrypt.checkpw, password, password_hash)

    async def _run(
        self, function: Callable[[bytes, bytes], ResultT], password: bytes, other: bytes
    ) -> ResultT:
        with self.reserved():
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, function, password, other)
