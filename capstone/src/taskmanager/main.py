"""`create_app`: the FastAPI application with its middleware, error handlers, docs and routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from taskmanager.api import API_ROUTERS
from taskmanager.core import health, metrics
from taskmanager.core.bootstrap import ensure_first_admin
from taskmanager.core.config import Environment, Settings, get_settings
from taskmanager.core.database import Database, create_engine
from taskmanager.core.docs import install_docs
from taskmanager.core.errors import install_error_handlers
from taskmanager.core.logging import configure_logging
from taskmanager.core.metrics import Metrics
from taskmanager.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from taskmanager.core.openapi import install_openapi
from taskmanager.core.passwords import PasswordHasher
from taskmanager.core.tokens import TokenCodec

logger = logging.getLogger(__name__)

DESCRIPTION = """
A task manager for teams of one: register, log in, and keep your tasks and their comments.

Authenticate with **Authorize** (OAuth2 password flow: your email as `username`). Every error is
`application/problem+json` with a stable `code`; lists are cursor-paginated.
"""

GC_THRESHOLDS = (50_000, 20, 100)
# The order /docs shows the groups in (otherwise: the order routes are matched in).
OPENAPI_TAGS = [
    {"name": "auth", "description": "Register, log in, refresh and log out."},
    {"name": "users", "description": "Your profile; user administration for admins."},
    {"name": "tasks", "description": "Your tasks: create, list (filtered, sorted, paged), update."},
    {"name": "comments", "description": "Comments on your tasks."},
    {"name": "operations", "description": "Health checks and metrics."},
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.database_url is None:
        raise RuntimeError("DATABASE_URL is not set (`taskmanager serve` starts a database)")
    database = Database(create_engine(settings, settings.database_url))
    hasher = PasswordHasher(
        settings.bcrypt_rounds,
        settings.hashing_concurrency,
        max_waiting=settings.max_waiting_hashes,
        retry_after_seconds=1,  # a hash takes well under a second: the queue drains fast
    )
    app.state.database = database
    app.state.password_hasher = hasher
    try:
        await hasher.warm_up()
        await ensure_first_admin(settings, database, hasher)
        yield
    finally:
        hasher.close()
        await database.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Task Manager API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from vendored assets by install_docs
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_tags=OPENAPI_TAGS,
    )
    app.state.settings = settings
    app.state.metrics = Metrics(app.state, settings.instance_name)
    app.state.token_codec = TokenCodec(
        settings.jwt_secret.get_secret_value(), settings.jwt_issuer, settings.jwt_audience
    )
    install_error_handlers(app)
    # Routes are matched in the order they are added: the API first, the docs last.
    for router in API_ROUTERS:
        app.include_router(router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    install_docs(app)
    install_openapi(app)
    # Added innermost first: the request context wraps everything, CORS answers preflights.
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "X-Request-ID",
        ],
        expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
        max_age=600,
    )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=app.state.metrics,
        hsts=settings.environment is Environment.PRODUCTION,
    )
    return app


def tune_garbage_collector() -> None:
    """Collect cyclic garbage less often, and never walk what lives as long as the process.

    With CPython's default thresholds (700, 10, 10) the collector ran so often under load that
    the objects of requests waiting for a database connection survived into the older
    generations, and the list's CPU a request rose with the number of clients: measured at 128
    and 256 connections, 1.22-1.58 ms with the defaults and 1.05-1.10 ms with these (32
    connections: 1.04-1.15 and 1.01-1.07). Cyclic garbage may wait a little longer: up to
    50,000 objects, a few MB. A process-wide setting, so only `taskmanager serve` makes it.
    """
    gc.freeze()  # modules, the app, its routes and schemas: never collected anyway
    gc.set_threshold(*GC_THRESHOLDS)


def create_served_app() -> FastAPI:
    """The factory `taskmanager serve` gives uvicorn: JSON logs in every worker process."""
    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    tune_garbage_collector()
    return app
