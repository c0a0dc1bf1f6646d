"""Every ORM model, imported so `Base.metadata` is complete (Alembic, tests)."""

from taskmanager.auth.models import LoginFailure, LoginSession
from taskmanager.comments.models import Comment
from taskmanager.core.database import Base
from taskmanager.tasks.models import Task
from taskmanager.users.models import User

__all__ = ["Base", "Comment", "LoginFailure", "LoginSession", "Task", "User"]
