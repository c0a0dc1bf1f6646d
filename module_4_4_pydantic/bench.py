"""Benchmark: how many registration payloads per second `UserCreate` validates.

    python -m module_4_4_pydantic.bench [--payloads 20000] [--bad-share 0.3] [--repeats 5]

Payloads are JSON bytes, as an API receives them; a share of them is invalid in one of several
ways (weak password, bad email, too young, ...), because rejecting costs differently from
accepting. The run fails if any payload is judged wrongly, so the figure is of correct work.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pydantic
from pydantic import ValidationError

from module_4_4_pydantic.fields import normalize_email
from module_4_4_pydantic.passwords import broken_password_rules
from module_4_4_pydantic.users import UserCreate

WORDS = ["amber", "harbor", "violet", "meadow", "quartz", "falcon", "cobalt", "juniper", "signal"]


def _good_payload(rng: random.Random, index: int) -> dict[str, object]:
    password = f"{rng.choice(WORDS).title()}-{rng.choice(WORDS)}-{rng.randrange(10, 99)}!"
    payload: dict[str, object] = {
        "username": f"user_{index}",
        "email": f"User.{index}@Example.com",
        "fullName": f"User Number {index}",
        "password": password,
        "passwordConfirm": password,
    }
    if rng.random() < 0.5:
        payload["age"] = rng.randrange(19, 90)
    else:
        payload["birthDate"] = f"{rng.randrange(1940, 2000)}-{rng.randrange(1, 13):02d}-15"
    return payload


def _set_password(password: str) -> Callable[[dict[str, object]], object]:
    return lambda payload: payload.update(password=password, passwordConfirm=password)


def _set_age(key: str, value: object) -> Callable[[dict[str, object]], object]:
    other = "birthDate" if key == "age" else "age"
    return lambda payload: (payload.pop(other, None), payload.update({key: value}))


# Each turns a valid payload into an invalid one, in the ways real clients get it wrong.
BREAKERS: dict[str, Callable[[dict[str, object]], object]] = {
    "weak password": _set_password("password1"),
    "common password": _set_password("P@ssw0rd123!"),
    "password mismatch": lambda payload: payload.update(passwordConfirm="something-else-1A!"),
    "invalid email": lambda payload: payload.update(email="user.example.com"),
    "age 18": _set_age("age", 18),
    "age as a string": _set_age("age", "30"),
    "too young by birth date": _set_age("birthDate", "2020-01-01"),
    "unknown field": lambda payload: payload.update(isAdmin=True),
}


@dataclass(frozen=True)
class Payload:
    body: bytes
    valid: bool


def make_payloads(count: int, bad_share: float, seed: int) -> list[Payload]:
    """`count` JSON bodies, `bad_share` of them invalid (each kind of BREAKERS in turn)."""
    rng = random.Random(seed)
    bad_count = round(count * bad_share)
    breakers = list(BREAKERS.values())
    payloads = []
    for index in range(count):
        payload = _good_payload(rng, index)
        if index < bad_count:
            breakers[index % len(breakers)](payload)
        payloads.append(Payload(json.dumps(payload).encode(), valid=index >= bad_count))
    rng.shuffle(payloads)
    return payloads


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds on the clock
    cpu: float  # seconds this process ran: steadier when other work shares the cores


def validate_all(payloads: Sequence[Payload]) -> Timing:
    """Validate every payload once and time it. Raises if a payload is misjudged."""
    started, cpu_started = time.perf_counter(), time.process_time()
    misjudged = 0
    for payload in payloads:
        try:
            UserCreate.model_validate_json(payload.body)
            accepted = True
        except ValidationError:
            accepted = False
        misjudged += accepted != payload.valid
    timing = Timing(time.perf_counter() - started, time.process_time() - cpu_started)
    if misjudged:
        raise RuntimeError(f"{misjudged} payloads were judged wrongly")
    return timing


@dataclass(frozen=True)
class Measurement:
    label: str
    count: int
    timings: list[Timing]

    def line(self) -> str:
        """Best and median payloads per wall-clock second, best per CPU second."""
        wall = [timing.wall for timing in self.timings]
        best_cpu = min(timing.cpu for timing in self.timings)
        return (
            f"{self.label:<10} {self.count:>7,} payloads"
            f"  {self.count / min(wall):>7,.0f}/s best"
            f"  {self.count / statistics.median(wall):>7,.0f}/s median"
            f"  {self.count / best_cpu:>7,.0f}/CPU-s"
            f"  {best_cpu / self.count * 1e6:6.1f} µs CPU each"
        )


def measure(label: str, payloads: Sequence[Payload], repeats: int) -> Measurement:
    validate_all(payloads[: min(len(payloads), 500)])  # warm-up: schema caches, common list
    return Measurement(label, len(payloads), [validate_all(payloads) for _ in range(repeats)])


def cost_of_parts(payloads: Sequence[Payload]) -> list[str]:
    """CPU microseconds per payload of the two checks that cost most, timed on their own."""
    bodies: list[dict[str, str]] = [json.loads(payload.body) for payload in payloads]
    parts: dict[str, Callable[[dict[str, str]], object]] = {
        "email-validator (normalize_email)": lambda body: normalize_email(body["email"]),
        "password policy (broken_password_rules)": lambda body: broken_password_rules(
            body["password"], username=body["username"], email=body["email"]
        ),
    }
    lines = []
    for label, check in parts.items():
        started = time.process_time()
        for body in bodies:
            with contextlib.suppress(ValueError):
                check(body)
        microseconds = (time.process_time() - started) / len(bodies) * 1e6
        lines.append(f"  {label:<42} {microseconds:6.1f} µs CPU each")
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"pydantic {pydantic.VERSION}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_4_pydantic.bench",
        description="Measure how many UserCreate JSON payloads per second are validated.",
    )
    parser.add_argument("--payloads", type=int, default=20_000, help="payloads per run")
    parser.add_argument(
        "--bad-share", type=float, default=0.3, help="share of invalid payloads, 0-1 (0.3)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; best and median shown")
    parser.add_argument("--seed", type=int, default=1, help="seed of the payload generator")
    args = parser.parse_args(argv)
    if args.payloads < 1 or args.repeats < 1 or not 0 <= args.bad_share <= 1:
        parser.error("--payloads and --repeats must be positive, --bad-share between 0 and 1")

    payloads = make_payloads(args.payloads, args.bad_share, args.seed)
    good = [payload for payload in payloads if payload.valid]
    bad = [payload for payload in payloads if not payload.valid]
    print(f"machine: {machine()}")
    print(
        f"input: JSON bytes through UserCreate.model_validate_json; {len(bad):,} of "
        f"{len(payloads):,} invalid ({len(BREAKERS)} kinds in turn); {args.repeats} runs each"
    )
    for label, subset in (("mix", payloads), ("good only", good), ("bad only", bad)):
        if subset:
            print(measure(label, subset, args.repeats).line())
    print("where the time goes (the same payloads, each check alone):")
    print("\n".join(cost_of_parts(payloads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
