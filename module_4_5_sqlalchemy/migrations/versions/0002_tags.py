"""Tags and the task_tags association (many-to-many between tasks and tags).

Revision ID: 0002_tags
Revises: 0001_users_projects_tasks
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_tags"
down_revision: str | None = "0001_users_projects_tasks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # region 4.5.2 extra: the tags table and task_tags
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.CheckConstraint(
            "name = lower(btrim(name)) AND name <> ''", name=op.f("ck_tags_name_normalised")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "task_tags",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_tags_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_task_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "tag_id", name=op.f("pk_task_tags")),
    )
    # The primary key (task_id, tag_id) serves "tags of a task"; this serves "tasks with a tag".
    op.create_index("ix_task_tags_tag_id", "task_tags", ["tag_id"])
    # endregion 4.5.2


def downgrade() -> None:
    # region 4.5.2 extra: drop task_tags, then tags
    op.drop_table("task_tags")
    op.drop_table("tags")
    # endregion 4.5.2
