"""The commands the READMEs tell a newcomer to type work as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from course_support.catalogue import REPOSITORY_ROOT

pytestmark = pytest.mark.support

SECTION_READMES = sorted(REPOSITORY_ROOT.glob("module_4_*/README.md"))
# The one way every section documents to run its programs.
RUN_COMMAND = re.compile(r"uv run --group (section-4-\d) python -m ([\w.]+)")


def documented_programs() -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for readme in SECTION_READMES:
        found.update(RUN_COMMAND.findall(readme.read_text(encoding="utf-8")))
    return sorted(found)


def test_every_section_documents_how_to_run_its_programs_in_the_same_way() -> None:
    assert len(SECTION_READMES) == 6
    for readme in SECTION_READMES:
        commands = RUN_COMMAND.findall(readme.read_text(encoding="utf-8"))
        section = readme.parent.name.split("_")[2]  # module_4_2_asyncio -> "2"
        assert commands, f"{readme.parent.name}/README.md shows no `uv run --group ...` command"
        assert {group for group, _ in commands} == {f"section-4-{section}"}, readme


@pytest.mark.parametrize(("group", "module"), documented_programs())
def test_a_documented_program_runs_with_uv_run_and_answers_help(
    group: str, module: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    uv = shutil.which("uv")
    assert uv, "uv is on PATH in every nox session and in .ci/run"
    # One environment per section, outside the checkout, so the run leaves `.venv/` alone.
    environment = tmp_path_factory.getbasetemp() / f"venv-{group}"
    completed = subprocess.run(
        [uv, "run", "--locked", "--group", group, "python", "-m", module, "--help"],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "usage" in completed.stdout.lower()


def test_the_quickstart_block_is_where_the_docker_test_reads_it() -> None:
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")

    block = quickstart_commands(readme)

    assert block[0] == "python3 -m venv .tools"
    assert "--require-hashes -r .ci/requirements.txt" in block[1]
    assert block[-1].startswith("nox -s grade -- --task ")
    assert not any("pip install" in line and ".tools/" not in line for line in block)


def quickstart_commands(readme: str) -> list[str]:
    """The shell lines between the README's quickstart markers."""
    match = re.search(
        r"<!-- quickstart:begin -->\n```sh\n(.*?)```\n<!-- quickstart:end -->", readme, re.DOTALL
    )
    assert match, "README.md has no quickstart block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def fresh_clone(destination: Path) -> Path:
    """A clone of the committed repository, as a newcomer gets it."""
    subprocess.run(
        ["git", "clone", "--quiet", str(REPOSITORY_ROOT), str(destination)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return destination
