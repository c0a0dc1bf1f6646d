"""Comments on a task (contract: "Comments")."""

from __future__ import annotations

import pytest

from course_support.contract.tests.plugin import API, Account, Api, assert_problem

EXTRA = pytest.mark.task("4.8.2", level="extra")


@EXTRA
def test_comments_are_created_listed_oldest_first_and_deleted(api: Api, user: Account) -> None:
    task = api.create_task(user)
    url = f"{API}/tasks/{task['id']}/comments"

    first = api.http.post(url, json={"body": "First"}, headers=user.headers)
    second = api.http.post(url, json={"body": "Second"}, headers=user.headers)

    assert first.status_code == 201, first.text
    assert {"id", "task_id", "author_id", "body", "created_at"} <= first.json().keys()
    listed = api.http.get(url, headers=user.headers).json()
    assert [comment["body"] for comment in listed["items"]] == ["First", "Second"]
    deleted = api.http.delete(f"{url}/{first.json()['id']}", headers=user.headers)
    assert deleted.status_code == 204
    remaining = api.http.get(url, headers=user.headers).json()["items"]
    assert [comment["id"] for comment in remaining] == [second.json()["id"]]


@EXTRA
def test_comments_on_another_users_task_are_404(
    api: Api, user: Account, other_user: Account
) -> None:
    task = api.create_task(user)
    url = f"{API}/tasks/{task['id']}/comments"

    assert_problem(api.http.post(url, json={"body": "Hi"}, headers=other_user.headers), 404)
    assert_problem(api.http.get(url, headers=other_user.headers), 404)


@EXTRA
@pytest.mark.parametrize("body", ["", "x" * 5001])
def test_an_invalid_comment_is_422(api: Api, user: Account, body: str) -> None:
    task = api.create_task(user)

    response = api.http.post(
        f"{API}/tasks/{task['id']}/comments", json={"body": body}, headers=user.headers
    )

    assert_problem(response, 422)
