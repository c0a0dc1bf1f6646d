"""4.6.2: end to end over real sockets: the service as its own process under uvicorn, talking
to PostgreSQL and to a fake Nager.Date served by uvicorn inside the test.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from course_support.pytest_postgres import PostgresDatabase
from module_4_6_pytest.tests.integration.servers import FakeNagerServer, service_process
from module_4_6_pytest.tests.nager import FakeNager

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    # The test stops the service with SIGTERM and expects a graceful shutdown; on Windows
    # terminate() kills the process outright.
    pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals"),
]


@pytest.fixture
def fake_nager(nager: FakeNager) -> FakeNagerServer:
    return FakeNagerServer(nager)


@pytest.fixture
async def service_url(
    database: PostgresDatabase, fake_nager: FakeNagerServer, tmp_path: Path
) -> AsyncIterator[str]:
    """The service's base URL; the service and the fake API stop after the test."""
    async with fake_nager.running() as holidays_url:
        environment = {
            "DEADLINES_DATABASE_URL": database.url,
            "DEADLINES_HOLIDAYS_API_URL": holidays_url,
            "DEADLINES_HOLIDAYS_TIMEOUT_SECONDS": "0.5",
            "DEADLINES_HOLIDAYS_ATTEMPTS": "1",
        }
        async with service_process(environment, tmp_path / "service.log") as url:
            yield url


async def test_the_service_runs_under_uvicorn_and_survives_a_hanging_holidays_api(
    service_url: str, fake_nager: FakeNagerServer
) -> None:
    # region 4.6.2 extra: the service runs under uvicorn and survives a hanging holidays api
    async with httpx.AsyncClient(base_url=service_url, timeout=10.0) as client:
        health = await client.get("/health")
        team = (await client.post("/teams", json={"name": "Platform", "country": "DE"})).json()
        await client.post(f"/teams/{team['id']}/members", json={"name": "Ada"})

        easter = await client.post(
            f"/teams/{team['id']}/tasks",
            json={"title": "Before Easter", "business_days": 1, "start_date": "2026-04-02"},
        )
        fake_nager.hang()  # from now on the holidays API accepts connections and never answers
        good_friday_2027 = await client.post(
            f"/teams/{team['id']}/tasks",
            json={"title": "Before Easter 2027", "business_days": 1, "start_date": "2027-03-25"},
        )
        stored = await client.get(f"/tasks/{good_friday_2027.json()['id']}")

    assert health.json() == {"status": "ok"}
    assert easter.status_code == 201
    assert (easter.json()["due_date"], easter.json()["calendar_source"]) == (
        "2026-04-07",
        "public-holidays",
    )
    assert good_friday_2027.status_code == 201
    assert stored.json()["due_date"] == "2027-03-26"
    assert stored.json()["calendar_source"] == "weekends-only"
    assert "timed out" in stored.json()["calendar_warning"]
    # endregion 4.6.2
