"""Every domain router the application serves; a new domain adds its router here."""

from fastapi import APIRouter

from taskmanager.auth.router import router as auth_router
from taskmanager.comments.router import router as comments_router
from taskmanager.tasks.router import router as tasks_router
from taskmanager.users.router import router as users_router

# Matched in this order, so the busiest (the tasks) comes first; no two share a path.
API_ROUTERS: list[APIRouter] = [tasks_router, comments_router, auth_router, users_router]
