"""Every domain router the application serves; a new domain adds its router here."""

from fastapi import APIRouter

from taskmanager.auth.router import router as auth_router
from taskmanager.comments.router import router as comments_router
from taskmanager.tasks.router import router as tasks_router
from taskmanager.users.router import router as users_router

API_ROUTERS: list[APIRouter] = [auth_router, users_router, tasks_router, comments_router]
