"""Serve the section's application with uvicorn: ``python -m module_4_3_fastapi --help``.

Each option falls back to its environment variable, then to the default shown by ``--help``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsError

from module_4_3_fastapi.app import create_app
from module_4_3_fastapi.body_limit import format_bytes
from module_4_3_fastapi.settings import SCOPES, Settings, TokenGrant

# (option, settings field, environment variable, help)
_OPTIONS = [
    ("--host", "host", "API_HOST", "address to listen on"),
    ("--port", "port", "API_PORT", "port to listen on (0 picks a free one)"),
    ("--log-level", "log_level", "API_LOG_LEVEL", "critical, error, warning, info or debug"),
    ("--data-dir", "data_dir", "API_DATA_DIR", "folder for uploads and embedded PostgreSQL"),
    ("--database-url", "database_url", "DATABASE_URL", "PostgreSQL URL (unset: embedded)"),
    ("--max-file-bytes", "max_file_bytes", "API_MAX_FILE_BYTES", "largest file, e.g. 10MiB"),
    (
        "--max-upload-bytes",
        "max_upload_bytes",
        "API_MAX_UPLOAD_BYTES",
        "largest upload request body (all files and multipart framing), e.g. 20MiB",
    ),
    (
        "--max-files-per-upload",
        "max_files_per_upload",
        "API_MAX_FILES_PER_UPLOAD",
        "most files in one upload request",
    ),
    (
        "--max-body-bytes",
        "max_body_bytes",
        "API_MAX_BODY_BYTES",
        "largest body of any other request, e.g. 1MiB",
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_3_fastapi",
        description="Serve the section 4.3 FastAPI application (docs at /docs and /redoc).",
        epilog="Bearer tokens come from API_TOKENS, a JSON list of "
        '{"token": "...", "subject": "alice", "scopes": ["notes:read", "notes:write"]}; '
        "with none set, a development token is generated and printed at start.",
    )
    defaults = Settings.model_fields
    for option, field, variable, text in _OPTIONS:
        default = defaults[field].default
        shown = "embedded PostgreSQL" if default is None else default
        if field.endswith("_bytes"):
            shown = format_bytes(default)
        parser.add_argument(option, dest=field, help=f"{text} [env {variable}; default {shown}]")
    return parser


def load_settings(arguments: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the options given on the command line."""
    overrides: dict[str, Any] = {
        field: value for field, value in vars(arguments).items() if value is not None
    }
    return Settings(**overrides)


def with_development_token(settings: Settings) -> tuple[Settings, str | None]:
    """A random all-scopes token when none is configured, so the notes can be tried at once."""
    if settings.tokens:
        return settings, None
    token = secrets.token_urlsafe(24)
    grant = TokenGrant(token=SecretStr(token), subject="developer", scopes=SCOPES)
    return settings.model_copy(update={"tokens": [grant]}), token


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = load_settings(arguments)
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            print(f"error: invalid setting {where}: {problem['msg']}", file=sys.stderr)
        return 2
    except SettingsError as error:  # an environment value that is not even valid JSON
        print(f"error: {error} (API_TOKENS must be a JSON list)", file=sys.stderr)
        return 2
    settings, token = with_development_token(settings)
    if token is not None:
        print(
            "no API_TOKENS set: development token with scopes "
            f"{json.dumps(sorted(SCOPES))}: {token}",
            file=sys.stderr,
        )
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
