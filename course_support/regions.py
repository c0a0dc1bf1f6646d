"""Solution regions (CONTRIBUTING.md §3): find them, stub them for the learner, put them back.

A region is ``# region <task id> <core|extra>: <what to write>`` … ``# endregion <task id>`` in
files with ``#`` comments, and ``<!-- region … -->`` … ``<!-- endregion … -->`` in Markdown. The
learner's edition keeps both marker lines and the region's ``#:`` lines; a Python region inside a
function body becomes ``raise NotImplementedError("<id>: <what>")``, any other region becomes
nothing. ``restore`` puts the reference's bodies back, byte for byte.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

LEVELS = ("core", "extra")

_TASK_ID = r"[0-9]+(?:\.[0-9]+)+"
# A line that looks like a marker must be a well-formed one; these find the candidates.
_HASH_CANDIDATE = re.compile(r"^[ \t]*#[ \t]*(?P<end>end)?region(?:[ \t]|$)")
_MARKDOWN_CANDIDATE = re.compile(r"^[ \t]*<!--[ \t]*(?P<end>end)?region(?:[ \t]|-->|$)")
_HASH_START = re.compile(
    rf"^(?P<indent>[ \t]*)# region (?P<id>{_TASK_ID}) (?P<level>\S+): (?P<what>\S.*?)[ \t]*$"
)
_HASH_END = re.compile(rf"^(?P<indent>[ \t]*)# endregion (?P<id>{_TASK_ID})[ \t]*$")
_MARKDOWN_START = re.compile(
    rf"^(?P<indent>[ \t]*)<!-- region (?P<id>{_TASK_ID}) (?P<level>\S+): (?P<what>\S.*?) -->[ \t]*$"
)
_MARKDOWN_END = re.compile(rf"^(?P<indent>[ \t]*)<!-- endregion (?P<id>{_TASK_ID}) -->[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_KEPT_LINE = re.compile(r"^[ \t]*#:")
_LINE_LIMIT = 100  # the repository's ruff line-length


class FileKind(StrEnum):
    PYTHON = "python"
    MARKDOWN = "markdown"
    HASH = "hash"  # every other text file: regions are `#` comments (Dockerfile, YAML, TOML, ...)


def kind_of(path: str | PurePath) -> FileKind:
    suffix = PurePath(path).suffix.lower()
    if suffix in {".py", ".pyi"}:
        return FileKind.PYTHON
    if suffix in {".md", ".markdown"}:
        return FileKind.MARKDOWN
    return FileKind.HASH


class RegionError(ValueError):
    """A region is malformed, unbalanced, nested or misplaced; the message names file:line."""


@dataclass(frozen=True)
class Region:
    """One solution region; line numbers are 0-based indexes of its two marker lines."""

    task_id: str
    level: str
    what: str
    start: int
    end: int
    indent: str

    def body(self, lines: Sequence[str]) -> list[str]:
        return list(lines[self.start + 1 : self.end])


def _marker_lines(lines: Sequence[str], kind: FileKind, path: str) -> list[int]:
    """Indexes of the lines that look like region markers (comments only, outside code fences)."""
    if kind is FileKind.PYTHON:
        # tokenize, so that a marker-like line inside a string literal is not a marker.
        source = "".join(lines)
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, SyntaxError) as error:
            raise RegionError(f"{path}: cannot tokenize: {error}") from error
        comment_rows = {
            token.start[0] - 1
            for token in tokens
            if token.type == tokenize.COMMENT
            and not lines[token.start[0] - 1][: token.start[1]].strip()
        }
        return [row for row in sorted(comment_rows) if _HASH_CANDIDATE.match(lines[row])]
    if kind is FileKind.MARKDOWN:
        found, in_fence = [], False
        for row, line in enumerate(lines):
            if _FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and _MARKDOWN_CANDIDATE.match(line):
                found.append(row)
        return found
    return [row for row, line in enumerate(lines) if _HASH_CANDIDATE.match(line)]


def parse(
    text: str, path: str | PurePath, known_ids: Collection[str] | None = None
) -> list[Region]:
    """The regions of one file, validated; ``known_ids`` (the catalogue) checks each task id."""
    name = str(path)
    kind = kind_of(path)
    lines = text.splitlines(keepends=True)
    start_re, end_re = (
        (_MARKDOWN_START, _MARKDOWN_END) if kind is FileKind.MARKDOWN else (_HASH_START, _HASH_END)
    )
    regions: list[Region] = []
    open_match: re.Match[str] | None = None
    open_row = 0
    for row in _marker_lines(lines, kind, name):
        line = lines[row].rstrip("\r\n")
        where = f"{name}:{row + 1}"
        candidate = _MARKDOWN_CANDIDATE if kind is FileKind.MARKDOWN else _HASH_CANDIDATE
        is_end = bool((match := candidate.match(line)) and match.group("end"))
        if is_end:
            end = end_re.match(line)
            if end is None:
                raise RegionError(f"{where}: malformed end marker {line.strip()!r}")
            if open_match is None:
                raise RegionError(f"{where}: endregion {end['id']} without a region")
            if end["id"] != open_match["id"]:
                raise RegionError(
                    f"{where}: endregion {end['id']} closes region {open_match['id']} "
                    f"opened at line {open_row + 1}"
                )
            if end["indent"] != open_match["indent"]:
                raise RegionError(
                    f"{where}: endregion {end['id']} is not indented like its region "
                    f"(line {open_row + 1})"
                )
            regions.append(
                Region(
                    task_id=open_match["id"],
                    level=open_match["level"],
                    what=open_match["what"],
                    start=open_row,
                    end=row,
                    indent=open_match["indent"],
                )
            )
            open_match = None
            continue
        start = start_re.match(line)
        if start is None:
            example = (
                "<!-- region 4.2.2 core: what to write -->"
                if kind is FileKind.MARKDOWN
                else "# region 4.2.2 core: what to write"
            )
            raise RegionError(
                f"{where}: malformed region marker {line.strip()!r}; write {example!r}"
            )
        if open_match is not None:
            raise RegionError(
                f"{where}: region {start['id']} opens inside region {open_match['id']} "
                f"(line {open_row + 1}); regions do not nest"
            )
        if start["level"] not in LEVELS:
            raise RegionError(
                f"{where}: unknown level {start['level']!r} for region {start['id']}; "
                f"use {' or '.join(LEVELS)}"
            )
        if known_ids is not None and start["id"] not in known_ids:
            raise RegionError(f"{where}: region of unknown task {start['id']} (not in tasks.toml)")
        open_match, open_row = start, row
    if open_match is not None:
        raise RegionError(f"{name}:{open_row + 1}: region {open_match['id']} is never closed")
    if kind is FileKind.PYTHON and regions:
        _check_python_placement(text, regions, name)
    return regions


def _check_python_placement(text: str, regions: Sequence[Region], path: str) -> None:
    """Each region of a Python file holds whole statements at its markers' indentation."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise RegionError(f"{path}:{error.lineno}: not valid Python: {error.msg}") from error
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    for region in regions:
        start, end = region.start + 1, region.end + 1  # 1-based lines of the two markers
        columns = len(region.indent.expandtabs())
        where = f"{path}:{start}"
        for statement in statements:
            first, last = statement.lineno, statement.end_lineno or statement.lineno
            if first < start <= last and (
                statement.col_offset >= columns or not _is_compound(statement)
            ):
                raise RegionError(
                    f"{where}: region {region.task_id} starts inside the statement of line {first}"
                )
            if start < first < end and last >= end:
                raise RegionError(
                    f"{where}: region {region.task_id} ends (line {end}) inside the statement "
                    f"of line {first}"
                )
            if start < first < end and statement.col_offset < columns:
                raise RegionError(
                    f"{where}: region {region.task_id} holds a statement (line {first}) less "
                    "indented than its markers"
                )


def _is_compound(statement: ast.stmt) -> bool:
    """Whether a statement holds a block of statements (def, if, for, with, try, match, ...)."""
    return any(
        isinstance(value, list) and value and isinstance(value[0], ast.stmt | ast.match_case)
        for _, value in ast.iter_fields(statement)
    )


def _innermost_scopes(tree: ast.AST) -> dict[int, ast.AST | None]:
    """For each statement's line, the innermost function or class around it (None: module)."""
    found: dict[int, ast.AST | None] = {}

    def visit(node: ast.AST, scope: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                found.setdefault(child.lineno, scope)
            inner = (
                child
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                else scope
            )
            visit(child, inner)

    visit(tree, None)
    return found


def _string_literal(text: str) -> str:
    """``text`` as a Python string literal in the quotes ruff format would choose."""
    if '"' in text and "'" not in text:
        return "'" + text.replace("\\", "\\\\") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# After the stub of a region that held its function's `yield`: the function stays a generator (an
# async one stays an async generator), so its callers still type-check. mypy skips the unreachable
# line; the ignore is for configurations that report unreachable code, and harmless elsewhere.
_GENERATOR_KEEPER = (
    "yield  # type: ignore[unreachable, unused-ignore]  # the stub stays a generator"
)


def _stub_lines(region: Region, kind: FileKind, newline: str, *, generator: bool) -> list[str]:
    if kind is not FileKind.PYTHON or not region.indent:
        return []
    message = _string_literal(f"{region.task_id}: {region.what}")
    one_line = f"{region.indent}raise NotImplementedError({message}){newline}"
    if len(one_line.rstrip("\r\n").expandtabs()) <= _LINE_LIMIT:
        lines = [one_line]
    else:  # ruff format's own layout of a call too long for one line
        lines = [
            f"{region.indent}raise NotImplementedError({newline}",
            f"{region.indent}    {message}{newline}",
            f"{region.indent}){newline}",
        ]
    if generator:
        lines.append(f"{region.indent}{_GENERATOR_KEEPER}{newline}")
    return lines


def _holds_own_yield(statement: ast.stmt) -> bool:
    """Whether a statement yields for the function it is in (not for a function it defines)."""
    pending: list[ast.AST] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return False


def _generator_regions(text: str, regions: Sequence[Region]) -> set[Region]:
    """The indented regions whose body yields for the enclosing function."""
    tree = ast.parse(text)
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    return {
        region
        for region in regions
        if region.indent
        and any(
            region.start + 1 < statement.lineno < region.end + 1
            and statement.col_offset == len(region.indent.expandtabs())
            and _holds_own_yield(statement)
            for statement in statements
        )
    }


def stub(text: str, path: str | PurePath, known_ids: Collection[str] | None = None) -> str:
    """The learner's version of a file: each region's body replaced by its ``#:`` lines and stub."""
    regions = parse(text, path, known_ids)
    if not regions:
        return text
    kind = kind_of(path)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    stubs: dict[int, Region] = {}  # 1-based line of each inserted raise -> its region
    generators = _generator_regions(text, regions) if kind is FileKind.PYTHON else set()
    cursor = 0
    for region in regions:
        out.extend(lines[cursor : region.start + 1])
        start_line = lines[region.start]
        newline = start_line[len(start_line.rstrip("\r\n")) :] or "\n"
        if kind is not FileKind.MARKDOWN:
            out.extend(line for line in region.body(lines) if _KEPT_LINE.match(line))
        stub_lines = _stub_lines(region, kind, newline, generator=region in generators)
        if stub_lines:
            stubs[len(out) + 1] = region
        out.extend(stub_lines)
        out.append(lines[region.end])
        cursor = region.end + 1
    out.extend(lines[cursor:])
    stubbed = "".join(out)
    if kind is FileKind.PYTHON:
        _check_stubs_in_functions(stubbed, stubs, str(path))
    return stubbed


def _check_stubs_in_functions(stubbed: str, stubs: dict[int, Region], path: str) -> None:
    try:
        tree = ast.parse(stubbed)
    except SyntaxError as error:
        raise RegionError(
            f"{path}: the stubbed file is not valid Python ({error.msg}, its line {error.lineno}); "
            "check where its regions start and end"
        ) from error
    scopes = _innermost_scopes(tree)
    for line, region in stubs.items():
        scope = scopes.get(line)
        if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            place = "a class body" if isinstance(scope, ast.ClassDef) else "no function body"
            raise RegionError(
                f"{path}:{region.start + 1}: indented region {region.task_id} lies in {place}; "
                "an indented Python region must lie inside a function body"
            )


def bodies(text: str, path: str | PurePath) -> list[list[str]]:
    """The reference's body of each region of a file, in order."""
    lines = text.splitlines(keepends=True)
    return [region.body(lines) for region in parse(text, path)]


def restore(stubbed: str, path: str | PurePath, region_bodies: Sequence[Sequence[str]]) -> str:
    """Put the reference's region bodies back into a stubbed file."""
    regions = parse(stubbed, path)
    if len(regions) != len(region_bodies):
        raise RegionError(
            f"{path}: the file has {len(regions)} regions, the reference {len(region_bodies)}"
        )
    lines = stubbed.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    for region, body in zip(regions, region_bodies, strict=True):
        out.extend(lines[cursor : region.start + 1])
        out.extend(body)
        out.append(lines[region.end])
        cursor = region.end + 1
    out.extend(lines[cursor:])
    return "".join(out)
