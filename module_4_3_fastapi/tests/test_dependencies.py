"""4.3.3: a per-request database connection and bearer-token dependencies, chained.

Core: the token check (401, 403) and the connection (commit, rollback, back to the pool), seen
through the notes. Extra: constant-time matching, a database that is down, the settings' checks.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from course_support.pytest_postgres import PostgresServer
from module_4_3_fastapi.app import create_app
from module_4_3_fastapi.database import DatabaseConnection
from module_4_3_fastapi.errors import NotFoundError
from module_4_3_fastapi.security import Principal, find_grant, get_current_principal
from module_4_3_fastapi.settings import Settings, TokenGrant, get_settings
from module_4_3_fastapi.tests.conftest import (
    BOB_TOKEN,
    READER_TOKEN,
    WRITER_TOKEN,
    Subjects,
)
from module_4_3_fastapi.tests.support import assert_problem, bearer


async def create_note(client: httpx.AsyncClient, token: str, title: str) -> dict[str, str]:
    response = await client.post(
        "/notes", json={"title": title, "body": f"body of {title}"}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    note: dict[str, str] = response.json()
    return note


# --- tokens --------------------------------------------------------------------------------------


@pytest.mark.task("4.3.3", level="core")
async def test_no_token_is_401_with_www_authenticate(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes")

    problem = assert_problem(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in problem["detail"]


@pytest.mark.task("4.3.3", level="core")
@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong-token-0123456789", f"Bearer {WRITER_TOKEN}x", f"Bearer {WRITER_TOKEN[:-1]}"],
)
async def test_a_wrong_token_is_401_invalid_token(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get("/notes", headers={"Authorization": authorization})

    assert_problem(response, 401, "token_invalid")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.task("4.3.3", level="core")
@pytest.mark.parametrize("authorization", [f"Basic {WRITER_TOKEN}", "Bearer", "Bearer  ", "x"])
async def test_a_header_that_is_not_a_bearer_token_is_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get("/notes", headers={"Authorization": authorization})

    assert_problem(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.task("4.3.3", level="core")
async def test_a_token_without_the_scope_is_403(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "t"}, headers=bearer(READER_TOKEN))

    problem = assert_problem(response, 403, "forbidden")
    assert problem["detail"] == "this token lacks the 'notes:write' scope"
    assert response.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="notes:write"'
    )


@pytest.mark.task("4.3.3", level="core")
async def test_a_read_only_token_can_read(client: httpx.AsyncClient, subjects: Subjects) -> None:
    note = await create_note(client, WRITER_TOKEN, "shared with the reader token")

    listed = await client.get("/notes", headers=bearer(READER_TOKEN))
    read = await client.get(f"/notes/{note['id']}", headers=bearer(READER_TOKEN))
    deleted = await client.delete(f"/notes/{note['id']}", headers=bearer(READER_TOKEN))

    assert [item["id"] for item in listed.json()] == [note["id"]]
    assert read.json()["owner"] == subjects.alice
    assert_problem(deleted, 403, "forbidden")


@pytest.mark.task("4.3.3", level="extra")
def test_find_grant_compares_every_token_through_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    grants = [
        TokenGrant.model_validate({"token": f"token-number-{number:04}", "subject": f"s{number}"})
        for number in range(5)
    ]
    compared: list[tuple[bytes, bytes]] = []
    real_compare = hmac.compare_digest

    def recording_compare(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording_compare)

    found = find_grant("token-number-0000", grants)

    assert found is grants[0]
    assert len(compared) == len(grants)  # no early exit: a match's position does not show
    assert {len(a) for a, _ in compared} == {len(b) for _, b in compared} == {32}
    assert find_grant("token-number-0000x", grants) is None


@pytest.mark.task("4.3.3", level="extra")
def test_settings_refuse_short_tokens_and_unknown_scopes() -> None:
    with pytest.raises(ValueError, match="a token must have at least 16 characters"):
        Settings(tokens=[{"token": "short", "subject": "a"}])
    with pytest.raises(ValueError, match="unknown scope"):
        Settings(tokens=[{"token": "x" * 20, "subject": "a", "scopes": ["notes:wrte"]}])


@pytest.mark.task("4.3.3", level="extra")
def test_the_database_url_may_be_sqlalchemys_form_but_must_be_postgresql() -> None:
    url = "postgresql+asyncpg://notes:secret@db.example.com:5432/notes"

    assert Settings(database_url=url).database_url == (
        "postgresql://notes:secret@db.example.com:5432/notes"
    )
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        Settings(database_url="mysql://notes@db.example.com/notes")


@pytest.mark.task("4.3.3", level="extra")
def test_an_empty_database_url_means_the_embedded_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "")

    assert Settings().database_url is None


# --- the notes resource through both dependency chains -----------------------------------------


@pytest.mark.task("4.3.3", level="core")
async def test_create_read_list_and_delete_a_note(
    client: httpx.AsyncClient, subjects: Subjects
) -> None:
    created = await client.post(
        "/notes", json={"title": "  Buy milk  ", "body": "2 l"}, headers=bearer(WRITER_TOKEN)
    )
    note = created.json()

    read = await client.get(created.headers["location"], headers=bearer(WRITER_TOKEN))
    listed = await client.get("/notes", headers=bearer(WRITER_TOKEN))
    deleted = await client.delete(f"/notes/{note['id']}", headers=bearer(WRITER_TOKEN))
    gone = await client.get(f"/notes/{note['id']}", headers=bearer(WRITER_TOKEN))

    assert created.status_code == 201
    assert created.headers["location"] == f"/notes/{note['id']}"
    assert note["title"] == "Buy milk"
    assert note["owner"] == subjects.alice
    assert read.json() == note
    assert listed.json() == [note]
    assert deleted.status_code == 204
    assert_problem(gone, 404, "not_found")


@pytest.mark.task("4.3.3", level="core")
async def test_notes_are_listed_newest_first_and_limited(client: httpx.AsyncClient) -> None:
    titles = [f"note {number}" for number in range(4)]
    for title in titles:
        await create_note(client, WRITER_TOKEN, title)

    response = await client.get("/notes", params={"limit": 3}, headers=bearer(WRITER_TOKEN))

    assert [note["title"] for note in response.json()] == titles[::-1][:3]


@pytest.mark.task("4.3.3", level="extra")
@pytest.mark.parametrize("limit", ["0", "101", "ten"])
async def test_a_list_limit_out_of_bounds_is_422(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get("/notes", params={"limit": limit}, headers=bearer(WRITER_TOKEN))

    assert_problem(response, 422, "validation_error")


@pytest.mark.task("4.3.3", level="core")
async def test_another_subjects_note_is_404_as_if_it_did_not_exist(
    client: httpx.AsyncClient,
) -> None:
    alices = await create_note(client, WRITER_TOKEN, "alice's")

    read = await client.get(f"/notes/{alices['id']}", headers=bearer(BOB_TOKEN))
    deleted = await client.delete(f"/notes/{alices['id']}", headers=bearer(BOB_TOKEN))
    listed = await client.get("/notes", headers=bearer(BOB_TOKEN))
    missing = await client.get(f"/notes/{uuid.uuid4()}", headers=bearer(BOB_TOKEN))

    assert_problem(read, 404, "not_found")
    assert_problem(deleted, 404, "not_found")
    assert listed.json() == []
    assert read.json()["detail"].replace(alices["id"], "") == missing.json()["detail"].replace(
        missing.url.path.rsplit("/", 1)[1], ""
    )


@pytest.mark.task("4.3.3", level="extra")
@pytest.mark.parametrize(
    "payload",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "nul \x00 inside"},
        {"title": "ok", "body": "nul \x00"},
        {"title": "ok", "body": "x" * 10_001},
        {"title": "ok", "owner": "someone-else"},
        {},
    ],
)
async def test_an_invalid_note_is_422_and_not_a_database_error(
    client: httpx.AsyncClient, payload: dict[str, str]
) -> None:
    response = await client.post("/notes", json=payload, headers=bearer(WRITER_TOKEN))

    problem = assert_problem(response, 422, "validation_error")
    assert "\x00" not in response.text
    assert "input" not in problem["errors"][0]


@pytest.mark.task("4.3.3", level="extra")
async def test_a_malformed_note_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes/12345678901234567890", headers=bearer(WRITER_TOKEN))

    assert_problem(response, 422, "validation_error")


# --- the connection dependency ------------------------------------------------------------------


@pytest.mark.task("4.3.3", level="core")
async def test_every_connection_goes_back_to_the_pool_even_after_errors(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    pool = app.state.pool
    note = await create_note(client, WRITER_TOKEN, "kept")
    for _ in range(15):  # more requests than the pool has connections
        await client.get(f"/notes/{uuid.uuid4()}", headers=bearer(WRITER_TOKEN))  # 404
        await client.get(f"/notes/{note['id']}", headers=bearer(WRITER_TOKEN))

    assert pool.get_idle_size() == pool.get_size()
    assert pool.get_size() <= pool.get_max_size()


@pytest.mark.task("4.3.3", level="core")
async def test_a_failing_request_rolls_back_its_writes(
    app: FastAPI, client: httpx.AsyncClient, subjects: Subjects
) -> None:
    @app.post("/test-only/write-then-fail")
    async def write_then_fail(connection: DatabaseConnection) -> None:
        await connection.execute(
            "INSERT INTO notes (owner, title) VALUES ($1, 'never committed')", subjects.alice
        )
        raise NotFoundError("failing on purpose after a write")

    response = await client.post("/test-only/write-then-fail")
    listed = await client.get("/notes", headers=bearer(WRITER_TOKEN))

    assert_problem(response, 404, "not_found")
    assert listed.json() == []
    assert app.state.pool.get_idle_size() == app.state.pool.get_size()


@pytest.mark.task("4.3.3", level="extra")
async def test_a_commit_that_fails_is_never_answered_as_a_success(app: FastAPI) -> None:
    # A deferred constraint is checked at COMMIT, after the endpoint returned. The connection
    # dependency commits before the response is sent (Depends(..., scope="function")), so the
    # failure becomes the answer; with the default scope the client would already have its 200.
    @app.post("/test-only/commit-fails")
    async def commit_fails(connection: DatabaseConnection) -> dict[str, str]:
        await connection.execute(
            "CREATE TEMPORARY TABLE deferred_check (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)"
            " ON COMMIT DROP"
        )
        await connection.execute("INSERT INTO deferred_check VALUES (1), (1)")
        return {"status": "written"}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/test-only/commit-fails")

    assert_problem(response, 500, "internal_error")
    assert app.state.pool.get_idle_size() == app.state.pool.get_size()


@pytest.mark.task("4.3.3", level="extra")
async def test_an_unreachable_database_is_503_with_retry_after(
    postgres_server: PostgresServer, notes_template: str, settings: Settings
) -> None:
    with postgres_server.database(template=notes_template) as doomed:
        app = create_app(settings.model_copy(update={"database_url": doomed.url}))
        async with app.router.lifespan_context(app):
            await app.state.pool.expire_connections()
            postgres_server.drop_database(doomed.name)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/notes", headers=bearer(WRITER_TOKEN))

    problem = assert_problem(response, 503, "service_unavailable")
    assert response.headers["retry-after"] == "5"
    assert "database" in problem["detail"]


# --- dependency_overrides: replace a link of the chain in tests ---------------------------------


@pytest.fixture
async def overridden_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.dependency_overrides.clear()


@pytest.mark.task("4.3.3", level="core")
async def test_overriding_the_principal_skips_tokens_but_keeps_the_scope_check(
    app: FastAPI, overridden_client: httpx.AsyncClient
) -> None:
    reader = Principal(subject=f"override-{uuid.uuid4().hex}", scopes=frozenset({"notes:read"}))
    app.dependency_overrides[get_current_principal] = lambda: reader

    listed = await overridden_client.get("/notes")
    created = await overridden_client.post("/notes", json={"title": "t"})

    assert listed.status_code == 200
    assert listed.json() == []
    assert_problem(created, 403, "forbidden")


@pytest.mark.task("4.3.3", level="core")
async def test_overriding_the_principal_writes_as_that_principal(
    app: FastAPI, overridden_client: httpx.AsyncClient
) -> None:
    writer = Principal(
        subject=f"override-{uuid.uuid4().hex}", scopes=frozenset({"notes:read", "notes:write"})
    )
    app.dependency_overrides[get_current_principal] = lambda: writer

    created = await overridden_client.post("/notes", json={"title": "from an override"})
    listed = await overridden_client.get("/notes")

    assert created.status_code == 201
    assert created.json()["owner"] == writer.subject
    assert [note["title"] for note in listed.json()] == ["from an override"]


@pytest.mark.task("4.3.3", level="extra")
async def test_overriding_the_settings_changes_which_tokens_are_valid(
    app: FastAPI, overridden_client: httpx.AsyncClient, settings: Settings
) -> None:
    rotated = settings.model_copy(
        update={
            "tokens": [
                TokenGrant.model_validate({"token": "rotated-token-0123456789", "subject": "r"})
            ]
        }
    )
    app.dependency_overrides[get_settings] = lambda: rotated

    old = await overridden_client.get("/notes", headers=bearer(WRITER_TOKEN))
    new = await overridden_client.get("/notes", headers=bearer("rotated-token-0123456789"))

    assert_problem(old, 401, "token_invalid")
    assert new.status_code == 200
