"""The `taskmanager` command: `serve`, `migrate` and `create-admin`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from pydantic import ValidationError

from taskmanager.core.config import Settings
from taskmanager.core.embedded_db import embedded_postgres


class SettingsError(SystemExit):
    """A bad setting: one clear line naming the variable, exit status 2."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        variable = "_".join(str(part) for part in first["loc"]).upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        where = f"{variable}: " if variable else ""
        print(f"taskmanager: invalid setting {where}{message}", file=sys.stderr)
        raise SettingsError(2) from None


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """`DATABASE_URL`, or an embedded PostgreSQL whose data stays in EMBEDDED_DATA_DIR."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    data_dir = Path(settings.embedded_data_dir).resolve()
    print(f"taskmanager: DATABASE_URL is unset; embedded PostgreSQL in {data_dir}")
    with embedded_postgres(data_dir) as url:
        yield url


@contextlib.contextmanager
def metrics_directory(workers: int) -> Iterator[None]:
    """With several workers, a folder they share their metrics in (prometheus_client's
    multiprocess mode), so `/metrics` reports the whole server whichever worker answers.

    `PROMETHEUS_MULTIPROC_DIR` if set (emptied: figures of an earlier run would be added in),
    else a fresh temporary folder removed at exit. Set before any worker imports
    prometheus_client, which reads it once. One worker keeps its figures in memory.
    """
    if workers < 2:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        yield
        return
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # only the metrics files: the folder may hold more
            stale.unlink()
        yield
        return
    with tempfile.TemporaryDirectory(prefix="taskmanager-metrics-") as scratch:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = scratch
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def _stop_on_sigterm(signal_number: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from taskmanager.core.migrate import upgrade  # noqa: PLC0415

    settings = load_settings()
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal: turn that into a
    # normal exit, so the embedded PostgreSQL below is stopped rather than left running.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with database_url(settings) as url, metrics_directory(args.workers):
        upgrade(url)
        # Worker processes build their settings again: hand them the database and this
        # process's JWT secret (from the environment, `.env`, or generated for development),
        # so a token minted by one worker is valid on all.
        os.environ["DATABASE_URL"] = url
        os.environ["JWT_SECRET"] = settings.jwt_secret.get_secret_value()
        print(f"taskmanager: serving on http://{args.host}:{args.port} (docs at /docs)")
        uvicorn.run(
            "taskmanager.main:create_served_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,  # the application logs JSON lines itself
            access_log=False,  # one request log line comes from the application
            timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
            server_header=False,
            # The client address (the login limit's key) from X-Forwarded-For, only when the
            # connection comes from a trusted proxy; anyone else's header is ignored.
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    return 0


def migrate(_: argparse.Namespace) -> int:
    from taskmanager.core.migrate import upgrade  # noqa: PLC0415

    with database_url(load_settings()) as url:
        upgrade(url)
    print("taskmanager: database is at the latest migration")
    return 0


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Repeat password: "):
        raise SystemExit("taskmanager: the passwords differ")
    return password


def create_admin_command(args: argparse.Namespace) -> int:
    from taskmanager.core.bootstrap import (  # noqa: PLC0415
        InvalidAdminError,
        create_admin,
        validate_admin_credentials,
    )
    from taskmanager.core.database import Database, create_engine  # noqa: PLC0415
    from taskmanager.core.errors import ConflictError  # noqa: PLC0415
    from taskmanager.core.migrate import upgrade  # noqa: PLC0415
    from taskmanager.core.passwords import PasswordHasher  # noqa: PLC0415

    settings = load_settings()
    try:  # refuse a bad email or weak password before touching any database
        email, password = validate_admin_credentials(args.email, read_password(args.password_stdin))
    except InvalidAdminError as error:
        print(f"taskmanager: {error}", file=sys.stderr)
        return 2

    async def run(url: str) -> None:
        database = Database(create_engine(settings, url))
        hasher = PasswordHasher(settings.bcrypt_rounds, concurrency=1)
        try:
            await create_admin(database, hasher, email, password)
        finally:
            hasher.close()
            await database.dispose()

    with database_url(settings) as url:
        upgrade(url)
        try:
            asyncio.run(run(url))
        except ConflictError:
            print(f"taskmanager: a user with email {email} already exists", file=sys.stderr)
            return 1
    print(f"taskmanager: admin {email} created")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taskmanager", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="apply migrations, then serve the API")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1, help="worker processes")
    serve_parser.set_defaults(handler=serve)
    migrate_parser = commands.add_parser("migrate", help="alembic upgrade head")
    migrate_parser.set_defaults(handler=migrate)
    admin_parser = commands.add_parser("create-admin", help="create an active admin user")
    admin_parser.add_argument("--email", required=True)
    admin_parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    admin_parser.set_defaults(handler=create_admin_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result
