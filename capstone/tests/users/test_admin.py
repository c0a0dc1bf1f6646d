"""/api/v1/users and /api/v1/users/{id}: the admin's endpoints and last-admin protection."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import PASSWORD, ApiUser, MakeUser, log_in

pytestmark = pytest.mark.task("4.8.2", level="core")


async def test_admin_lists_users_oldest_first(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    response = await client.get("/api/v1/users", headers=admin.headers)

    assert response.status_code == 200
    body = response.json()
    assert [item["email"] for item in body["items"]] == [admin.email, user.email]
    assert body["next_cursor"] is None


async def test_admin_pages_through_users_with_a_cursor(
    client: httpx.AsyncClient, admin: ApiUser, make_user: MakeUser
) -> None:
    created = [(await make_user()).email for _ in range(5)]
    seen: list[str] = []
    cursor = None

    for _ in range(10):
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/users", params=params, headers=admin.headers)).json()
        seen += [item["email"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [admin.email, *created]


async def test_admin_filters_by_email_role_and_activity(
    client: httpx.AsyncClient, admin: ApiUser, make_user: MakeUser
) -> None:
    await make_user("carol_x@example.com")
    await make_user("carolx@example.com")
    dave = await make_user("dave@example.com")
    await client.patch(f"/api/v1/users/{dave.id}", json={"is_active": False}, headers=admin.headers)

    async def emails(**params: str) -> list[str]:
        response = await client.get("/api/v1/users", params=params, headers=admin.headers)
        assert response.status_code == 200
        return [item["email"] for item in response.json()["items"]]

    assert await emails(q="CAROL") == ["carol_x@example.com", "carolx@example.com"]
    assert await emails(q="carol_") == ["carol_x@example.com"]  # `_` is literal
    assert await emails(q="%") == []
    assert await emails(role="admin") == [admin.email]
    assert await emails(is_active="false") == ["dave@example.com"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "101"}, {"cursor": "forged"}, {"role": "root"}],
    ids=["limit-0", "limit-101", "bad-cursor", "bad-role"],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, admin: ApiUser, params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/users", params=params, headers=admin.headers)

    assert response.status_code == 422


async def test_a_cursor_from_another_secret_is_422(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    from taskmanager.core.pagination import encode_cursor  # noqa: PLC0415

    forged = encode_cursor({"created_at": "2020-01-01T00:00:00+00:00", "id": user.id}, b"k")

    response = await client.get("/api/v1/users", params={"cursor": forged}, headers=admin.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/users/{id}"),
        ("PATCH", "/api/v1/users/{id}"),
        ("DELETE", "/api/v1/users/{id}"),
    ],
)
async def test_admin_endpoints_are_403_for_a_user(
    client: httpx.AsyncClient, user: ApiUser, other_user: ApiUser, method: str, path: str
) -> None:
    json = {"role": "admin"} if method == "PATCH" else None
    response = await client.request(
        method, path.format(id=other_user.id), json=json, headers=user.headers
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_unknown_user_is_404_and_malformed_id_is_422(
    client: httpx.AsyncClient, admin: ApiUser, method: str
) -> None:
    json = {"full_name": "X"} if method == "PATCH" else None

    unknown = await client.request(
        method, f"/api/v1/users/{uuid.uuid4()}", json=json, headers=admin.headers
    )
    malformed = await client.request(
        method, "/api/v1/users/99999999999999999999", json=json, headers=admin.headers
    )

    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    assert malformed.status_code == 422


async def test_admin_reads_a_user(client: httpx.AsyncClient, admin: ApiUser, user: ApiUser) -> None:
    response = await client.get(f"/api/v1/users/{user.id}", headers=admin.headers)

    assert response.status_code == 200
    assert response.json()["email"] == user.email


async def test_admin_promotes_and_renames_a_user(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    response = await client.patch(
        f"/api/v1/users/{user.id}",
        json={"role": "admin", "full_name": "Promoted"},
        headers=admin.headers,
    )

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["full_name"] == "Promoted"
    listed = await client.get("/api/v1/users", headers=user.headers)
    assert listed.status_code == 200


@pytest.mark.parametrize(
    "body", [{"email": "x@example.com"}, {"is_active": "yes"}, {"role": None}, {"id": "x"}]
)
async def test_admin_patch_refuses_unknown_or_bad_fields(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser, body: dict[str, object]
) -> None:
    response = await client.patch(f"/api/v1/users/{user.id}", json=body, headers=admin.headers)

    assert response.status_code == 422


async def test_deactivation_locks_the_user_out_at_once(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    response = await client.patch(
        f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
    )
    assert refreshed.status_code == 401
    assert (await log_in(client, user.email, PASSWORD)).status_code == 401


async def test_reactivated_user_can_log_in_again(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    path = f"/api/v1/users/{user.id}"
    await client.patch(path, json={"is_active": False}, headers=admin.headers)
    await client.patch(path, json={"is_active": True}, headers=admin.headers)

    assert (await log_in(client, user.email, PASSWORD)).status_code == 200


@pytest.mark.parametrize("body", [{"role": "user"}, {"is_active": False}])
async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    client: httpx.AsyncClient, admin: ApiUser, body: dict[str, object]
) -> None:
    response = await client.patch(f"/api/v1/users/{admin.id}", json=body, headers=admin.headers)

    assert response.status_code == 409
    me = (await client.get("/api/v1/users/me", headers=admin.headers)).json()
    assert me["role"] == "admin"


async def test_the_last_active_admin_cannot_be_deleted(
    client: httpx.AsyncClient, admin: ApiUser
) -> None:
    response = await client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers)

    assert response.status_code == 409


async def test_with_a_second_admin_one_admin_may_step_down(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    await client.patch(f"/api/v1/users/{user.id}", json={"role": "admin"}, headers=admin.headers)

    demoted = await client.patch(
        f"/api/v1/users/{admin.id}", json={"role": "user"}, headers=user.headers
    )
    last = await client.delete(f"/api/v1/users/{user.id}", headers=user.headers)

    assert demoted.status_code == 200
    assert last.status_code == 409


async def test_admin_deletes_a_user(
    client: httpx.AsyncClient, admin: ApiUser, user: ApiUser
) -> None:
    response = await client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)

    assert response.status_code == 204
    assert (await client.get(f"/api/v1/users/{user.id}", headers=admin.headers)).status_code == 404
    assert (await client.get("/api/v1/users/me", headers=user.headers)).status_code == 401
