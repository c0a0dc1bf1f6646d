"""What a generic HTTP client (and schemathesis, `nox -s fuzz`) expects: 405 with the resource's
whole `Allow`, and one documented status (422) for every malformed body."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ApiUser

pytestmark = pytest.mark.task("4.8.1", level="core")


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
