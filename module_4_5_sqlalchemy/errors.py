"""Domain errors of the task tracker, and the translation of constraint violations into them.

Callers (a CLI, an HTTP layer) catch :class:`DomainError`; a raw ``IntegrityError`` never leaks
out of the CRUD functions for a failure a user can cause.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


class DomainError(Exception):
    """A request the task tracker refuses; the message is safe to show to the user."""


class NotFoundError(DomainError):
    def __init__(self, kind: str, identifier: int) -> None:
        super().__init__(f"{kind} {identifier} does not exist")
        self.identifier = identifier


class UserNotFoundError(NotFoundError):
    def __init__(self, user_id: int) -> None:
        super().__init__("user", user_id)


class TaskNotFoundError(NotFoundError):
    def __init__(self, task_id: int) -> None:
        super().__init__("task", task_id)


class ProjectNotFoundError(NotFoundError):
    def __init__(self, project_id: int) -> None:
        super().__init__("project", project_id)


class EmailAlreadyRegisteredError(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(f"a user with the email {email!r} already exists (case-insensitive)")
        self.email = email


class ProjectNameTakenError(DomainError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a project named {name!r} already exists")
        self.name = name


class InvalidReassignmentError(DomainError):
    """Tasks cannot be handed to the user being deleted."""


class InvalidCursorError(DomainError):
    """A pagination cursor that was not produced by this query (tampered, or another sort)."""


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint or unique index an ``IntegrityError`` reports, if any."""
    driver_error = getattr(error.orig, "orig", None)  # asyncpg's own exception
    name = getattr(driver_error, "constraint_name", None)
    return name if isinstance(name, str) else None


@contextlib.asynccontextmanager
async def conflicts_raise(
    session: AsyncSession, conflicts: Mapping[str, DomainError]
) -> AsyncIterator[None]:
    """Changes made in the block are flushed in a SAVEPOINT; if that violates a constraint named
    in ``conflicts``, the matching domain error is raised instead of the ``IntegrityError``.

    Relying on the constraint (not a SELECT first) is what stays correct when two requests race.
    The savepoint keeps the caller's transaction usable after the error. Make the changes
    inside the block: ``begin_nested`` flushes what is pending before the SAVEPOINT.
    """
    # region 4.5.3 extra: a SAVEPOINT; constraint violations to domain errors
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as error:
        domain_error = conflicts.get(violated_constraint(error) or "")
        if domain_error is None:
            raise
        raise domain_error from None
    # endregion 4.5.3
