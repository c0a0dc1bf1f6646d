"""``python -m module_4_7_docker.check_stack``: check a running notes stack end to end (task 4.7.3).

Asks ``/health`` whether the app reaches PostgreSQL, writes a note through the API and reads it
back. Run it against ``docker compose up`` (or after ``down`` and ``up`` again, with ``--expect``
the id it printed, to see the note survive in the volume).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import httpx


class StackCheckError(Exception):
    """The stack did not answer as it should; the message says which step and what came back."""


def check_stack(
    base_url: str, *, expect_note_id: int | None = None, timeout: httpx.Timeout | float = 5.0
) -> dict[str, Any]:
    """Check the service at ``base_url``; the note it wrote and read back (a JSON object).

    1. ``GET /health`` answers 200 with ``{"status": "ok", "database": "ok"}``;
    2. with ``expect_note_id``, ``GET /notes/{id}`` finds that note (written by an earlier run);
    3. ``POST /notes`` creates a note (201), and ``GET /notes/{id}`` returns the same note.

    Raises :class:`StackCheckError` when a step fails or the service cannot be reached.
    """
    # region 4.7.3 core: the three steps with an httpx.Client; every failure is a StackCheckError
    #: tip: `with httpx.Client(base_url=base_url, timeout=timeout) as client:` then
    #: client.get("/health"), client.post("/notes", json={"title": ...}); catch httpx.HTTPError
    try:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            health = client.get("/health")
            if health.status_code != 200 or health.json().get("database") != "ok":
                raise StackCheckError(f"/health answered {health.status_code}: {health.text}")
            if expect_note_id is not None:
                kept = client.get(f"/notes/{expect_note_id}")
                if kept.status_code != 200:
                    raise StackCheckError(
                        f"note {expect_note_id} is gone ({kept.status_code}): was the volume kept?"
                    )
            created = client.post("/notes", json={"title": "stack check", "body": base_url})
            if created.status_code != 201:
                raise StackCheckError(f"POST /notes answered {created.status_code}: {created.text}")
            note: dict[str, Any] = created.json()
            fetched = client.get(f"/notes/{note['id']}")
            if fetched.status_code != 200 or fetched.json() != note:
                raise StackCheckError(f"the note did not read back: {fetched.text}")
    except httpx.HTTPError as error:
        raise StackCheckError(f"{base_url} cannot be reached: {error}") from error
    return note
    # endregion 4.7.3


def main(argv: list[str] | None = None) -> int:
    """Run the check; print the note's id (exit 0) or what failed (exit 1)."""
    parser = argparse.ArgumentParser(prog="check_stack", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="default: %(default)s")
    parser.add_argument(
        "--expect", type=int, metavar="ID", help="a note id an earlier run printed, to find again"
    )
    arguments = parser.parse_args(argv)
    try:
        note = check_stack(arguments.url, expect_note_id=arguments.expect)
    except StackCheckError as failure:
        print(f"stack check failed: {failure}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"ok: the app reaches the database; wrote and read back note {note['id']}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
