"""users and tasks

Revision ID: 0001
Revises:
Create Date: 2026-12-05 16:34:33.424927

Written by `alembic revision --autogenerate --rev-id 0001 -m "users and tasks"`, then reviewed:
the downgrade drops the enum type too, which `drop_table` leaves behind.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables `users` and `tasks`, and the enum type `task_priority`."""
    # region 4.5.2 core: the operations autogenerate proposes, reviewed
    #: tip: alembic -c module_4_5_sqlalchemy/basics/alembic.ini revision --autogenerate -m "..."
    #: tip: writes a new file with these operations: review them, then move them here
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("done", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "priority",
            sa.Enum("low", "medium", "high", "urgent", name="task_priority"),
            server_default="medium",
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tasks_owner_id"), "tasks", ["owner_id"], unique=False)
    # endregion 4.5.2


def downgrade() -> None:
    """Drop what `upgrade` created, the enum type included."""
    # region 4.5.2 core: undo upgrade() in reverse order; drop the enum type too
    #: tip: autogenerate forgets the type: sa.Enum(name="task_priority").drop(op.get_bind())
    op.drop_index(op.f("ix_tasks_owner_id"), table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("users")
    # Reviewed: drop_table leaves the enum type behind, and the next upgrade would then fail.
    sa.Enum(name="task_priority").drop(op.get_bind())
    # endregion 4.5.2
