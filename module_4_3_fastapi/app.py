"""The application: routers, error handlers, the body-size limit, docs, and resource lifetimes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.types import Scope

from module_4_3_fastapi.api import calculator, echo, files, hello, notes, upload
from module_4_3_fastapi.body_limit import BodySizeLimitMiddleware
from module_4_3_fastapi.database import open_pool
from module_4_3_fastapi.docs import install_docs
from module_4_3_fastapi.errors import install_error_handlers
from module_4_3_fastapi.file_store import FileStore
from module_4_3_fastapi.settings import Settings

DESCRIPTION = """
Section 4.3 of the course: routing, path/query/body parameters, dependency injection,
documentation and error handling, in one application.

Every error is `application/problem+json` (RFC 9457) with a stable `code`.
The notes need a bearer token (`API_TOKENS`; `python -m module_4_3_fastapi` prints one when
none is configured).
"""

UPLOAD_PATHS = ("/files", "/upload")
"""The routes whose bodies may reach ``max_upload_bytes``; every other body ``max_body_bytes``."""

TAGS = [
    {"name": "4.3.1 hello, calculator, echo", "description": "Routing and parameters."},
    {
        "name": "4.3.2 file upload",
        "description": "`UploadFile`, then a streaming multipart upload with limits.",
    },
    {
        "name": "4.3.3 dependencies: database and tokens",
        "description": "A per-request PostgreSQL connection and scoped bearer tokens.",
    },
]


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start what the routes need (database pool, upload folder) and stop it at shutdown."""
    settings: Settings = app.state.settings
    async with contextlib.AsyncExitStack() as stack:
        database_url = settings.database_url
        if database_url is None:
            from course_support.postgres import embedded_postgres  # noqa: PLC0415 - optional

            # Starting PostgreSQL blocks for about a second: keep the event loop free meanwhile.
            server = embedded_postgres(settings.embedded_postgres_dir)
            database_url = await asyncio.to_thread(server.__enter__)
            stack.push_async_callback(asyncio.to_thread, server.__exit__, None, None, None)
        app.state.pool = await stack.enter_async_context(open_pool(database_url))
        store = FileStore(settings.upload_dir)
        await asyncio.to_thread(store.prepare)
        app.state.file_store = store
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; ``settings`` default to the environment's."""
    settings = settings or Settings()
    app = FastAPI(
        title="Section 4.3: FastAPI",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_docs(app)
    for module in (hello, calculator, echo, upload, files, notes):
        app.include_router(module.router)

    def body_limit_for(scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS:
            return int(settings.max_upload_bytes)
        return int(settings.max_body_bytes)

    app.add_middleware(BodySizeLimitMiddleware, limit_for=body_limit_for)
    return app
