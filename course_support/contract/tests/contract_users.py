"""Users: the caller's own account, and the admin routes (contract: "Users")."""

from __future__ import annotations

import pytest

from course_support.contract.tests.plugin import API, Account, Api, assert_problem

CORE = pytest.mark.task("4.8.2", level="core")
EXTRA = pytest.mark.task("4.8.2", level="extra")


@CORE
def test_users_me_is_the_logged_in_user(api: Api, user: Account) -> None:
    response = api.http.get(f"{API}/users/me", headers=user.headers)

    assert response.status_code == 200, response.text
    assert response.json()["id"] == user.user["id"]
    assert response.json()["email"] == user.email


@CORE
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz"],
    ids=["none", "bad", "basic"],
)
def test_users_me_without_a_valid_token_is_401_with_www_authenticate(
    api: Api, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = api.http.get(f"{API}/users/me", headers=headers)

    assert_problem(response, 401)
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer")


@CORE
def test_patch_users_me_changes_the_full_name(api: Api, user: Account) -> None:
    response = api.http.patch(
        f"{API}/users/me", json={"full_name": "Ada Lovelace"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["full_name"] == "Ada Lovelace"
    assert api.http.get(f"{API}/users/me", headers=user.headers).json()["full_name"] == (
        "Ada Lovelace"
    )


@EXTRA
@pytest.mark.parametrize("field", ["role", "is_active", "email", "id"])
def test_patch_users_me_refuses_privileged_fields(api: Api, user: Account, field: str) -> None:
    value = {"role": "admin", "is_active": False, "email": "x@example.com", "id": "1"}[field]

    response = api.http.patch(f"{API}/users/me", json={field: value}, headers=user.headers)

    assert_problem(response, 422)
    assert api.http.get(f"{API}/users/me", headers=user.headers).json()["role"] == "user"


@EXTRA
def test_changing_the_password_revokes_every_session(api: Api, user: Account) -> None:
    new_password = "Another-Horse-7"

    response = api.http.post(
        f"{API}/users/me/password",
        json={"current_password": user.password, "new_password": new_password},
        headers=user.headers,
    )

    assert response.status_code == 204, response.text
    assert_problem(api.http.get(f"{API}/users/me", headers=user.headers), 401)
    assert api.login(user.email, new_password).status_code == 200


@EXTRA
def test_a_wrong_current_password_is_401(api: Api, user: Account) -> None:
    response = api.http.post(
        f"{API}/users/me/password",
        json={"current_password": "Wrong-Password-1", "new_password": "Another-Horse-7"},
        headers=user.headers,
    )

    assert_problem(response, 401)


@EXTRA
def test_deleting_my_account_removes_it(api: Api, user: Account) -> None:
    response = api.http.delete(f"{API}/users/me", headers=user.headers)

    assert response.status_code == 204, response.text
    assert_problem(api.login(user.email, user.password), 401, "invalid_credentials")


@EXTRA
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/users"),
        ("GET", "/users/{id}"),
        ("PATCH", "/users/{id}"),
        ("DELETE", "/users/{id}"),
    ],
)
def test_admin_routes_are_403_for_a_user(
    api: Api, user: Account, other_user: Account, method: str, path: str
) -> None:
    url = API + path.format(id=other_user.user["id"])
    body = {"full_name": "Hijacked"} if method == "PATCH" else None

    response = api.http.request(method, url, json=body, headers=user.headers)

    assert_problem(response, 403, "forbidden")


@EXTRA
def test_an_admin_lists_reads_and_deactivates_users(api: Api, user: Account) -> None:
    admin = api.admin()

    listed = api.http.get(f"{API}/users", params={"q": user.email}, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [user.user["id"]]
    read = api.http.get(f"{API}/users/{user.user['id']}", headers=admin.headers)
    assert read.json()["email"] == user.email
    patched = api.http.patch(
        f"{API}/users/{user.user['id']}", json={"is_active": False}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["is_active"] is False

    assert_problem(api.http.get(f"{API}/users/me", headers=user.headers), 401)
    assert_problem(api.login(user.email, user.password), 401, "invalid_credentials")
