"""Held-back tests an instructor adds at grading time (``nox -s grade -- --extra-tests DIR``).

``DIR`` mirrors the repository (``DIR/module_4_2_asyncio/tests/test_hidden.py``). For one grading
run its files are copied into the matching suite folders, so they use the suite's fixtures and
count in the scoreboard like any test, and removed afterwards, whatever happened.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


class ExtraTestsError(ValueError):
    """The overlay folder cannot be laid over the repository; the message says why."""


def overlay_files(overlay: Path, folders: Iterable[str]) -> dict[str, list[str]]:
    """The overlay's files by the suite folder they go to (posix paths relative to the overlay)."""
    if not overlay.is_dir():
        raise ExtraTestsError(f"--extra-tests: {overlay} is not a folder")
    known = list(folders)
    by_folder: dict[str, list[str]] = {}
    for path in sorted(overlay.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(overlay).as_posix()
        folder = next((name for name in known if relative.startswith(f"{name}/")), None)
        if folder is None:
            raise ExtraTestsError(
                f"--extra-tests: {relative} is not under a suite folder ({', '.join(known)})"
            )
        by_folder.setdefault(folder, []).append(relative)
    return by_folder


@contextmanager
def laid_over(overlay: Path, root: Path, files: Iterable[str]) -> Iterator[list[Path]]:
    """Copy the overlay's ``files`` into ``root`` for the block, then remove every trace of them.

    A file that would replace one of the repository's is refused: held-back tests add to a suite.
    """
    files = list(files)
    targets = [root / relative for relative in files]
    clashes = [str(target.relative_to(root)) for target in targets if target.exists()]
    if clashes:
        raise ExtraTestsError(
            "--extra-tests would replace the repository's own files: " + ", ".join(clashes)
        )
    created_folders: list[Path] = []
    copied: list[Path] = []
    try:
        for relative, target in zip(files, targets, strict=True):
            for folder in reversed(target.parents):
                if folder.is_relative_to(root) and not folder.exists():
                    folder.mkdir()
                    created_folders.append(folder)
            shutil.copyfile(Path(overlay) / relative, target)
            copied.append(target)
        yield copied
    finally:
        for target in copied:
            target.unlink(missing_ok=True)
            # The bytecode pytest's assertion rewriting wrote for it.
            for compiled in target.parent.glob(f"__pycache__/{target.stem}.*.pyc"):
                compiled.unlink(missing_ok=True)
        for folder in reversed(created_folders):
            shutil.rmtree(folder, ignore_errors=True)
