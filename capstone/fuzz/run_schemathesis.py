"""Schemathesis against a served capstone: `nox -s fuzz`, or `python fuzz/run_schemathesis.py`.

Serves the API with `taskmanager serve` on a free port of 127.0.0.1 (an embedded PostgreSQL in a
temporary folder, `ENVIRONMENT=test`, `BCRYPT_ROUNDS=4`), makes a user and an admin, and runs
`st run` over `/openapi.json` once with each one's access token: every phase (examples,
coverage, fuzzing, stateful) and every check, bounded in time (`--max-time`, 75 s per identity
by default). The configuration, with the reason next to each check turned off for an operation,
is `schemathesis.toml` beside this script. Other arguments go to `st run` (`--seed 1`, ...).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
PASSWORD = "Fuzz-Password-1"  # noqa: S105 - a throwaway account on a throwaway database
ADMIN_EMAIL = "fuzz-admin@example.com"
USER_EMAIL = "fuzz-user@example.com"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def executable(name: str) -> str:
    """A console script of this environment (the nox session's), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed")
    return found


@contextmanager
def served_api(folder: Path) -> Iterator[str]:
    """`taskmanager serve` on a free port until the block ends; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "BCRYPT_ROUNDS": "4",
        "EMBEDDED_DATA_DIR": str(folder / "pgdata"),
        "JWT_SECRET": "fuzz-secret-" + "x" * 40,
        "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIRST_ADMIN_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [executable("taskmanager"), "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited:\n{(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not become ready in time")
            time.sleep(0.2)  # polling a subprocess's readiness with a deadline
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def access_token(base_url: str, email: str, *, register: bool) -> str:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        if register:
            created = client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            created.raise_for_status()
        tokens = client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
        tokens.raise_for_status()
        token: str = tokens.json()["access_token"]
        return token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=75, help="seconds per identity")
    args, st_args = parser.parse_known_args()
    with (
        tempfile.TemporaryDirectory(prefix="taskmanager-fuzz-") as tmp,
        served_api(Path(tmp)) as base_url,
    ):
        identities = {
            "user": access_token(base_url, USER_EMAIL, register=True),
            "admin": access_token(base_url, ADMIN_EMAIL, register=False),
        }
        failed = False
        for name, token in identities.items():
            print(f"--- schemathesis as the {name} ---", flush=True)  # noqa: T201 - a CLI
            command = [
                executable("st"),
                "--config-file",
                str(CONFIG),
                "run",
                f"{base_url}/openapi.json",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                # Every check is on in the configuration (`--checks` would override its exceptions).
                "--max-time",
                str(args.max_time),
                "-H",
                f"Authorization: Bearer {token}",
                *st_args,
            ]
            failed |= subprocess.run(command, check=False).returncode != 0  # noqa: S603
        return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
