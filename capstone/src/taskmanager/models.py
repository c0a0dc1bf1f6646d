"""Every ORM model, imported so `Base.metadata` is complete (Alembic, tests)."""

from taskmanager.auth.models import LoginFailure, LoginSession
from taskmanager.core.database import Base
from taskmanager.users.models import User

__all__ = ["Base", "LoginFailure", "LoginSession", "User"]
