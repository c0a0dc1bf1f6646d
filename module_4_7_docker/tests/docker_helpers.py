"""What the section's Docker tests share: an engine or a visible skip, and a server polled ready."""

from __future__ import annotations

import time

import httpx
import pytest

from course_support.compose_stack import ComposeStack, StackError, prepare_engine

SERVING_DEADLINE_SECONDS = 90
POLL_INTERVAL_SECONDS = 0.5


def require_engine() -> None:
    """Skip (never pass) the calling test where no Docker engine runs."""
    reason = prepare_engine()
    if reason:
        pytest.skip(f"no Docker engine: {reason}")


def wait_serving(stack: ComposeStack, service: str = "app", port: int = 8000) -> str:
    """Poll the service's ``/health`` over its published port until 200; the API's base URL.

    Fails early, with the stack's logs, when the container exits for good.
    """
    deadline = time.monotonic() + SERVING_DEADLINE_SECONDS
    last_problem = "not started"
    while time.monotonic() < deadline:
        state = stack.state(service)
        if state["Status"] in {"exited", "dead"} and not state.get("Restarting"):
            raise StackError(f"{service} exited ({state['ExitCode']})\n{stack.logs()}")
        try:
            api = stack.base_url(service, port)
            response = httpx.get(f"{api}/health", timeout=3)
        except (StackError, httpx.HTTPError) as error:
            last_problem = str(error)
        else:
            if response.status_code == 200:
                return api
            last_problem = f"/health answered {response.status_code}: {response.text}"
        time.sleep(POLL_INTERVAL_SECONDS)
    raise StackError(
        f"{service} not serving after {SERVING_DEADLINE_SECONDS} s ({last_problem})\n{stack.logs()}"
    )
