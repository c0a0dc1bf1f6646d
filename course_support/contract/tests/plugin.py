"""Pytest plugin of the contract suite: ``--base-url``, an HTTP client and fresh accounts.

Every test registers its own users with unique emails, so the suite can run again and again
against one live server. Load it with ``-p course_support.contract.tests.plugin``.
"""

from __future__ import annotations

import ipaddress
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

API = "/api/v1"
PASSWORD = "Correct-Horse-9"
TIMEOUT_SECONDS = 30.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("capstone contract")
    group.addoption(
        "--base-url",
        default=os.environ.get("CONTRACT_BASE_URL"),
        help="root URL of the running API under test, e.g. http://127.0.0.1:8000",
    )
    group.addoption(
        "--admin-email",
        default=os.environ.get("CONTRACT_ADMIN_EMAIL"),
        help="an admin account of the server (the admin routes' tests skip without one)",
    )
    group.addoption(
        "--admin-password",
        default=os.environ.get("CONTRACT_ADMIN_PASSWORD"),
        help="that admin's password",
    )


def unique_email(prefix: str = "learner") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def _client_address() -> str:
    # A distinct client address per test (uvicorn trusts X-Forwarded-For from 127.0.0.1 by
    # default): per-address login limits then never carry over from one test to the next.
    return str(ipaddress.IPv4Address(random.randint(0x0A000001, 0x0AFFFFFE)))


@dataclass
class Account:
    """A registered user; ``headers`` authorise requests while its access token is valid."""

    email: str
    password: str
    user: dict[str, Any]
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


@dataclass
class Api:
    """The server under test: an httpx client rooted at the base URL, and account helpers."""

    http: httpx.Client
    admin_email: str | None
    admin_password: str | None

    def register(self, *, email: str | None = None, password: str = PASSWORD) -> Account:
        email = email or unique_email()
        response = self.http.post(
            f"{API}/auth/register", json={"email": email, "password": password}
        )
        assert response.status_code == 201, response.text
        return Account(email=email, password=password, user=response.json())

    def login(self, email: str, password: str) -> httpx.Response:
        return self.http.post(f"{API}/auth/login", data={"username": email, "password": password})

    def account(self) -> Account:
        """A new user, logged in."""
        account = self.register()
        response = self.login(account.email, account.password)
        assert response.status_code == 200, response.text
        account.tokens = response.json()
        return account

    def admin(self) -> Account:
        if not (self.admin_email and self.admin_password):
            pytest.skip("no admin account given (--admin-email/--admin-password)")
        response = self.login(self.admin_email, self.admin_password)
        assert response.status_code == 200, response.text
        return Account(self.admin_email, self.admin_password, {}, response.json())

    def create_task(self, account: Account, **fields: Any) -> dict[str, Any]:
        response = self.http.post(
            f"{API}/tasks", json={"title": "A task", **fields}, headers=account.headers
        )
        assert response.status_code in {200, 201}, response.text
        task: dict[str, Any] = response.json()
        return task


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    base_url = request.config.getoption("base_url")
    if not base_url:
        raise pytest.UsageError("the contract suite needs --base-url (or CONTRACT_BASE_URL)")
    headers = {"X-Forwarded-For": _client_address()}
    with httpx.Client(base_url=base_url, headers=headers, timeout=TIMEOUT_SECONDS) as http:
        yield Api(
            http,
            request.config.getoption("admin_email"),
            request.config.getoption("admin_password"),
        )


@pytest.fixture
def user(api: Api) -> Account:
    return api.account()


@pytest.fixture
def other_user(api: Api) -> Account:
    return api.account()


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and stable ``code``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "code"} <= problem.keys(), problem
    assert problem["status"] == status
    if code is not None:
        assert problem["code"] == code, problem
    return problem
