"""The contract suite catches broken implementations: one planted fault, one failing test.

A correct server (the reference capstone) sits behind a reverse proxy that breaks exactly one
rule of the contract; the suite, run in-process against the proxy, must fail the test that
guards that rule, and pass the same tests when the proxy plants nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from course_support.contract.__main__ import main, suite_arguments
from course_support.contract.server import (
    RunningServer,
    ServerError,
    ensure_capstone_environment,
    free_port,
    served_capstone,
)
from course_support.tests.fault_proxy import Fault, FaultProxy, serve_in_thread

pytestmark = pytest.mark.support

GUARDS = {
    Fault.CREATED_AS_OK: "test_create_is_201_with_defaults_and_location",
    Fault.FOREIGN_TASK_VISIBLE: "test_another_users_task_is_404_like_a_missing_one",
    Fault.LOGOUT_IGNORED: "test_after_logout_the_sessions_access_and_refresh_tokens_stop_working",
    Fault.PASSWORD_ECHOED: "test_a_weak_password_is_422_and_never_echoed",
    Fault.NO_WWW_AUTHENTICATE: "test_users_me_without_a_valid_token_is_401_with_www_authenticate",
    Fault.ERRORS_AS_PLAIN_JSON: "test_an_invalid_task_is_422_problem_json",
}


@pytest.fixture(scope="module")
def reference_server() -> Iterator[RunningServer]:
    try:
        executable = ensure_capstone_environment()
    except ServerError as error:
        pytest.skip(f"the reference capstone cannot be installed here: {error}")
    with served_capstone(executable) as server:
        yield server


@pytest.fixture(scope="module")
def proxy_app(reference_server: RunningServer) -> FaultProxy:
    return FaultProxy(reference_server.base_url)


@pytest.fixture(scope="module")
def proxy_url(proxy_app: FaultProxy) -> Iterator[str]:
    with serve_in_thread(proxy_app, free_port()) as url:
        yield url


@pytest.fixture
def proxy(proxy_app: FaultProxy) -> Iterator[FaultProxy]:
    yield proxy_app
    proxy_app.fault = None


def test_the_guarding_tests_pass_through_a_faithful_proxy(
    pytester: pytest.Pytester, proxy: FaultProxy, proxy_url: str
) -> None:
    selection = " or ".join(GUARDS.values())

    result = pytester.runpytest(*suite_arguments(proxy_url, extra=["-k", selection]))

    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= len(GUARDS)


@pytest.mark.parametrize("fault", list(GUARDS), ids=[fault.name.lower() for fault in GUARDS])
def test_a_planted_fault_fails_the_test_that_guards_it(
    pytester: pytest.Pytester, proxy: FaultProxy, proxy_url: str, fault: Fault
) -> None:
    proxy.fault = fault

    result = pytester.runpytest(*suite_arguments(proxy_url, extra=["-k", GUARDS[fault]]))

    assert result.parseoutcomes().get("failed", 0) >= 1, f"{fault.value}: not caught"
    failed = [line for line in result.stdout.lines if line.startswith("FAILED ")]
    assert failed, result.stdout.str()
    assert all(GUARDS[fault] in line for line in failed)


def test_the_scoreboard_fails_the_core_when_a_core_test_fails(
    proxy: FaultProxy, proxy_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy.fault = Fault.CREATED_AS_OK

    status = main(["--base-url", proxy_url, "--", "-k", GUARDS[Fault.CREATED_AS_OK] + " or docs"])

    scoreboard = capsys.readouterr().out
    assert status == 1
    assert "core (graded)    1/2" in scoreboard
    assert "task 4.8.2 (the contract): FAILED" in scoreboard
    assert GUARDS[Fault.CREATED_AS_OK] in scoreboard


def test_the_scoreboard_passes_a_correct_server(
    proxy: FaultProxy, proxy_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--base-url", proxy_url, "--", "-k", "health or redoc"])

    scoreboard = capsys.readouterr().out
    assert status == 0
    assert "core (graded)    1/1" in scoreboard
    assert "extras           1/1" in scoreboard
    assert "task 4.8.2 (the contract): passed" in scoreboard
