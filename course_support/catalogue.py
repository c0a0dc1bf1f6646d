"""The course's task catalogue (``tasks.toml`` at the repository root) and suite fingerprints."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_PATH = REPOSITORY_ROOT / "tasks.toml"

# What every suite's results also depend on, besides its own folder: the locked dependencies, the
# sessions, the grading machinery and the catalogue.
SHARED_INPUTS = ("pyproject.toml", "uv.lock", "noxfile.py", "course_support", "tasks.toml")

# Folders and files that never change what a suite tests.
_IGNORED_PARTS = frozenset(
    {
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",  # Hypothesis' example database, rewritten by every run
        ".schemathesis",  # Schemathesis' cache, likewise
        ".venv",
        ".nox",
        "build",
        "data",
    }
)


@dataclass(frozen=True)
class CourseTask:
    """One graded task of the course."""

    id: str
    section: str
    ru: str
    en: str


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed."""


def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, CourseTask]:
    """Return the tasks by id, in course order."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"cannot read the task catalogue {path}: {error}") from error
    tasks: dict[str, CourseTask] = {}
    for entry in raw.get("task", []):
        try:
            task = CourseTask(
                id=entry["id"], section=entry["section"], ru=entry["ru"], en=entry["en"]
            )
        except KeyError as missing:
            raise CatalogueError(f"{path}: a task lacks the key {missing}") from None
        if task.id in tasks:
            raise CatalogueError(f"{path}: task {task.id} is listed twice")
        tasks[task.id] = task
    return tasks


def _suite_files(roots: Iterable[Path]) -> Iterator[tuple[str, Path]]:
    """Each file under the roots with a stable name (relative to its root's parent)."""
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            relative_parts = path.relative_to(root.parent).parts
            if path.is_file() and not _IGNORED_PARTS.intersection(relative_parts):
                yield "/".join(relative_parts), path


def fingerprint(roots: Iterable[Path]) -> str:
    """A digest of every file under ``roots``: equal digests mean the suite has not changed."""
    digest = hashlib.sha256()
    for name, path in _suite_files(roots):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def suite_inputs(folder: str, root: Path = REPOSITORY_ROOT) -> list[Path]:
    """What a suite's saved results depend on: its folder and the repository's shared inputs."""
    return [root / folder, *(root / name for name in SHARED_INPUTS)]


def report_is_fresh(report: Path, inputs: Iterable[Path]) -> bool:
    """Whether a saved full-suite report still describes the inputs as they are now."""
    if not report.is_file():
        return False
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        isinstance(data, dict)
        and not data.get("selected_tasks")
        and not data.get("extra_tests")
        and data.get("fingerprint") == fingerprint(inputs)
    )
