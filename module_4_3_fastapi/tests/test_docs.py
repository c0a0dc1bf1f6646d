"""4.3.1: Swagger UI and ReDoc work offline, and the schema documents every operation."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.task("4.3.1", level="extra")

CDN_HOSTS = ("cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com", "fastapi.tiangolo.com")


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"]),
        ("/redoc", ["redoc.standalone.js", "favicon-32x32.png"]),
    ],
)
async def test_docs_pages_load_their_assets_from_this_server(
    client: httpx.AsyncClient, page: str, assets: list[str]
) -> None:
    response = await client.get(page)

    assert response.status_code == 200
    assert not any(host in response.text for host in CDN_HOSTS)
    for asset in assets:
        url = f"/static/docs/{asset}"
        assert url in response.text
        served = await client.get(url)
        assert served.status_code == 200
        assert len(served.content) > 500


async def test_every_operation_has_a_summary_and_documents_its_errors(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()

    operations = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) == 15
    for method, path, operation in operations:
        assert operation.get("summary"), (method, path)
        assert operation.get("tags"), (method, path)
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                content = response["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
                assert content["example"]["status"] == int(status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "title",
        "status",
        "detail",
        "code",
    ]


async def test_the_schema_describes_the_streaming_upload_and_bearer_auth(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()

    upload = schema["paths"]["/files"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["files"]["items"]["format"] == "binary"
    assert set(upload["responses"]) >= {"201", "400", "413", "415", "422"}
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert {"401", "403"} <= set(schema["paths"]["/notes"]["post"]["responses"])
    assert schema["paths"]["/notes"]["post"]["security"] == [{"HTTPBearer": []}]
