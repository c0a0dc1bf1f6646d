"""Load the configuration from the environment and `.env`, and print it with secrets masked.

    python -m module_4_4_pydantic.config [--env-file PATH | --no-env-file] [--json]

Exit status 0 with the effective configuration; 2 with one line per problem on standard error,
each naming the variable and what is wrong with it. Never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from module_4_4_pydantic.base import MASK
from module_4_4_pydantic.settings import ENV_PREFIX, NESTED_DELIMITER, Settings, format_duration

DEFAULT_ENV_FILE = Path(".env")


@dataclass(frozen=True)
class Variable:
    """One environment variable the settings read, and where it lands."""

    name: str
    path: tuple[str, ...]
    secret: bool = False
    group: bool = False  # a nested group, which may also be given whole as JSON (`APP_DB`)


def _walk(model: type[BaseModel], prefix: str, path: tuple[str, ...]) -> Iterator[Variable]:
    for field_name, field in model.model_fields.items():
        name = f"{prefix}{field_name}".upper()
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield Variable(name, (*path, field_name), group=True)
            yield from _walk(annotation, name + NESTED_DELIMITER, (*path, field_name))
        else:
            yield Variable(name, (*path, field_name), secret=annotation is SecretStr)


VARIABLES = {variable.name: variable for variable in _walk(Settings, ENV_PREFIX, ())}
LEAF_VARIABLES = [variable for variable in VARIABLES.values() if not variable.group]


class ConfigurationError(Exception):
    """The configuration cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedConfiguration:
    settings: Settings
    env_file: Path | None
    environment: Mapping[str, str]  # our variables found in the environment
    dotenv: Mapping[str, str]  # ... and in the .env file

    def source_of(self, variable: Variable) -> str:
        """Where the value came from: environment, .env or default (the precedence order)."""
        # region 4.4.3 extra: environment, .env or default
        group = ENV_PREFIX + variable.path[0].upper()
        for names, label in ((self.environment, "environment"), (self.dotenv, ".env")):
            if variable.name in names or (len(variable.path) > 1 and group in names):
                return label
        return "default"
        # endregion 4.4.3


def load_configuration(
    env_file: Path | None = DEFAULT_ENV_FILE, *, required: bool = False
) -> LoadedConfiguration:
    """Read the settings; `env_file` may be absent unless `required`. Raises ConfigurationError."""
    # region 4.4.3 extra: read .env and environment, collect problems
    if env_file is not None and not env_file.is_file():
        if required:
            raise ConfigurationError([f"{env_file}: no such file"])
        env_file = None
    dotenv = _read_dotenv(env_file)
    environment = _ours(os.environ)
    problems = [
        _unknown_variable(name, source)
        for names, source in ((environment, "environment"), (dotenv, str(env_file)))
        for name in names
        if name not in VARIABLES
    ]
    try:
        settings = Settings(_env_file=env_file)
    except ValidationError as error:
        problems += [describe_problem(details) for details in error.errors()]
    except SettingsError as error:  # a JSON value that does not parse, for instance
        problems.append(str(error))
    if problems:
        raise ConfigurationError(problems)
    return LoadedConfiguration(settings, env_file, environment, dotenv)
    # endregion 4.4.3


def _read_dotenv(env_file: Path | None) -> dict[str, str]:
    if env_file is None:
        return {}
    try:
        values = dotenv_values(env_file, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError([f"{env_file}: cannot be read: {error}"]) from None
    return _ours({name: value or "" for name, value in values.items()})


def _ours(variables: Mapping[str, str]) -> dict[str, str]:
    # Variable names are case-insensitive, as pydantic-settings reads them.
    return {
        name.upper(): value
        for name, value in variables.items()
        if name.upper().startswith(ENV_PREFIX)
    }


def _unknown_variable(name: str, source: str) -> str:
    close = difflib.get_close_matches(name, VARIABLES, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{name} (in {source}): unknown setting{hint}"


def describe_problem(details: ErrorDetails) -> str:
    """`APP_DB__PORT: Input should be ... (got "70000")`: the variable, the problem, the value."""
    names = [str(part) for part in details["loc"] if isinstance(part, str)]
    items = [part for part in details["loc"] if isinstance(part, int)]
    name = (ENV_PREFIX + NESTED_DELIMITER.join(names)).upper() if names else "configuration"
    where = name + "".join(f" (item {index + 1})" for index in items)
    if details["type"] == "missing":
        return f"{where}: required, but not set"
    variable = VARIABLES.get(name)
    shown = ""
    if variable is not None and not variable.secret and isinstance(details["input"], str):
        shown = f" (got {json.dumps(details['input'], ensure_ascii=False)})"
    return f"{where}: {details['msg']}{shown}"


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, SecretStr):
        return MASK
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


def render_text(loaded: LoadedConfiguration) -> str:
    """One line per variable: name, value (secrets masked) and where the value came from."""
    # region 4.4.3 extra: one aligned line per variable with its source
    rows = []
    for variable in LEAF_VARIABLES:
        value: object = loaded.settings
        for part in variable.path:
            value = getattr(value, part)
        rows.append((variable.name, _display(value), loaded.source_of(variable)))
    name_width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    env_file = loaded.env_file if loaded.env_file is not None else "none"
    lines = [f"# precedence: environment > .env > default; .env file: {env_file}"]
    lines += [f"{n:<{name_width}}  {v:<{value_width}}  [{s}]" for n, v, s in rows]
    return "\n".join(lines) + "\n"
    # endregion 4.4.3


def render_json(loaded: LoadedConfiguration) -> str:
    """The effective configuration as JSON, secrets masked, durations in seconds."""
    return loaded.settings.model_dump_json(indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_4_pydantic.config",
        description=(
            f"Load the settings from {ENV_PREFIX}* environment variables and an optional .env "
            "file (the environment wins), and print the effective configuration with secrets "
            "masked. Exit status 2 and one line per problem when a value is missing or invalid."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        help="read this .env file, which must exist (default: ./.env if it exists)",
    )
    source.add_argument("--no-env-file", action="store_true", help="read no .env file at all")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    args = parser.parse_args(argv)

    env_file = None if args.no_env_file else (args.env_file or DEFAULT_ENV_FILE)
    try:
        loaded = load_configuration(env_file, required=args.env_file is not None)
    except ConfigurationError as error:
        sys.stderr.write("".join(f"{problem}\n" for problem in error.problems))
        return 2
    sys.stdout.write(render_json(loaded) if args.json else render_text(loaded))
    return 0


if __name__ == "__main__":
    sys.exit(main())
