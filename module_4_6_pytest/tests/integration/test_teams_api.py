"""4.6.2: teams and members over HTTP, on a real PostgreSQL database private to each test."""

from __future__ import annotations

import httpx
import pytest

from module_4_6_pytest.tests.integration.conftest import TeamFactory, problem

pytestmark = pytest.mark.integration


async def test_health_answers_ok(client: httpx.AsyncClient) -> None:
    # region 4.6.2 core: health answers ok
    response = await client.get("/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    # endregion 4.6.2


async def test_a_new_team_reads_back_with_its_members(
    client: httpx.AsyncClient, make_team: TeamFactory
) -> None:
    # region 4.6.2 core: a new team reads back with its members
    team = await make_team(members=["Ada", "Grace"])

    response = await client.get(f"/teams/{team.id}")

    assert response.status_code == 200
    assert response.json() == {
        "id": team.id,
        "name": "team-1",
        "country": "DE",
        "members": [
            {"id": team.member_ids[0], "name": "Ada", "open_tasks": 0},
            {"id": team.member_ids[1], "name": "Grace", "open_tasks": 0},
        ],
    }
    # endregion 4.6.2


# Run twice on purpose: each run starts from an empty database, whatever the other left behind.
@pytest.mark.parametrize("run", ["first", "second"])
async def test_every_test_starts_with_empty_tables(client: httpx.AsyncClient, run: str) -> None:
    # region 4.6.2 core: every test starts with empty tables
    response = await client.post("/teams", json={"name": "Platform", "country": "DE"})

    assert response.status_code == 201, run
    assert response.json()["id"] == 1
    # endregion 4.6.2


async def test_a_team_name_is_taken_only_once(client: httpx.AsyncClient) -> None:
    # region 4.6.2 core: a team name is taken only once
    first = await client.post("/teams", json={"name": "Platform", "country": "DE"})
    second = await client.post("/teams", json={"name": "Platform", "country": "FR"})

    assert first.status_code == 201
    assert problem(second, 409, "name_taken")["detail"] == "a team named 'Platform' already exists"
    # endregion 4.6.2


async def test_member_names_are_unique_within_a_team_only(
    client: httpx.AsyncClient, make_team: TeamFactory
) -> None:
    # region 4.6.2 core: member names are unique within a team only
    platform, data = await make_team(members=["Ada"]), await make_team(members=[])

    again = await client.post(f"/teams/{platform.id}/members", json={"name": "Ada"})
    elsewhere = await client.post(f"/teams/{data.id}/members", json={"name": "Ada"})

    assert "already has a member named 'Ada'" in problem(again, 409, "name_taken")["detail"]
    assert elsewhere.status_code == 201
    # endregion 4.6.2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/teams/999", None, id="read-team"),
        pytest.param("POST", "/teams/999/members", {"name": "Ada"}, id="add-member"),
        pytest.param("POST", "/teams/999/tasks", {"title": "x", "business_days": 1}, id="add-task"),
        pytest.param("GET", "/teams/999/tasks", None, id="list-tasks"),
        pytest.param("GET", "/tasks/999", None, id="read-task"),
        pytest.param("POST", "/tasks/999/complete", None, id="complete-task"),
    ],
)
async def test_unknown_ids_are_404(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, object] | None
) -> None:
    # region 4.6.2 core: unknown ids are 404
    response = await client.request(method, path, json=body)

    assert problem(response, 404, "not_found")["detail"].endswith("999 not found")
    # endregion 4.6.2


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param(
            "/teams", {"name": "Ops", "country": "de"}, "country", id="lower-case-country"
        ),
        pytest.param("/teams", {"name": "Ops", "country": "DEU"}, "country", id="alpha-3-country"),
        pytest.param("/teams", {"name": "  ", "country": "DE"}, "name", id="blank-name"),
        pytest.param("/teams", {"name": "O\x00ps", "country": "DE"}, "name", id="nul-in-name"),
        pytest.param("/teams", {"name": "Ops", "country": "DE", "x": 1}, "x", id="unknown-field"),
        pytest.param("/teams/2147483648", None, "team_id", id="id-beyond-int32"),
    ],
)
async def test_invalid_requests_are_422_and_name_the_field(
    client: httpx.AsyncClient, path: str, body: dict[str, object] | None, field: str
) -> None:
    # region 4.6.2 core: invalid requests are 422 and name the field
    response = await client.post(path, json=body) if body else await client.get(path)

    errors = problem(response, 422, "validation_error")["errors"]
    assert [error["loc"][-1] for error in errors] == [field]
    # endregion 4.6.2


async def test_nan_in_a_body_is_422_and_not_echoed(client: httpx.AsyncClient) -> None:
    # region 4.6.2 extra: nan in a body is 422 and not echoed
    # FastAPI's default handler would echo NaN back, fail to encode it, and answer 500.
    response = await client.post(
        "/teams/1/tasks",
        content=b'{"title": "t", "business_days": NaN}',
        headers={"content-type": "application/json"},
    )

    assert "input" not in problem(response, 422, "validation_error")["errors"][0]
    # endregion 4.6.2


async def test_an_unknown_path_is_a_problem_too(client: httpx.AsyncClient) -> None:
    # region 4.6.2 extra: an unknown path is a problem too
    response = await client.get("/no-such-page")

    assert problem(response, 404, "not_found")["detail"] == "Not Found"
    # endregion 4.6.2
