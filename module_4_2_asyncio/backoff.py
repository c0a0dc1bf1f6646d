"""Exponential backoff with full jitter and a cap, shared by the downloader and the task queue."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to wait before retry number ``attempt`` (1 for the first retry).

    The ceiling grows as ``base * factor ** (attempt - 1)`` up to ``cap``; with ``jitter`` the wait
    is drawn uniformly below that ceiling ("full jitter"), so clients that failed together do not
    retry together.
    """

    base: float = 0.1
    factor: float = 2.0
    cap: float = 10.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.base < 0 or self.cap < 0:
            raise ValueError("backoff base and cap must not be negative")
        if self.factor < 1:
            raise ValueError("backoff factor must be at least 1")

    def ceiling(self, attempt: int) -> float:
        """The longest wait before retry ``attempt``: the exponential curve, capped."""
        # region 4.2.1 extra: base * factor ** (attempt - 1), capped
        if attempt < 1:
            raise ValueError(f"retry attempts count from 1, got {attempt}")
        # min() before the power would overflow for attempt ~1000 with factor 2.
        exponent = min(attempt - 1, 64)
        return min(self.cap, self.base * self.factor**exponent)
        # endregion 4.2.1

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait before retry ``attempt``, jittered when the policy says so."""
        # region 4.2.1 extra: a uniform draw below the ceiling (full jitter)
        ceiling = self.ceiling(attempt)
        if not self.jitter:
            return ceiling
        # Jitter spreads retries; it is not a secret, so the non-cryptographic RNG is right.
        return (rng or random).uniform(0, ceiling)
        # endregion 4.2.1
