"""``python -m notes_service``: serve the API with uvicorn; settings come from the environment.

With ``DATABASE_URL`` unset (a local run from the repository) an embedded PostgreSQL is started;
the container always sets it, so the image never needs the repository's ``course_support``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Iterator

import uvicorn

from .app import create_app
from .settings import DatabaseSettings, ServerSettings


@contextlib.contextmanager
def _database_url(settings: DatabaseSettings) -> Iterator[str]:
    if settings.url is not None:
        yield settings.url
        return
    from course_support.postgres import embedded_postgres  # noqa: PLC0415 - local runs only

    with embedded_postgres() as url:
        yield url


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, then serve until SIGTERM or Ctrl+C."""
    server = ServerSettings()
    parser = argparse.ArgumentParser(prog="notes_service", description=__doc__)
    parser.add_argument("--host", default=server.host, help="default: SERVER_HOST or %(default)s")
    parser.add_argument(
        "--port", type=int, default=server.port, help="default: SERVER_PORT or %(default)s"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=server.log_level.upper(), format="%(levelname)s %(name)s %(message)s")

    database = DatabaseSettings()
    with _database_url(database) as url:
        config = uvicorn.Config(
            create_app(database.model_copy(update={"url": url})),
            host=arguments.host,
            port=arguments.port,
            log_level=server.log_level,
            # Requests in flight get this long after SIGTERM; the stop grace period is longer.
            timeout_graceful_shutdown=server.graceful_shutdown_seconds,
        )
        uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
