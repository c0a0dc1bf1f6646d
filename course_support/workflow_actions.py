"""The GitHub Actions the workflows use, each pinned by its full commit SHA.

A tag can be moved to other code; a commit SHA cannot. Each SHA below is the commit the named
release tag pointed at when it was pinned (read from the action's own repository). Dependabot
(`.github/dependabot.yml`) proposes updates; a test checks that every `uses:` in the workflows is
one of these pins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PinnedAction:
    """One action at one release."""

    name: str
    sha: str
    version: str

    @property
    def reference(self) -> str:
        return f"{self.name}@{self.sha}"


ACTIONS: dict[str, PinnedAction] = {
    action.name: action
    for action in [
        # The official actions' current majors run on Node 24.
        PinnedAction("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
        PinnedAction("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
        PinnedAction(
            "actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"
        ),
        PinnedAction(
            "actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"
        ),
        PinnedAction("astral-sh/setup-uv", "20cfd1bf945f4377ade1205e4dbc17946fc9a30d", "v10.0.1"),
        # GitHub Classroom's own actions have one release line (v1), still on Node 20.
        PinnedAction(
            "classroom-resources/autograding-command-grader",
            "d5b3fa6f50f7f629b7bfae0cc3e4c58852b412d5",
            "v1",
        ),
        PinnedAction(
            "classroom-resources/autograding-grading-reporter",
            "d13b5912daf5042ac1b71bc38bdb4a6bcd61d8ca",
            "v1",
        ),
    ]
}


def pinned(name: str) -> str:
    """`owner/repo@<sha>` for a known action; an unknown one is a KeyError naming it."""
    return ACTIONS[name].reference
