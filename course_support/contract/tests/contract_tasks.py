"""Tasks: CRUD, ownership, validation and paging (contract: "Tasks")."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from course_support.contract.tests.plugin import API, Account, Api, assert_problem

CORE = pytest.mark.task("4.8.2", level="core")
EXTRA = pytest.mark.task("4.8.2", level="extra")
TASK_FIELDS = {
    "id", "title", "description", "status", "priority", "due_at", "tags",
    "owner_id", "created_at", "updated_at", "completed_at", "version",
}  # fmt: skip


def list_all(api: Api, account: Account, **params: Any) -> list[dict[str, Any]]:
    """Every task of a list, page after page."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.http.get(f"{API}/tasks", params=query, headers=account.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


@CORE
def test_create_is_201_with_defaults_and_location(api: Api, user: Account) -> None:
    response = api.http.post(
        f"{API}/tasks", json={"title": "  Write the report "}, headers=user.headers
    )

    assert response.status_code == 201, response.text
    task = response.json()
    assert task.keys() >= TASK_FIELDS
    assert task["title"] == "Write the report"
    assert task["description"] is None
    assert (task["status"], task["priority"], task["tags"]) == ("todo", "medium", [])
    assert task["owner_id"] == user.user["id"]
    assert task["version"] == 1
    assert task["completed_at"] is None
    assert response.headers["location"].endswith(f"/tasks/{task['id']}")


@CORE
def test_a_created_task_can_be_read_listed_patched_and_deleted(api: Api, user: Account) -> None:
    task = api.create_task(user, title="Pay rent", priority="high", tags=["Home"])
    url = f"{API}/tasks/{task['id']}"

    read = api.http.get(url, headers=user.headers)
    assert read.status_code == 200
    assert read.json()["tags"] == ["home"]
    assert [item["id"] for item in list_all(api, user)] == [task["id"]]

    patched = api.http.patch(url, json={"title": "Pay the rent"}, headers=user.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "Pay the rent"
    assert patched.json()["priority"] == "high"
    assert patched.json()["version"] == 2

    deleted = api.http.delete(url, headers=user.headers)
    assert deleted.status_code == 204
    assert_problem(api.http.get(url, headers=user.headers), 404, "not_found")


@CORE
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_users_task_is_404_like_a_missing_one(
    api: Api, user: Account, other_user: Account, method: str
) -> None:
    task = api.create_task(user, title="Private")
    body = {"title": "Stolen"} if method == "PATCH" else None

    foreign = api.http.request(
        method, f"{API}/tasks/{task['id']}", json=body, headers=other_user.headers
    )
    missing = api.http.request(
        method, f"{API}/tasks/{uuid.uuid4()}", json=body, headers=other_user.headers
    )

    assert_problem(foreign, 404, "not_found")
    assert_problem(missing, 404, "not_found")
    still = api.http.get(f"{API}/tasks/{task['id']}", headers=user.headers)
    assert still.status_code == 200
    assert still.json()["title"] == "Private"


@CORE
def test_the_list_shows_only_the_callers_tasks(
    api: Api, user: Account, other_user: Account
) -> None:
    mine = api.create_task(user, title="Mine")
    api.create_task(other_user, title="Theirs")

    assert [item["id"] for item in list_all(api, user)] == [mine["id"]]


@CORE
@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 201},
        {},
        {"title": "Ok", "status": "finished"},
        {"title": "Ok", "priority": "whenever"},
        {"title": "Ok", "unknown_field": 1},
        {"title": "Ok", "owner_id": str(uuid.uuid4())},
    ],
    ids=["empty", "long", "no-title", "status", "priority", "unknown-field", "owner-id"],
)
def test_an_invalid_task_is_422_problem_json(api: Api, user: Account, body: dict[str, Any]) -> None:
    response = api.http.post(f"{API}/tasks", json=body, headers=user.headers)

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"]


@CORE
def test_a_malformed_task_id_is_422(api: Api, user: Account) -> None:
    response = api.http.get(f"{API}/tasks/not-a-uuid", headers=user.headers)

    assert_problem(response, 422)


@CORE
@pytest.mark.parametrize(("method", "path"), [("GET", ""), ("POST", ""), ("GET", "/{id}")])
def test_tasks_need_a_token(api: Api, method: str, path: str) -> None:
    url = f"{API}/tasks" + path.format(id=uuid.uuid4())

    response = api.http.request(method, url, json={"title": "x"} if method == "POST" else None)

    assert_problem(response, 401)
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer")


@CORE
def test_the_list_is_paged_with_limit_and_next_cursor(api: Api, user: Account) -> None:
    created = [api.create_task(user, title=f"Task {n}")["id"] for n in range(5)]

    first = api.http.get(f"{API}/tasks", params={"limit": 2}, headers=user.headers).json()

    assert set(first) >= {"items", "next_cursor"}
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    everything = list_all(api, user, limit=2)
    assert sorted(item["id"] for item in everything) == sorted(created)
    # The default order is the newest first.
    assert [item["id"] for item in everything] == created[::-1]


@CORE
@pytest.mark.parametrize("limit", [0, 101, "many"])
def test_a_limit_out_of_range_is_422(api: Api, user: Account, limit: int | str) -> None:
    response = api.http.get(f"{API}/tasks", params={"limit": limit}, headers=user.headers)

    assert_problem(response, 422)


@EXTRA
def test_create_and_read_send_an_etag_and_a_stale_if_match_is_412(api: Api, user: Account) -> None:
    created = api.http.post(f"{API}/tasks", json={"title": "Versioned"}, headers=user.headers)
    url = f"{API}/tasks/{created.json()['id']}"
    etag = created.headers["etag"]
    assert api.http.get(url, headers=user.headers).headers["etag"] == etag

    fresh = api.http.patch(
        url, json={"status": "in_progress"}, headers={**user.headers, "If-Match": etag}
    )
    stale = api.http.patch(url, json={"title": "Late"}, headers={**user.headers, "If-Match": etag})

    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["etag"] != etag
    assert_problem(stale, 412, "precondition_failed")
    assert api.http.get(url, headers=user.headers).json()["title"] == "Versioned"


@EXTRA
def test_done_sets_completed_at_and_leaving_done_clears_it(api: Api, user: Account) -> None:
    task = api.create_task(user, status="done")
    assert task["completed_at"] is not None
    url = f"{API}/tasks/{task['id']}"

    reopened = api.http.patch(url, json={"status": "todo"}, headers=user.headers).json()

    assert reopened["completed_at"] is None


@EXTRA
def test_text_with_a_nul_character_is_422(api: Api, user: Account) -> None:
    response = api.http.post(f"{API}/tasks", json={"title": "a\u0000b"}, headers=user.headers)

    assert_problem(response, 422)


@EXTRA
def test_filters_by_status_priority_tag_and_text(api: Api, user: Account) -> None:
    report = api.create_task(user, title="Quarterly report", priority="high", tags=["work"])
    rent = api.create_task(user, title="Pay rent", status="done", tags=["home"])
    literal = api.create_task(user, title="100% done", description="under_score")

    def ids(**params: Any) -> set[str]:
        return {item["id"] for item in list_all(api, user, **params)}

    assert ids(status="done") == {rent["id"]}
    assert ids(priority=["high", "low"]) == {report["id"]}
    assert ids(tag="home") == {rent["id"]}
    assert ids(tag=["home", "work"]) == {rent["id"], report["id"]}
    assert ids(q="QUARTERLY") == {report["id"]}
    assert ids(q="%") == {literal["id"]}
    assert ids(q="_") == {literal["id"]}


@EXTRA
def test_due_filters_and_overdue(api: Api, user: Account) -> None:
    past = api.create_task(user, title="Past", due_at="2001-01-01T00:00:00Z")
    api.create_task(user, title="Past but done", due_at="2001-01-01T00:00:00Z", status="done")
    future = api.create_task(user, title="Future", due_at="2999-01-01T00:00:00+02:00")
    api.create_task(user, title="Undated")

    def ids(**params: Any) -> set[str]:
        return {item["id"] for item in list_all(api, user, **params)}

    assert ids(overdue="true") == {past["id"]}
    assert ids(due_after="2500-01-01T00:00:00Z") == {future["id"]}
    assert past["id"] in ids(due_before="2002-01-01T00:00:00Z")
    assert future["id"] not in ids(due_before="2002-01-01T00:00:00Z")


@EXTRA
def test_sort_by_priority_rank_and_by_due_date_with_undated_last(api: Api, user: Account) -> None:
    for priority in ["high", "low", "urgent", "medium"]:
        api.create_task(user, title=priority, priority=priority)
    api.create_task(user, title="due-late", due_at="2030-01-01T00:00:00Z")
    api.create_task(user, title="due-soon", due_at="2029-01-01T00:00:00Z")

    by_rank = [item["priority"] for item in list_all(api, user, sort="priority", limit=3)]
    ascending = [item["title"] for item in list_all(api, user, sort="due_at", limit=2)]
    descending = [item["title"] for item in list_all(api, user, sort="-due_at", limit=2)]

    rank = ["low", "medium", "high", "urgent"]
    assert by_rank == sorted(by_rank, key=rank.index)
    assert ascending[:2] == ["due-soon", "due-late"]
    assert descending[:2] == ["due-late", "due-soon"]
    assert len(ascending) == len(descending) == 6


@EXTRA
@pytest.mark.parametrize("params", [{"sort": "colour"}, {"cursor": "not-a-cursor"}])
def test_an_unknown_sort_key_or_a_bad_cursor_is_422(
    api: Api, user: Account, params: dict[str, str]
) -> None:
    response = api.http.get(f"{API}/tasks", params=params, headers=user.headers)

    assert_problem(response, 422)


@EXTRA
def test_stats_count_the_callers_tasks(api: Api, user: Account, other_user: Account) -> None:
    api.create_task(user, priority="urgent")
    api.create_task(user, status="done")
    api.create_task(user, due_at="2001-01-01T00:00:00Z")
    api.create_task(other_user)

    response = api.http.get(f"{API}/tasks/stats", headers=user.headers)

    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["total"] == 3
    assert stats["by_status"] == {"todo": 2, "in_progress": 0, "done": 1}
    assert stats["by_priority"] == {"low": 0, "medium": 2, "high": 0, "urgent": 1}
    assert stats["overdue"] == 1
