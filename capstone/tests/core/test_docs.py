"""Swagger UI and ReDoc work offline, and the schema documents every operation."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PASSWORD, ApiUser

pytestmark = pytest.mark.task("4.8.3", level="core")


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", ["/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css"]),
        ("/redoc", ["/static/redoc/redoc.standalone.js"]),
    ],
)
async def test_docs_pages_load_their_assets_from_this_server(
    client: httpx.AsyncClient, page: str, assets: list[str]
) -> None:
    html = await client.get(page)

    assert html.status_code == 200
    assert "/openapi.json" in html.text
    assert "cdn" not in html.text.lower()
    assert "fonts.googleapis" not in html.text
    for asset in assets:
        assert asset in html.text
        served = await client.get(asset)
        assert served.status_code == 200
        assert len(served.content) > 100_000


async def test_docs_pages_may_run_their_scripts(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")

    assert "script-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]


async def test_every_operation_has_a_summary_and_documented_errors(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()

    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 12
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        errors = [status for status in operation["responses"] if status.startswith(("4", "5"))]
        assert errors or not path.startswith("/api/"), where
        for status in errors:
            content = operation["responses"][status]["content"]
            assert "example" in content["application/problem+json"], (where, status)


async def test_the_authorize_button_flow_works_end_to_end(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    schema = (await client.get("/openapi.json")).json()
    (scheme,) = schema["components"]["securitySchemes"].values()
    token_url = scheme["flows"]["password"]["tokenUrl"]
    me = schema["paths"]["/api/v1/users/me"]["get"]
    assert me["security"]

    # What Swagger UI sends when one fills in the Authorize dialog.
    token = await client.post(
        token_url,
        data={"grant_type": "password", "username": user.email, "password": PASSWORD},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )

    assert token.status_code == 200
    assert response.status_code == 200
    assert response.json()["email"] == user.email


async def test_the_schema_has_examples_for_request_bodies(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    schemas = schema["components"]["schemas"]
    for name in [
        "Registration",
        "TokenPair",
        "RefreshRequest",
        "UserRead",
        "ProfileUpdate",
        "PasswordChange",
        "AdminUserUpdate",
    ]:
        assert schemas[name]["examples"], name


async def test_the_docs_list_the_groups_in_reading_order(client: httpx.AsyncClient) -> None:
    # Routes are matched busiest first; the docs keep the order a reader needs.
    schema = (await client.get("/openapi.json")).json()

    assert [tag["name"] for tag in schema["tags"]] == [
        "auth",
        "users",
        "tasks",
        "comments",
        "operations",
    ]
    assert all(tag["description"] for tag in schema["tags"])
