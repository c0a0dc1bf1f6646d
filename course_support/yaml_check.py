"""Parse every YAML file of the repository; a file that does not parse is named with its line.

GitHub rejects a whole workflow for one YAML error (an unquoted `: ` in a step name is enough), and
compose refuses a file the same way, so `nox -s lint` parses them all before anything runs them.
`python -m course_support.yaml_check [FILE ...]` (default: every tracked `*.yml`/`*.yaml`);
`--schemas` then validates the workflows, Dependabot's configuration and the compose files
against their schemas with `check-jsonschema` (the schemas ship inside it: no network).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from course_support.catalogue import REPOSITORY_ROOT

_SKIPPED_PARTS = frozenset({".nox", ".venv", "build", "node_modules", ".git"})


def yaml_files(root: Path = REPOSITORY_ROOT) -> list[Path]:
    """The YAML files git tracks under `root`, or every one on disk when it is not a checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", "*.yml", "*.yaml"],  # noqa: S607 - git from PATH
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [root / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        candidates = [*root.rglob("*.yml"), *root.rglob("*.yaml")]
        return sorted(
            path
            for path in candidates
            if not _SKIPPED_PARTS.intersection(path.relative_to(root).parts)
        )


def problems(paths: Iterable[Path]) -> list[str]:
    """One line per file that does not parse: `path:line:column: what is wrong`."""
    found: list[str] = []
    for path in paths:
        try:
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            found.append(f"{where}: {error.problem or error}")
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            found.append(f"{path}: {error}")
    return found


def schema_targets(paths: Iterable[Path], root: Path = REPOSITORY_ROOT) -> dict[str, list[Path]]:
    """The files each built-in schema of check-jsonschema validates.

    A compose file whose services are not written yet (the learner's edition ships a commented
    skeleton) has nothing to validate, so it is left out.
    """
    targets: dict[str, list[Path]] = {}
    for path in paths:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
        if relative.startswith(".github/workflows/"):
            schema = "vendor.github-workflows"
        elif relative in {".github/dependabot.yml", ".github/dependabot.yaml"}:
            schema = "vendor.dependabot"
        elif path.name.startswith(("docker-compose", "compose")) and _has_services(path):
            schema = "vendor.compose-spec"
        else:
            continue
        targets.setdefault(schema, []).append(path)
    return targets


def _has_services(path: Path) -> bool:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(document, dict) and bool(document.get("services"))


def validate_schemas(targets: dict[str, list[Path]]) -> bool:
    """Run check-jsonschema once per schema; True when every file is valid."""
    checker = shutil.which("check-jsonschema")
    if checker is None:
        print("yaml: check-jsonschema is not installed (the `lint` group)", file=sys.stderr)  # noqa: T201
        return False
    valid = True
    for schema, files in sorted(targets.items()):
        completed = subprocess.run(  # noqa: S603 - our own files, a fixed program
            [checker, "--builtin-schema", schema, *map(str, files)], check=False
        )
        valid &= completed.returncode == 0
    return valid


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    with_schemas = "--schemas" in arguments
    arguments = [argument for argument in arguments if argument != "--schemas"]
    paths = [Path(name) for name in arguments] if arguments else yaml_files()
    found = problems(paths)
    for line in found:
        print(line, file=sys.stderr)  # noqa: T201 - a command-line report
    print(f"yaml: {len(paths)} file(s) parsed, {len(found)} error(s)")  # noqa: T201
    if found:
        return 1
    if with_schemas and not validate_schemas(schema_targets(paths)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
