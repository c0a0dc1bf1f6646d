"""The contract scoreboard: core and extra tests passed out of total, and the verdict.

The verdict is the core's (CONTRIBUTING.md: extras are a bonus and never decide it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest


def level_of(item: pytest.Item) -> str:
    """The level (``core`` or ``extra``) a test's ``task`` marker names."""
    marker = item.get_closest_marker("task")
    return str(marker.kwargs.get("level", "core")) if marker else "core"


@dataclass
class Scoreboard:
    """A pytest plugin that tallies each test's outcome by its level."""

    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """``nodeid`` -> (level, outcome); the worst outcome of a test's phases wins."""
    levels: dict[str, str] = field(default_factory=dict)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.levels = {item.nodeid: level_of(item) for item in items}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        level = self.levels.get(report.nodeid, "core")
        previous = self.outcomes.get(report.nodeid, (level, "passed"))[1]
        rank = {"passed": 0, "skipped": 1, "failed": 2}
        worst = max(previous, report.outcome, key=rank.__getitem__)
        self.outcomes[report.nodeid] = (level, worst)

    def tally(self, level: str) -> tuple[int, int]:
        """(passed, total) of one level; a skipped test counts in neither."""
        outcomes = [outcome for lvl, outcome in self.outcomes.values() if lvl == level]
        return outcomes.count("passed"), len(outcomes) - outcomes.count("skipped")

    def failed(self, level: str) -> list[str]:
        return sorted(
            nodeid
            for nodeid, (lvl, outcome) in self.outcomes.items()
            if lvl == level and outcome == "failed"
        )

    @property
    def core_passes(self) -> bool:
        passed, total = self.tally("core")
        return total > 0 and passed == total

    def render(self, target: str) -> str:
        core, extra = self.tally("core"), self.tally("extra")
        skipped = sum(outcome == "skipped" for _, outcome in self.outcomes.values())
        lines = [
            f"contract scoreboard for {target}",
            f"  core (graded)  {core[0]:>3}/{core[1]:<3} passed",
            f"  extras         {extra[0]:>3}/{extra[1]:<3} passed",
        ]
        if skipped:
            lines.append(f"  skipped        {skipped:>3}")
        lines += [f"  core FAILED: {nodeid}" for nodeid in self.failed("core")]
        verdict = "passed" if self.core_passes else "FAILED"
        lines.append(f"  task 4.8.2 (the contract): {verdict}")
        return "\n".join(lines)
