"""Entity tags of a task: `"<version>"`, and the `If-Match` / `If-None-Match` checks on them."""

from __future__ import annotations

from taskmanager.core.errors import PreconditionFailedError
from taskmanager.tasks.models import Task


def etag(task: Task) -> str:
    return f'"{task.version}"'


def _listed_versions(header: str) -> set[str]:
    """The opaque tags of an `If-Match`-style list, with quotes and any `W/` prefix removed.

    Weak tags are compared like strong ones: both name a version here, and a proxy that
    compresses responses (nginx's gzip) weakens the ETags it passes on.
    """
    return {
        candidate.strip().removeprefix("W/").strip('"')
        for candidate in header.split(",")
        if candidate.strip()
    }


def matches(header: str, task: Task) -> bool:
    listed = _listed_versions(header)
    return "*" in listed or str(task.version) in listed


def require_current_version(if_match: str | None, task: Task) -> None:
    """412 unless `If-Match` is absent or names the task's current version."""
    if if_match is not None and not matches(if_match, task):
        raise PreconditionFailedError(
            f"The task has changed: its current ETag is {etag(task)}. "
            "Fetch it again and retry with that ETag.",
            headers={"ETag": etag(task)},
        )
