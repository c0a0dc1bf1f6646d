"""Write the learner's edition of the course repository from the reference (CONTRIBUTING.md §3).

``python -m course_support.starter DEST [--source DIR]`` copies every file the source's git tracks
(plus new files it does not ignore) to DEST, with each solution region stubbed
(``course_support.regions``), leaves out what ``starter.toml`` excludes, and copies the overlay
folder it names on top. DEST gets no git history.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course_support.catalogue import REPOSITORY_ROOT, CatalogueError, load_catalogue
from course_support.regions import FileKind, RegionError, bodies, kind_of, restore, stub

CONFIG_NAME = "starter.toml"
# The ruff configuration the starter adds: stubbed files keep the imports their solution needs.
RUFF_CONFIG_NAME = "ruff.toml"
STUB_LINT_IGNORES = ("F401",)  # an import only a region's body used is unused in the stub
# Folders a directory walk skips when the source is not a git repository.
_WALK_SKIPPED = frozenset(
    {
        ".git",
        ".nox",
        ".venv",
        "build",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        ".data",
    }
)


class StarterError(RuntimeError):
    """The learner's edition cannot be written; the message says why."""


@dataclass(frozen=True)
class StarterConfig:
    """``starter.toml``: what does not ship, and the folder copied on top."""

    exclude: tuple[str, ...]
    overlay: str

    @classmethod
    def load(cls, source: Path) -> StarterConfig:
        """The source's ``starter.toml``; a source without one (a branch made before it) uses
        the one beside this generator."""
        path = source / CONFIG_NAME
        if not path.is_file():
            path = REPOSITORY_ROOT / CONFIG_NAME
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise StarterError(f"cannot read {path}: {error}") from error
        table = raw.get("starter", {})
        exclude = table.get("exclude", [])
        overlay = table.get("overlay", "")
        if not isinstance(exclude, list) or not all(isinstance(item, str) for item in exclude):
            raise StarterError(f"{path}: [starter] exclude must be a list of globs")
        if not isinstance(overlay, str):
            raise StarterError(f"{path}: [starter] overlay must be a folder path")
        return cls(exclude=tuple(exclude), overlay=overlay)

    def excludes(self, relative: str) -> bool:
        return any(_glob_regex(pattern).fullmatch(relative) for pattern in self.exclude)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob: ``*`` and ``?`` stay within one folder, ``**`` spans folders."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts))


def source_files(source: Path) -> list[str]:
    """The source's files as posix paths: what git tracks plus new files it does not ignore."""
    git = shutil.which("git")
    if git is None or not (source / ".git").exists():
        return sorted(_walk(source))
    command = [git, "-C", str(source), "ls-files", "-z", "--cached", "--others"]
    try:
        listed = subprocess.run(  # noqa: S603 - git with fixed arguments
            [*command, "--exclude-standard"], check=True, capture_output=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return sorted(_walk(source))
    names = {name for name in listed.decode().split("\0") if name}
    # A file deleted from the work tree but still in the index does not ship.
    return sorted(name for name in names if (source / name).is_file())


def _walk(source: Path) -> Iterator[str]:
    for folder, subfolders, files in os.walk(source):
        subfolders[:] = sorted(name for name in subfolders if name not in _WALK_SKIPPED)
        for name in files:
            yield (Path(folder) / name).relative_to(source).as_posix()


@dataclass
class StarterReport:
    """What one build wrote."""

    files: list[str] = field(default_factory=list)
    stubbed: list[str] = field(default_factory=list)
    """Shipped files whose regions were stubbed (relative paths)."""
    overlaid: list[str] = field(default_factory=list)
    """Files the overlay wrote (they replace a reference file of the same path, if any)."""
    lint_ignored: list[str] = field(default_factory=list)
    """Stubbed Python files that get the F401 per-file ignore in the starter's ruff.toml."""


def _read_text(path: Path) -> str | None:
    """A file's text exactly as stored (line endings kept), or None for a binary file."""
    data = path.read_bytes()
    if b"region" not in data:  # no marker can be in it: copy it as bytes
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _known_task_ids(source: Path) -> set[str] | None:
    try:
        return set(load_catalogue(source / "tasks.toml"))
    except CatalogueError:
        return None


def build(source: Path, dest: Path, *, force: bool = False) -> StarterReport:
    """Write the learner's edition of ``source`` into ``dest`` (empty, or emptied with force)."""
    source, dest = source.resolve(), dest.resolve()
    _prepare_destination(source, dest, force=force)
    config = StarterConfig.load(source)
    known_ids = _known_task_ids(source)
    report = StarterReport()
    problems: list[str] = []
    overlay_prefix = config.overlay.strip("/") + "/" if config.overlay else None
    for relative in source_files(source):
        if config.excludes(relative) or (overlay_prefix and relative.startswith(overlay_prefix)):
            continue
        origin, target = source / relative, dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _read_text(origin)
        if text is None:
            shutil.copyfile(origin, target)
        else:
            try:
                stubbed = stub(text, relative, known_ids)
            except RegionError as error:
                problems.append(str(error))
                continue
            target.write_text(stubbed, encoding="utf-8", newline="")
            if stubbed != text:
                report.stubbed.append(relative)
                if kind_of(relative) is FileKind.PYTHON:
                    report.lint_ignored.append(relative)
        shutil.copymode(origin, target)
        report.files.append(relative)
    if problems:
        raise StarterError("solution regions are malformed:\n  " + "\n  ".join(problems))
    if config.overlay:
        report.overlaid = _copy_overlay(source / config.overlay, dest)
        report.files = sorted({*report.files, *report.overlaid})
    # An overlay file replaces the reference's: its own lint state is its author's.
    report.lint_ignored = [name for name in report.lint_ignored if name not in report.overlaid]
    if report.lint_ignored:
        _write_ruff_config(dest, report.lint_ignored)
        report.files.append(RUFF_CONFIG_NAME)
    return report


def _prepare_destination(source: Path, dest: Path, *, force: bool) -> None:
    if dest == source or source.is_relative_to(dest):
        raise StarterError(f"refusing to write the starter over its own source: {dest}")
    if dest.exists() and not dest.is_dir():
        raise StarterError(f"{dest} is not a folder")
    if dest.is_dir() and any(dest.iterdir()):
        if not force:
            raise StarterError(f"{dest} is not empty; pass --force to replace its content")
        for child in dest.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def _copy_overlay(overlay: Path, dest: Path) -> list[str]:
    if not overlay.is_dir():
        return []
    written = []
    for relative in sorted(_walk(overlay)):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(overlay / relative, target)
        written.append(relative)
    return written


def _write_ruff_config(dest: Path, stubbed_python: Iterable[str]) -> None:
    """A ruff.toml extending the project's settings: stubbed files may import what is unused."""
    if (dest / RUFF_CONFIG_NAME).exists():
        raise StarterError(f"the starter already has a {RUFF_CONFIG_NAME}; cannot add the stubs'")
    rules = ", ".join(f'"{rule}"' for rule in STUB_LINT_IGNORES)
    lines = [
        "# Written by `nox -s starter` (course_support/starter.py) for the learner's edition.",
        "# In a file whose solution regions are stubbed, the imports the solution will use are",
        "# still there but unused until it is written: F401 is ignored in those files only.",
        'extend = "pyproject.toml"',
        "",
        "[lint.extend-per-file-ignores]",
        *(f'"{name}" = [{rules}]' for name in sorted(stubbed_python)),
        "",
    ]
    (dest / RUFF_CONFIG_NAME).write_text("\n".join(lines), encoding="utf-8")


def round_trip_problems(source: Path, dest: Path) -> list[str]:
    """Files of the starter in ``dest`` that do not give back the reference byte for byte when
    the reference's region bodies are put back (overlaid files excepted)."""
    source, dest = source.resolve(), dest.resolve()
    config = StarterConfig.load(source)
    overlay = source / config.overlay if config.overlay else None
    overlaid = set(_walk(overlay)) if overlay and overlay.is_dir() else set()
    overlay_prefix = config.overlay.strip("/") + "/" if config.overlay else None
    problems = []
    for relative in source_files(source):
        if (
            config.excludes(relative)
            or relative in overlaid
            or (overlay_prefix and relative.startswith(overlay_prefix))
        ):
            continue
        reference_bytes = (source / relative).read_bytes()
        target = dest / relative
        if not target.is_file():
            problems.append(f"{relative}: missing from the starter")
            continue
        reference = _read_text(source / relative)
        if reference is None:
            if target.read_bytes() != reference_bytes:
                problems.append(f"{relative}: differs from the reference")
            continue
        try:
            restored = restore(
                target.read_bytes().decode("utf-8"), relative, bodies(reference, relative)
            )
        except (RegionError, UnicodeDecodeError) as error:
            problems.append(f"{relative}: {error}")
            continue
        if restored.encode("utf-8") != reference_bytes:
            problems.append(f"{relative}: the restored file differs from the reference")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_support.starter",
        description=(
            "Write the learner's edition of the course repository: every file git tracks in the "
            "source, solution regions stubbed, minus starter.toml's excludes, plus its overlay."
        ),
    )
    parser.add_argument("dest", type=Path, metavar="DEST", help="folder to write (empty or new)")
    parser.add_argument(
        "--source",
        type=Path,
        default=REPOSITORY_ROOT,
        metavar="DIR",
        help="the reference repository (default: this repository's root)",
    )
    parser.add_argument("--force", action="store_true", help="replace a non-empty DEST's content")
    parser.add_argument(
        "--check-round-trip",
        action="store_true",
        help="then check that putting the reference's region bodies back gives the reference",
    )
    args = parser.parse_args(argv)
    try:
        report = build(args.source, args.dest, force=args.force)
    except StarterError as error:
        print(f"starter: {error}", file=sys.stderr)  # noqa: T201 - a command-line tool
        return 2
    print(  # noqa: T201
        f"starter: wrote {len(report.files)} files to {args.dest} ({len(report.stubbed)} with "
        f"solution regions stubbed, {len(report.overlaid)} from the overlay)"
    )
    if args.check_round_trip:
        problems = round_trip_problems(args.source, args.dest)
        for problem in problems:
            print(f"round trip: {problem}", file=sys.stderr)  # noqa: T201
        if problems:
            return 1
        print("starter: round trip exact: the reference's bodies give the reference back")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
