"""Solution regions: how each kind of file is stubbed, what is refused, and the exact round trip."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_support.regions import RegionError, bodies, parse, restore, stub

pytestmark = pytest.mark.support


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _round_trips(text: str, path: str) -> bool:
    return restore(stub(text, path), path, bodies(text, path)) == text


def test_a_function_body_region_becomes_its_tips_and_a_not_implemented_error() -> None:
    reference = _source(
        """
        import asyncio


        async def run_workers(queue: asyncio.Queue[int], workers: int) -> int:
            \"\"\"Run the workers.\"\"\"
            # region 4.2.2 core: start `workers` worker tasks, wait for queue.join()
            #: tip: asyncio.create_task for each worker
            tasks = [asyncio.create_task(queue.get()) for _ in range(workers)]
            #: then wait
            await queue.join()
            return len(tasks)
            # endregion 4.2.2
        """
    )

    starter = stub(reference, "queue.py")

    assert starter == _source(
        """
        import asyncio


        async def run_workers(queue: asyncio.Queue[int], workers: int) -> int:
            \"\"\"Run the workers.\"\"\"
            # region 4.2.2 core: start `workers` worker tasks, wait for queue.join()
            #: tip: asyncio.create_task for each worker
            #: then wait
            raise NotImplementedError("4.2.2: start `workers` worker tasks, wait for queue.join()")
            # endregion 4.2.2
        """
    )
    assert _round_trips(reference, "queue.py")


def test_a_stub_too_long_for_one_line_is_laid_out_as_ruff_format_would() -> None:
    what = "count the words of every line of the file and return the ten most common, in order"
    reference = _source(
        f"""
        def count() -> int:
            # region 4.2.1 core: {what}
            return 1
            # endregion 4.2.1
        """
    )

    assert stub(reference, "a.py").splitlines()[2:5] == [
        "    raise NotImplementedError(",
        f'        "4.2.1: {what}"',
        "    )",
    ]


@pytest.mark.parametrize(
    ("what", "literal"),
    [('use "json"', "'4.2.1: use \"json\"'"), ("a back\\slash", '"4.2.1: a back\\\\slash"')],
    ids=["double-quotes", "backslash"],
)
def test_the_stub_message_is_a_valid_literal_of_the_text(what: str, literal: str) -> None:
    reference = (
        f"def f() -> None:\n    # region 4.2.1 core: {what}\n    pass\n    # endregion 4.2.1\n"
    )

    assert f"    raise NotImplementedError({literal})\n" in stub(reference, "a.py")


def test_a_module_level_python_region_keeps_only_its_markers_and_tips() -> None:
    reference = _source(
        """
        import json

        # region 4.4.1 core: the User model
        #: class User(BaseModel): ...
        class User:
            name: str
        # endregion 4.4.1
        """
    )

    assert stub(reference, "models.py") == _source(
        """
        import json

        # region 4.4.1 core: the User model
        #: class User(BaseModel): ...
        # endregion 4.4.1
        """
    )
    assert _round_trips(reference, "models.py")


@pytest.mark.parametrize("name", ["Dockerfile", "docker-compose.yml", "alembic.ini", "run.sh"])
def test_a_hash_comment_file_keeps_markers_and_tips_only(name: str) -> None:
    reference = _source(
        """
        FROM local/python:3.11-slim
            # region 4.7.1 core: install the locked dependencies
            #: RUN pip install --require-hashes -r requirements.lock.txt
            RUN pip install --require-hashes -r requirements.lock.txt
            # endregion 4.7.1
        CMD ["python"]
        """
    )

    assert stub(reference, name) == _source(
        """
        FROM local/python:3.11-slim
            # region 4.7.1 core: install the locked dependencies
            #: RUN pip install --require-hashes -r requirements.lock.txt
            # endregion 4.7.1
        CMD ["python"]
        """
    )
    assert _round_trips(reference, name)


def test_a_markdown_region_keeps_its_markers_and_drops_its_body() -> None:
    reference = _source(
        """
        # Queue
        ```python
        # region 4.2.2 core: a code sample, not a marker
        ```
        <!-- region 4.2.2 extra: How the reference does it -->
        The walkthrough, measured at 950 requests/s.
        #: not a tip in Markdown
        <!-- endregion 4.2.2 -->
        The end.
        """
    )

    assert stub(reference, "README.md") == _source(
        """
        # Queue
        ```python
        # region 4.2.2 core: a code sample, not a marker
        ```
        <!-- region 4.2.2 extra: How the reference does it -->
        <!-- endregion 4.2.2 -->
        The end.
        """
    )
    assert _round_trips(reference, "README.md")


def test_a_marker_inside_a_python_string_is_not_a_marker() -> None:
    reference = 'SAMPLE = """\n# region 4.2.2 core: inside a string\n"""\n'

    assert parse(reference, "a.py") == []
    assert stub(reference, "a.py") == reference


def test_line_endings_and_a_missing_final_newline_survive() -> None:
    reference = "x: 1\r\n# region 4.7.3 core: the service\r\ny: 2\r\n# endregion 4.7.3"

    assert (
        stub(reference, "c.yml") == "x: 1\r\n# region 4.7.3 core: the service\r\n# endregion 4.7.3"
    )
    assert _round_trips(reference, "c.yml")


def test_regions_are_parsed_with_their_task_level_and_what() -> None:
    reference = "# region 4.5.1 extra: the drift test\n# endregion 4.5.1\n"

    (region,) = parse(reference, "x.toml")

    assert (region.task_id, region.level, region.what, region.start, region.end) == (
        "4.5.1",
        "extra",
        "the drift test",
        0,
        1,
    )


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (
            "a.py",
            "x = 1\n# endregion 4.2.1\n",
            "a.py:2: endregion 4.2.1 without a region",
        ),
        (
            "a.py",
            "# region 4.2.1 core: a\nx = 1\n",
            "a.py:1: region 4.2.1 is never closed",
        ),
        (
            "a.yml",
            "# region 4.2.1 core: a\n# region 4.2.2 core: b\n"
            "# endregion 4.2.2\n# endregion 4.2.1\n",
            "a.yml:2: region 4.2.2 opens inside region 4.2.1 (line 1); regions do not nest",
        ),
        (
            "a.yml",
            "# region 4.2.1 core: a\n# endregion 4.2.2\n",
            "a.yml:2: endregion 4.2.2 closes region 4.2.1 opened at line 1",
        ),
        (
            "a.yml",
            "# region 4.2.1 bonus: a\n# endregion 4.2.1\n",
            "a.yml:1: unknown level 'bonus' for region 4.2.1; use core or extra",
        ),
        (
            "a.yml",
            "# region 4.2.1 core\n# endregion 4.2.1\n",
            "a.yml:1: malformed region marker '# region 4.2.1 core'",
        ),
        (
            "README.md",
            "<!-- region 4.2.1: a -->\n<!-- endregion 4.2.1 -->\n",
            "README.md:1: malformed region marker",
        ),
        (
            "a.yml",
            "  # region 4.2.1 core: a\n# endregion 4.2.1\n",
            "a.yml:2: endregion 4.2.1 is not indented like its region (line 1)",
        ),
    ],
    ids=["end-alone", "unclosed", "nested", "mismatched", "level", "malformed", "md", "indent"],
)
def test_a_malformed_region_is_refused_with_its_file_and_line(
    path: str, text: str, message: str
) -> None:
    with pytest.raises(RegionError) as error:
        stub(text, path)
    assert str(error.value).startswith(message)


def test_a_region_of_a_task_missing_from_the_catalogue_is_refused() -> None:
    with pytest.raises(RegionError, match=r"a.py:1: region of unknown task 4\.9\.9"):
        parse("# region 4.9.9 core: a\n# endregion 4.9.9\n", "a.py", known_ids={"4.2.1"})


def test_an_indented_region_in_a_class_body_is_refused() -> None:
    reference = _source(
        """
        class User:
            # region 4.4.1 core: the fields
            name: str
            # endregion 4.4.1
        """
    )

    with pytest.raises(RegionError, match=r"a.py:2: indented region 4.4.1 lies in a class body"):
        stub(reference, "a.py")


def test_an_indented_region_inside_a_method_is_accepted() -> None:
    reference = _source(
        """
        class User:
            def greet(self) -> str:
                if self:
                    # region 4.4.1 core: the greeting
                    return "hi"
                    # endregion 4.4.1
                return ""
        """
    )

    assert 'raise NotImplementedError("4.4.1: the greeting")' in stub(reference, "a.py")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "x = call(\n    # region 4.2.1 core: a\n    1,\n    # endregion 4.2.1\n)\n",
            "a.py:2: region 4.2.1 starts inside the statement of line 1",
        ),
        (
            "def f() -> None:\n    # region 4.2.1 core: a\n    x = [\n    # endregion 4.2.1\n"
            "    ]\n",
            "a.py:2: region 4.2.1 ends (line 4) inside the statement of line 3",
        ),
        (
            "def f() -> None:\n    # region 4.2.1 core: a\n    pass\nx = 1\n"
            "    # endregion 4.2.1\n",
            "a.py:2: region 4.2.1 holds a statement (line 4) less indented than its markers",
        ),
    ],
    ids=["starts-inside", "ends-inside", "dedents"],
)
def test_a_python_region_must_hold_whole_statements(text: str, message: str) -> None:
    with pytest.raises(RegionError) as error:
        stub(text, "a.py")
    assert str(error.value).startswith(message)


def test_restoring_with_the_wrong_number_of_bodies_is_refused() -> None:
    starter = "# region 4.2.1 core: a\n# endregion 4.2.1\n"

    with pytest.raises(RegionError, match="the file has 1 regions, the reference 0"):
        restore(starter, "a.yml", [])


def test_an_indented_region_outside_any_function_is_refused() -> None:
    reference = _source(
        """
        import sys

        if sys.platform:
            # region 4.4.1 core: the settings
            x = 1
            # endregion 4.4.1
        """
    )

    with pytest.raises(
        RegionError, match=r"a.py:4: indented region 4.4.1 lies in no function body"
    ):
        stub(reference, "a.py")


GENERATOR_REFERENCE = _source(
    """
    from collections.abc import AsyncIterator, Iterator


    async def sessions(count: int) -> AsyncIterator[int]:
        \"\"\"Yield `count` session numbers (a FastAPI dependency with yield looks the same).\"\"\"
        # region 4.3.3 core: yield each session number
        for number in range(count):
            yield number
        # endregion 4.3.3


    def names() -> Iterator[str]:
        \"\"\"Its region's only `yield` is a nested function's: the stub needs no keeper.\"\"\"
        yield "first"
        # region 4.3.3 core: the rest
        def inner() -> Iterator[str]:
            yield "x"

        _ = list(inner())
        # endregion 4.3.3


    async def first_session() -> int:
        async for number in sessions(1):
            return number
        return -1
    """
)


def test_a_region_holding_the_functions_yield_leaves_a_generator_stub() -> None:
    starter = stub(GENERATOR_REFERENCE, "deps.py")

    assert (
        '    raise NotImplementedError("4.3.3: yield each session number")\n'
        "    yield  # type: ignore[unreachable, unused-ignore]  # the stub stays a generator\n"
        "    # endregion 4.3.3\n"
    ) in starter
    assert starter.count("the stub stays a generator") == 1
    assert _round_trips(GENERATOR_REFERENCE, "deps.py")


@pytest.mark.parametrize("flags", [[], ["--warn-unreachable"]], ids=["strict", "unreachable"])
def test_the_generator_stub_passes_mypy_strict(tmp_path: Path, flags: list[str]) -> None:
    (tmp_path / "deps.py").write_text(stub(GENERATOR_REFERENCE, "deps.py"))

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *flags, "--cache-dir", str(tmp_path / "c"), "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout
