"""Password hashing with bcrypt, off the event loop and bounded in concurrency.

bcrypt at cost 12 takes ~220 ms of CPU: called inside `async def` it would freeze every other
request, so it runs in a thread (bcrypt releases the GIL), and a semaphore keeps hashing from
taking every core, so the rest of the API stays responsive while many users log in.
"""

from __future__ import annotations

import asyncio

import bcrypt

# bcrypt 5 raises ValueError beyond 72 bytes (4.x silently truncated): schemas validate bytes.
BCRYPT_MAX_PASSWORD_BYTES = 72


class PasswordHasher:
    def __init__(self, rounds: int, concurrency: int) -> None:
        self.rounds = rounds
        self._slots = asyncio.Semaphore(concurrency)
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

    async def _hash_bytes(self, password: bytes) -> bytes:
        async with self._slots:
            return await asyncio.to_thread(bcrypt.hashpw, password, bcrypt.gensalt(self.rounds))

    async def _check_bytes(self, password: bytes, password_hash: bytes) -> bool:
        async with self._slots:
            return await asyncio.to_thread(bcrypt.checkpw, password, password_hash)
