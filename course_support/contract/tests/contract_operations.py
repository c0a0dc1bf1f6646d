"""Docs, health probes, metrics and cross-cutting rules (contract: "Conventions", "Operations")."""

from __future__ import annotations

import pytest

from course_support.contract.tests.plugin import API, Account, Api, assert_problem

CORE = pytest.mark.task("4.8.2", level="core")
EXTRA = pytest.mark.task("4.8.2", level="extra")


@CORE
def test_swagger_ui_is_served_at_docs(api: Api) -> None:
    response = api.http.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger" in response.text.lower()


@CORE
def test_openapi_json_describes_the_api(api: Api) -> None:
    response = api.http.get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/auth/register", "/auth/login", "/users/me", "/tasks", "/tasks/{id}"):
        assert any(
            documented.replace("{task_id}", "{id}") == API + path for documented in schema["paths"]
        ), path


@CORE
def test_health_probes_answer_ok(api: Api) -> None:
    live = api.http.get("/health/live")
    ready = api.http.get("/health/ready")

    assert live.status_code == 200
    assert live.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    assert ready.json()["database"] == "ok"


@EXTRA
def test_redoc_is_served(api: Api) -> None:
    response = api.http.get("/redoc")

    assert response.status_code == 200
    assert "redoc" in response.text.lower()


@EXTRA
def test_metrics_are_prometheus_text(api: Api) -> None:
    api.http.get("/health/live")

    response = api.http.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE" in response.text


@EXTRA
def test_every_response_carries_an_x_request_id_and_echoes_a_good_one(
    api: Api, user: Account
) -> None:
    generated = api.http.get(f"{API}/users/me", headers=user.headers)
    echoed = api.http.get("/health/live", headers={"X-Request-ID": "contract-check-42"})
    failed = api.http.get(f"{API}/users/me")

    assert generated.headers.get("x-request-id")
    assert failed.headers.get("x-request-id")
    assert echoed.headers.get("x-request-id") == "contract-check-42"


@EXTRA
def test_a_body_over_the_limit_is_413(api: Api, user: Account) -> None:
    body = b'{"title": "' + b"x" * 2_000_000 + b'"}'

    response = api.http.post(
        f"{API}/tasks",
        content=body,
        headers={**user.headers, "Content-Type": "application/json"},
    )

    assert_problem(response, 413, "payload_too_large")


@EXTRA
def test_nan_in_a_body_is_422_not_500(api: Api) -> None:
    response = api.http.post(
        f"{API}/auth/register",
        content=b'{"email": "nan@example.com", "password": NaN}',
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 422)
