"""4.4.3 core: load the blog's configuration from environment variables and `.env`, print it.

    uv run --group section-4-4 python -m module_4_4_pydantic.env_config [--env-file PATH]

Exit status 0 and the configuration as JSON, the secret masked; exit status 2 and one line per
problem on standard error (`BLOG_PORT: Input should be a valid integer ...`) when a variable is
missing or invalid.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

# region 4.4.3 core: import what BlogSettings and main() use
#: tip: Field, SecretStr and ValidationError from pydantic; BaseSettings, SettingsConfigDict
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

# endregion 4.4.3

ENV_PREFIX = "BLOG_"

# region 4.4.3 core: class BlogSettings(BaseSettings): BLOG_* variables, .env
#: tip: model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")
#: tip: secret_key: SecretStr = Field(min_length=32) is required and never printed


class BlogSettings(BaseSettings):
    """The blog's settings: each field is read from `BLOG_<FIELD>` (environment, then `.env`)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    name: str = "course-blog"
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    database_url: str = "postgresql://blog@localhost:5432/blog"
    secret_key: SecretStr = Field(min_length=32)


# endregion 4.4.3


def print_configuration(env_file: Path) -> int:
    """Load the settings (environment over `env_file` over defaults) and print them as JSON.

    Returns 0; or, when a variable is missing or invalid, writes one `BLOG_<FIELD>: <problem>`
    line per problem to standard error and returns 2.
    """
    # region 4.4.3 core: load BlogSettings, print it or its errors
    #: tip: BlogSettings(_env_file=env_file); a missing file is simply not read
    #: tip: each error's "loc" holds the field name; model_dump_json() masks a SecretStr
    try:
        settings = BlogSettings(_env_file=env_file)
    except ValidationError as error:
        for problem in error.errors():
            variable = ENV_PREFIX + "_".join(str(part) for part in problem["loc"]).upper()
            sys.stderr.write(f"{variable}: {problem['msg']}\n")
        return 2
    sys.stdout.write(settings.model_dump_json(indent=2) + "\n")
    return 0
    # endregion 4.4.3


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: `[--env-file PATH]`; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m module_4_4_pydantic.env_config",
        description=f"Load the {ENV_PREFIX}* settings and print them, the secret masked.",
    )
    parser.add_argument(
        "--env-file", type=Path, default=Path(".env"), help="the .env file (default: ./.env)"
    )
    args = parser.parse_args(argv)
    return print_configuration(args.env_file)


if __name__ == "__main__":
    sys.exit(main())
