"""Tasks and comments, with an index for every filter and keyset sort of the tasks list.

Revision ID: 0002_tasks_comments
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_tasks_comments"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TASK_STATUS = postgresql.ENUM("todo", "in_progress", "done", name="task_status", create_type=False)
# Declared lowest first: PostgreSQL orders enum values as declared, so ORDER BY priority ranks.
TASK_PRIORITY = postgresql.ENUM(
    "low", "medium", "high", "urgent", name="task_priority", create_type=False
)

# One (owner_id, sort expression, id) index per sort key, so every page is a short index range
# scan, in either direction, however deep the cursor. Tasks without a due date sort last both
# ways, hence one due-date expression per direction.
KEYSET_INDEXES = {
    "ix_tasks_owner_created_at": "owner_id, created_at, id",
    "ix_tasks_owner_updated_at": "owner_id, updated_at, id",
    "ix_tasks_owner_due_at_asc": "owner_id, coalesce(due_at, 'infinity'::timestamptz), id",
    "ix_tasks_owner_due_at_desc": "owner_id, coalesce(due_at, '-infinity'::timestamptz), id",
    "ix_tasks_owner_priority": "owner_id, priority, id",
    "ix_tasks_owner_title": 'owner_id, (lower(title) COLLATE "C"), id',
}


def upgrade() -> None:
    # pg_trgm lets ILIKE '%text%' use an index; it is a trusted extension (no superuser needed).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    TASK_STATUS.create(op.get_bind(), checkfirst=True)
    TASK_PRIORITY.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "owner_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_tasks_owner_id_users"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", TASK_STATUS, nullable=False),
        sa.Column("priority", TASK_PRIORITY, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="ck_tasks_completed_when_done"
        ),
        sa.CheckConstraint("version >= 1", name="ck_tasks_version_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    for name, columns in KEYSET_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON tasks ({columns})")
    op.execute("CREATE INDEX ix_tasks_tags ON tasks USING gin (tags)")
    op.execute("CREATE INDEX ix_tasks_title_trgm ON tasks USING gin (title gin_trgm_ops)")
    op.execute(
        "CREATE INDEX ix_tasks_description_trgm ON tasks USING gin (description gin_trgm_ops)"
    )

    op.create_table(
        "comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "task_id",
            sa.Uuid(),
            sa.ForeignKey("tasks.id", ondelete="CASCADE", name="fk_comments_task_id_tasks"),
            nullable=False,
        ),
        sa.Column(
            "author_id",
            sa.Uuid(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_comments_author_id_users"),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
    )
    op.create_index("ix_comments_task_created_at", "comments", ["task_id", "created_at", "id"])
    # Deleting a user deletes the comments they wrote: the cascade needs this index to be quick.
    op.create_index("ix_comments_author_id", "comments", ["author_id"])


def downgrade() -> None:
    op.drop_table("comments")
    op.drop_table("tasks")
    TASK_PRIORITY.drop(op.get_bind(), checkfirst=True)
    TASK_STATUS.drop(op.get_bind(), checkfirst=True)
