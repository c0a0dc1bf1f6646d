"""Async SQLAlchemy on PostgreSQL: the declarative base, the engine and the per-request session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from taskmanager.core.config import Settings

# Constraint names by convention, so Alembic can drop and recreate them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every ORM model; `taskmanager.models` imports them all for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_engine(settings: Settings, database_url: str) -> AsyncEngine:
    """An engine whose every wait is bounded, so a database outage is a quick 503, never a hang."""
    return create_async_engine(
        database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        # A connection broken by a database restart is noticed and replaced, not handed out.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "timeout": settings.db_connect_timeout_seconds,
            "command_timeout": settings.db_statement_timeout_seconds,
            "server_settings": {
                "statement_timeout": str(int(settings.db_statement_timeout_seconds * 1000)),
                "application_name": "taskmanager",
            },
        },
    )


class Database:
    """The engine and session factory of one application instance."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Never lazy-load after a commit: async sessions cannot do implicit I/O.
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    async def dispose(self) -> None:
        await self.engine.dispose()


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; whatever the endpoint did not commit is rolled back."""
    async with get_database(request).sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
DatabaseDep = Annotated[Database, Depends(get_database)]
