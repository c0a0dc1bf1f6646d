"""`FIRST_ADMIN_EMAIL`/`FIRST_ADMIN_PASSWORD` create the first admin at start, once."""

from __future__ import annotations

import pytest
from taskmanager.main import create_app

from tests.conftest import PASSWORD, http_client, log_in, make_settings

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_the_first_admin_is_created_at_start_and_only_once(database_url: str) -> None:
    settings = make_settings(
        database_url, first_admin_email="Root@Example.com", first_admin_password=PASSWORD
    )

    for _ in range(2):  # a restart finds the admin and leaves it alone
        app = create_app(settings)
        async with app.router.lifespan_context(app), http_client(app) as client:
            tokens = await log_in(client, "root@example.com", PASSWORD)
            headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
            users = (await client.get("/api/v1/users", headers=headers)).json()["items"]

        assert tokens.status_code == 200
        assert [(user["email"], user["role"]) for user in users] == [("root@example.com", "admin")]


async def test_without_both_settings_no_admin_is_created(database_url: str) -> None:
    app = create_app(make_settings(database_url, first_admin_email="root@example.com"))
    async with app.router.lifespan_context(app), http_client(app) as client:
        response = await log_in(client, "root@example.com", PASSWORD)

    assert response.status_code == 401
