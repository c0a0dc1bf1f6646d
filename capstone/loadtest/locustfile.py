"""A realistic mix of Task Manager API users for Locust (capstone, task 4.8.2).

    nox -s loadtest -- --users 50 --run-time 60s            # serves the capstone itself
    nox -s loadtest -- --users 50 --run-time 60s --host URL # an API that already runs
    locust -f capstone/loadtest/locustfile.py --host URL    # Locust's web UI

Each simulated user signs up and logs in once, keeps its token pair, and refreshes it before
the access token expires (as a real client would), then mostly reads: lists its tasks with
filters and follows the next page, reads one task and the stats; it also creates tasks, edits
them with `If-Match` (the ETag it last saw), and comments on them. The weights below are that
mix; the pause between actions (`--think-time`) is a person's, not a script's.

The run fails (exit status 1) when more than `--max-error-ratio` of the requests failed or the
95th percentile of all response times is over `--max-p95-ms`: see the capstone's README.
Locust runs on gevent, which patches the standard library: this file is only ever loaded by
the `locust` command, in a process of its own, never imported by the test suite.
"""

from __future__ import annotations

import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from locust import events, task
from locust.argument_parser import LocustArgumentParser
from locust.contrib.fasthttp import FastHttpUser, FastResponse
from locust.env import Environment

API = "/api/v1"
PASSWORD = "Load-Test-Passw0rd"
REFRESH_MARGIN_SECONDS = 10  # refresh this long before the access token expires
STATUSES = ("todo", "in_progress", "done")
PRIORITIES = ("low", "medium", "high", "urgent")
TAGS = ("home", "work", "errand", "urgent", "someday")
SORTS = ("-created_at", "due_at", "-priority", "title", "-updated_at")
WORDS = ("report", "invoice", "groceries", "review", "meeting", "garden", "taxes", "backup")


def add_thresholds(parser: LocustArgumentParser) -> None:
    parser.add_argument(
        "--max-error-ratio",
        type=float,
        default=0.001,
        help="fail the run above this share of failed requests (default 0.001: 0.1 %%)",
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=1.25,
        help="mean seconds a user waits between actions (uniform, 0.4x-1.6x); 0 for a flood",
    )
    parser.add_argument(
        "--max-p95-ms",
        type=float,
        default=500.0,
        help="fail the run when the 95th percentile of response times is above this",
    )


def check_thresholds(environment: Environment, **_: Any) -> None:
    """Set the exit status from the whole run's figures, and say why."""
    total = environment.stats.total
    options = environment.parsed_options
    if options is None or total.num_requests == 0:
        environment.process_exit_code = 1
        print("loadtest: FAILED, no request was made")
        return
    p95 = total.get_response_time_percentile(0.95)
    problems = []
    if total.fail_ratio > options.max_error_ratio:
        problems.append(f"error ratio {total.fail_ratio:.4%} > {options.max_error_ratio:.4%}")
    if p95 > options.max_p95_ms:
        problems.append(f"p95 {p95:.0f} ms > {options.max_p95_ms:.0f} ms")
    crashes = len(environment.runner.exceptions) if environment.runner else 0
    if crashes:  # an exception in the scenario itself: its requests were never made
        problems.append(f"{crashes} distinct exception(s) in the users' code")
    verdict = "FAILED: " + "; ".join(problems) if problems else "passed"
    print(
        f"loadtest: {total.num_requests} requests, {total.total_rps:.1f} requests/s, "
        f"{total.num_failures} failed ({total.fail_ratio:.4%}), p50 "
        f"{total.get_response_time_percentile(0.5):.0f} ms, p95 {p95:.0f} ms: {verdict}"
    )
    environment.process_exit_code = 1 if problems else 0


# Locust's event hooks are untyped; registered by call so the functions above stay typed.
events.init_command_line_parser.add_listener(add_thresholds)  # type: ignore[no-untyped-call]
events.quitting.add_listener(check_thresholds)  # type: ignore[no-untyped-call]


def etag_of(response: FastResponse) -> str:
    return str(response.headers.get("ETag", "")) if response.headers else ""


def random_task() -> dict[str, Any]:
    return {
        "title": f"{random.choice(WORDS)} {uuid.uuid4().hex[:6]}",
        "description": " ".join(random.choices(WORDS, k=6)),
        "status": random.choice(STATUSES),
        "priority": random.choice(PRIORITIES),
        "tags": random.sample(TAGS, k=random.randint(0, 2)),
    }


def client_address() -> str:
    """An address in 198.18.0.0/15, the range set aside for benchmarks (RFC 2544): only ever a
    header value here, never a destination."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


class ApiUser(FastHttpUser):
    """One person using the API: their own account, tasks and comments."""

    def __init__(self, environment: Environment) -> None:
        # Each person comes from an address of their own, as real users do: the API's limits per
        # client address (login attempts, registrations) would otherwise see one client,
        # 127.0.0.1, for everyone. A served capstone trusts X-Forwarded-For from 127.0.0.1 only
        # (FORWARDED_ALLOW_IPS), as it trusts its proxy; behind nginx, nginx adds the real one.
        self.default_headers = {"X-Forwarded-For": client_address()}
        super().__init__(environment)

    def wait_time(self) -> float:
        """A person's pause between two actions (`--think-time` on average)."""
        options = self.environment.parsed_options
        mean = float(options.think_time) if options is not None else 1.25
        return random.uniform(0.4 * mean, 1.6 * mean)

    def on_start(self) -> None:
        self.email = f"load-{uuid.uuid4().hex}@example.com"
        self.tasks_seen: dict[str, str] = {}  # task id -> the ETag last seen
        self.client.post(
            f"{API}/auth/register",
            json={"email": self.email, "password": PASSWORD},
            name=f"{API}/auth/register",
        )
        self.log_in()
        for _ in range(5):
            self.create_task()

    # -- tokens --------------------------------------------------------------------------------

    def keep_tokens(self, pair: dict[str, Any]) -> None:
        self.access_token = str(pair["access_token"])
        self.refresh_token = str(pair["refresh_token"])
        self.expires_at = time.monotonic() + float(pair["expires_in"])

    def log_in(self) -> None:
        with self.client.post(
            f"{API}/auth/login",
            data=urlencode({"username": self.email, "password": PASSWORD}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name=f"{API}/auth/login",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"login answered {response.status_code}")
                self.expires_at = 0.0
                self.access_token = self.refresh_token = ""
                return
            self.keep_tokens(response.json())

    def refresh_if_due(self) -> None:
        if time.monotonic() < self.expires_at - REFRESH_MARGIN_SECONDS:
            return
        if not self.refresh_token:
            self.log_in()
            return
        with self.client.post(
            f"{API}/auth/refresh",
            json={"refresh_token": self.refresh_token},
            name=f"{API}/auth/refresh",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"refresh answered {response.status_code}")
                self.refresh_token = ""
                return
            self.keep_tokens(response.json())

    def headers(self, **extra: str) -> dict[str, str]:
        self.refresh_if_due()
        return {"Authorization": f"Bearer {self.access_token}", **extra}

    def some_task(self) -> str | None:
        return random.choice(list(self.tasks_seen)) if self.tasks_seen else None

    # -- the mix -------------------------------------------------------------------------------

    @task(10)
    def list_tasks(self) -> None:
        """The first page with a filter or two, then the next page when there is one."""
        query: dict[str, Any] = {"limit": random.choice((5, 10, 20)), "sort": random.choice(SORTS)}
        if random.random() < 0.5:
            query["status"] = random.choice(STATUSES)
        if random.random() < 0.3:
            query["tag"] = random.choice(TAGS)
        if random.random() < 0.2:
            query["q"] = random.choice(WORDS)
        response = self.client.get(
            f"{API}/tasks?{urlencode(query)}", headers=self.headers(), name=f"{API}/tasks"
        )
        if response.status_code != 200:
            return
        page = response.json()
        for item in page["items"]:
            self.tasks_seen.setdefault(str(item["id"]), "")
        if page["next_cursor"]:
            query["cursor"] = page["next_cursor"]
            self.client.get(
                f"{API}/tasks?{urlencode(query)}",
                headers=self.headers(),
                name=f"{API}/tasks?cursor",
            )

    @task(4)
    def read_task(self) -> None:
        task_id = self.some_task()
        if task_id is None:
            return
        response = self.client.get(
            f"{API}/tasks/{task_id}", headers=self.headers(), name=f"{API}/tasks/{{id}}"
        )
        if response.status_code == 200:
            self.tasks_seen[task_id] = etag_of(response)

    @task(3)
    def create_task(self) -> None:
        response = self.client.post(
            f"{API}/tasks", json=random_task(), headers=self.headers(), name=f"{API}/tasks"
        )
        if response.status_code == 201:
            self.tasks_seen[str(response.json()["id"])] = etag_of(response)

    @task(3)
    def update_task(self) -> None:
        """Edit with `If-Match`: read first when no ETag is known, as an editing screen would."""
        task_id = self.some_task()
        if task_id is None:
            return
        if not self.tasks_seen[task_id]:
            self.read_task_etag(task_id)
        changes = {"status": random.choice(STATUSES), "priority": random.choice(PRIORITIES)}
        with self.client.patch(
            f"{API}/tasks/{task_id}",
            json=changes,
            headers=self.headers(**{"If-Match": self.tasks_seen[task_id]}),
            name=f"{API}/tasks/{{id}}",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.tasks_seen[task_id] = etag_of(response)
            elif response.status_code == 412:  # another tab changed it: expected, not an error
                response.success()
                self.tasks_seen[task_id] = ""

    def read_task_etag(self, task_id: str) -> None:
        response = self.client.get(
            f"{API}/tasks/{task_id}", headers=self.headers(), name=f"{API}/tasks/{{id}}"
        )
        self.tasks_seen[task_id] = etag_of(response)

    @task(2)
    def comment(self) -> None:
        task_id = self.some_task()
        if task_id is None:
            return
        self.client.post(
            f"{API}/tasks/{task_id}/comments",
            json={"body": " ".join(random.choices(WORDS, k=5))},
            headers=self.headers(),
            name=f"{API}/tasks/{{id}}/comments",
        )
        self.client.get(
            f"{API}/tasks/{task_id}/comments?limit=10",
            headers=self.headers(),
            name=f"{API}/tasks/{{id}}/comments",
        )

    @task(2)
    def stats(self) -> None:
        self.client.get(f"{API}/tasks/stats", headers=self.headers(), name=f"{API}/tasks/stats")

    @task(1)
    def log_in_again(self) -> None:
        """Log out (ending this session) and log in anew, as a person returning later would."""
        headers = self.headers()  # first: a refresh due now replaces the refresh token
        self.client.post(
            f"{API}/auth/logout",
            json={"refresh_token": self.refresh_token},
            headers=headers,
            name=f"{API}/auth/logout",
        )
        self.log_in()

    @task(1)
    def profile(self) -> None:
        self.client.get(f"{API}/users/me", headers=self.headers(), name=f"{API}/users/me")
