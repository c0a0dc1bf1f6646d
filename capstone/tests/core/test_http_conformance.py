"""What a generic HTTP client (and schemathesis, `nox -s fuzz`) expects: 405 with the resource's
whole `Allow`, and one documented status (422) for every malformed body."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ApiUser

pytestmark = pytest.mark.task("4.8.2", level="core")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/v1/tasks", "GET, HEAD, POST"),
        ("PUT", "/api/v1/tasks", "GET, HEAD, POST"),
        ("OPTIONS", "/api/v1/users/me", "DELETE, GET, HEAD, PATCH"),
        ("FROB", "/api/v1/users/me", "DELETE, GET, HEAD, PATCH"),
        ("POST", "/api/v1/tasks/00000000-0000-0000-0000-000000000000", "DELETE, GET, HEAD, PATCH"),
        ("PATCH", "/api/v1/tasks/stats", "GET, HEAD"),
        ("DELETE", "/api/v1/tasks/stats", "GET, HEAD"),
    ],
)
async def test_a_method_the_resource_does_not_answer_is_405_with_all_its_methods(
    client: httpx.AsyncClient, user: ApiUser, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path, headers=user.headers)

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b"{not json", b'{"title": "x"'])
async def test_a_malformed_json_body_is_a_422_wherever_it_is_sent(
    client: httpx.AsyncClient, user: ApiUser, body: bytes
) -> None:
    headers = {**user.headers, "Content-Type": "application/json"}

    responses = [
        await client.post("/api/v1/tasks", content=body, headers=headers),
        await client.patch("/api/v1/users/me", content=body, headers=headers),
        await client.post("/api/v1/auth/register", content=body, headers=headers),
    ]

    assert [response.status_code for response in responses] == [422, 422, 422]
    assert {response.json()["code"] for response in responses} == {"validation_error"}
    assert all(response.json()["errors"][0]["loc"][0] == "body" for response in responses)


async def test_every_operation_with_a_body_documents_the_422(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    undocumented = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and "422" not in operation["responses"]
    ]

    assert undocumented == []


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-3"])
async def test_a_number_is_not_a_timestamp(
    client: httpx.AsyncClient, user: ApiUser, value: str
) -> None:
    listed = await client.get("/api/v1/tasks", params={"due_before": value}, headers=user.headers)
    created = await client.post(
        "/api/v1/tasks", json={"title": "x", "due_at": float(value)}, headers=user.headers
    )

    assert listed.status_code == 422
    assert created.status_code == 422


async def test_fields_that_refuse_null_do_not_offer_it_in_the_schema(
    client: httpx.AsyncClient,
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]

    def offers_null(model: str, field: str) -> bool:
        schema = schemas[model]["properties"][field]
        return "null" in str(schema.get("anyOf", "")) or schema.get("default", 0) is None

    assert not any(
        offers_null("TaskUpdate", field) for field in ("title", "status", "priority", "tags")
    )
    assert not any(offers_null("AdminUserUpdate", field) for field in ("role", "is_active"))
    assert offers_null("TaskUpdate", "due_at")  # may be cleared with null
