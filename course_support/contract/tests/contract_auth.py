"""Auth: register, login, refresh, logout (contract: "Auth")."""

from __future__ import annotations

import pytest

from course_support.contract.tests.plugin import API, PASSWORD, Account, Api, assert_problem

CORE = pytest.mark.task("4.8.2", level="core")
EXTRA = pytest.mark.task("4.8.2", level="extra")
USER_FIELDS = {"id", "email", "full_name", "role", "is_active", "created_at"}


@CORE
def test_register_is_201_with_the_user_and_its_location(api: Api) -> None:
    email = "Learner-" + api.register().email  # a fresh address with upper-case letters

    response = api.http.post(
        f"{API}/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Ada"}
    )

    assert response.status_code == 201, response.text
    user = response.json()
    assert user.keys() >= USER_FIELDS
    assert user["email"] == email.lower()
    assert user["full_name"] == "Ada"
    assert user["role"] == "user"
    assert user["is_active"] is True
    assert "password" not in response.text.lower().replace("_", "")
    assert response.headers["location"].endswith(user["id"])


@CORE
def test_registering_an_email_twice_is_409_email_taken_whatever_its_case(api: Api) -> None:
    account = api.register()

    response = api.http.post(
        f"{API}/auth/register", json={"email": account.email.upper(), "password": PASSWORD}
    )

    assert_problem(response, 409, "email_taken")


@CORE
@pytest.mark.parametrize(
    "password", ["short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "Ab1" + "x" * 70]
)
def test_a_weak_password_is_422_and_never_echoed(api: Api, password: str) -> None:
    email = "weak-" + api.register().email

    response = api.http.post(f"{API}/auth/register", json={"email": email, "password": password})

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"], problem
    assert all({"loc", "msg", "type"} <= error.keys() for error in problem["errors"])
    assert password not in response.text


@CORE
def test_login_returns_a_bearer_token_pair(api: Api) -> None:
    account = api.register()

    response = api.login(account.email, account.password)

    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["token_type"].lower() == "bearer"
    assert pair["access_token"]
    assert pair["refresh_token"]
    assert pair["access_token"] != pair["refresh_token"]
    assert isinstance(pair["expires_in"], int)
    assert pair["expires_in"] > 0


@CORE
def test_a_wrong_password_and_an_unknown_email_get_the_same_401(api: Api) -> None:
    account = api.register()

    wrong_password = api.login(account.email, "Wrong-Password-1")
    unknown_email = api.login("nobody-" + account.email, account.password)

    for response in (wrong_password, unknown_email):
        assert_problem(response, 401, "invalid_credentials")
        assert response.headers.get("www-authenticate", "").lower().startswith("bearer")
    assert wrong_password.json() == unknown_email.json()


@CORE
def test_refresh_returns_a_new_pair_and_uses_the_old_refresh_token_up(
    api: Api, user: Account
) -> None:
    old_refresh = user.tokens["refresh_token"]

    refreshed = api.http.post(f"{API}/auth/refresh", json={"refresh_token": old_refresh})

    assert refreshed.status_code == 200, refreshed.text
    pair = refreshed.json()
    assert pair["refresh_token"] != old_refresh
    me = api.http.get(
        f"{API}/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert me.status_code == 200
    again = api.http.post(f"{API}/auth/refresh", json={"refresh_token": old_refresh})
    assert_problem(again, 401)


@CORE
def test_after_logout_the_sessions_access_and_refresh_tokens_stop_working(
    api: Api, user: Account
) -> None:
    response = api.http.post(
        f"{API}/auth/logout",
        json={"refresh_token": user.tokens["refresh_token"]},
        headers=user.headers,
    )

    assert response.status_code == 204, response.text
    assert_problem(api.http.get(f"{API}/users/me", headers=user.headers), 401)
    refresh = api.http.post(
        f"{API}/auth/refresh", json={"refresh_token": user.tokens["refresh_token"]}
    )
    assert_problem(refresh, 401)


@EXTRA
def test_logout_leaves_the_users_other_sessions_working(api: Api, user: Account) -> None:
    second = api.login(user.email, user.password).json()

    api.http.post(f"{API}/auth/logout", json={"refresh_token": user.tokens["refresh_token"]})

    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert api.http.get(f"{API}/users/me", headers=headers).status_code == 200


@EXTRA
def test_a_reused_refresh_token_revokes_its_whole_session(api: Api, user: Account) -> None:
    old_refresh = user.tokens["refresh_token"]
    new_pair = api.http.post(f"{API}/auth/refresh", json={"refresh_token": old_refresh}).json()

    api.http.post(f"{API}/auth/refresh", json={"refresh_token": old_refresh})

    headers = {"Authorization": f"Bearer {new_pair['access_token']}"}
    assert_problem(api.http.get(f"{API}/users/me", headers=headers), 401)
    reuse = api.http.post(f"{API}/auth/refresh", json={"refresh_token": new_pair["refresh_token"]})
    assert_problem(reuse, 401)


@EXTRA
def test_a_refresh_token_is_not_an_access_token_nor_the_reverse(api: Api, user: Account) -> None:
    as_access = {"Authorization": f"Bearer {user.tokens['refresh_token']}"}
    assert_problem(api.http.get(f"{API}/users/me", headers=as_access), 401)

    as_refresh = api.http.post(
        f"{API}/auth/refresh", json={"refresh_token": user.tokens["access_token"]}
    )
    assert_problem(as_refresh, 401)


@EXTRA
def test_repeated_failed_logins_are_429_with_retry_after(api: Api) -> None:
    account = api.register()

    statuses = [api.login(account.email, "Wrong-Password-1").status_code for _ in range(30)]

    assert 429 in statuses, statuses
    limited = api.login(account.email, account.password)
    problem = assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) > 0, problem
