"""/health/live, /health/ready, /metrics, and the structured request log."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from taskmanager.core.logging import REQUEST_LOGGER, JsonFormatter, configure_logging

from tests.conftest import PASSWORD, ApiUser, log_in

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_liveness_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_metrics_count_requests_by_route_template_and_status(
    client: httpx.AsyncClient, user: ApiUser
) -> None:
    await client.get("/api/v1/users/me", headers=user.headers)
    await client.get("/api/v1/users/me", headers=user.headers)
    await client.get("/api/v1/users/me")
    await client.get(f"/api/v1/users/{user.id}", headers=user.headers)
    await client.get("/no/such/path/12345")
    await client.request("BREW", "/api/v1/users/me")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'http_requests_total{method="GET",route="/api/v1/users/me",status="200"} 2.0' in text
    assert 'http_requests_total{method="GET",route="/api/v1/users/me",status="401"} 1.0' in text
    assert 'route="/api/v1/users/{id}",status="403"' in text
    assert 'route="unmatched",status="404"' in text
    assert "/no/such/path" not in text
    assert 'method="OTHER",route="/api/v1/users/me",status="405"' in text
    assert "BREW" not in text
    assert (
        'http_request_duration_seconds_bucket{le="0.25",method="GET",'
        'route="/api/v1/users/me",status="200"}' in text
    )
    assert "http_requests_in_progress" in text


async def test_metrics_show_the_database_pool(client: httpx.AsyncClient, user: ApiUser) -> None:
    await client.get("/api/v1/users/me", headers=user.headers)

    text = (await client.get("/metrics")).text

    assert "db_pool_size 32.0" in text
    assert "db_pool_checked_out 0.0" in text
    assert "db_pool_checked_in" in text
    assert "db_pool_overflow" in text


async def test_each_request_logs_one_structured_line_without_secrets(
    client: httpx.AsyncClient, user: ApiUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    login = await log_in(client, user.email, PASSWORD)
    me = await client.get(
        "/api/v1/users/me", headers={**user.headers, "X-Request-ID": "log-test-1"}
    )

    request_lines = [
        json.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == REQUEST_LOGGER
    ]
    assert len(request_lines) == 2
    login_line, me_line = request_lines
    assert me_line["request_id"] == "log-test-1" == me.headers["x-request-id"]
    assert me_line["route"] == "/api/v1/users/me"
    assert me_line["method"] == "GET"
    assert me_line["status"] == 200
    assert me_line["user_id"] == user.id
    assert isinstance(me_line["duration_ms"], float)
    assert login_line["route"] == "/api/v1/auth/login"
    assert login_line["user_id"] == user.id
    everything = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    for secret in (PASSWORD, user.access_token, login.json()["refresh_token"]):
        assert secret not in everything


async def test_failed_requests_are_logged_with_their_status(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    await client.get("/api/v1/users/me")

    (line,) = [record for record in caplog.records if record.name == REQUEST_LOGGER]
    assert line.status == 401  # type: ignore[attr-defined]
    assert line.user_id is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(("level", "request_lines_logged"), [("INFO", True), ("WARNING", False)])
def test_the_log_level_comes_from_settings(level: str, request_lines_logged: bool) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging(level)
        enabled = logging.getLogger(REQUEST_LOGGER).isEnabledFor(logging.INFO)
        (handler,) = root.handlers
    finally:
        root.handlers, root.level = saved_handlers, saved_level

    assert enabled is request_lines_logged
    assert isinstance(handler.formatter, JsonFormatter)
