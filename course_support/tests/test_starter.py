"""The learner's edition: what ships, what is stubbed, the overlay, lint, the exact round trip."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_support.catalogue import REPOSITORY_ROOT
from course_support.starter import StarterError, build, main, round_trip_problems

pytestmark = pytest.mark.support

RUFF = Path(sys.executable).parent / "ruff"

SOLVED = textwrap.dedent(
    """
    \"\"\"Word counts.\"\"\"

    import collections


    def most_common(words: list[str]) -> list[str]:
        \"\"\"The three most common words.\"\"\"
        # region 4.2.1 core: count the words, return the three most common
        #: tip: collections.Counter
        counts = collections.Counter(words)
        return [word for word, _ in counts.most_common(3)]
        # endregion 4.2.1
    """
).lstrip()


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), *args],
        check=True,
        capture_output=True,
        env={"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A small reference repository under git."""
    root = tmp_path / "reference"
    (root / "words").mkdir(parents=True)
    (root / "words" / "count.py").write_text(SOLVED)
    (root / "run.sh").write_text("#!/bin/sh\necho run\n")
    (root / "run.sh").chmod(0o755)
    (root / "reference_only").mkdir()
    (root / "reference_only" / "solution.py").write_text("x = 1\n")
    (root / "overlay" / "reference_only").mkdir(parents=True)
    (root / "overlay" / "reference_only" / "skeleton.py").write_text("y = 2\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xffregion\x00")
    (root / ".gitignore").write_text("ignored.txt\n")
    (root / "ignored.txt").write_text("local\n")
    shutil.copyfile(REPOSITORY_ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copyfile(REPOSITORY_ROOT / "tasks.toml", root / "tasks.toml")
    (root / "starter.toml").write_text(
        '[starter]\nexclude = ["reference_only/**", "starter.toml"]\noverlay = "overlay"\n'
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    (root / "untracked_new.py").write_text("z = 3\n")  # new, not ignored: it ships
    return root


def test_the_starter_ships_tracked_files_stubbed_minus_excludes_plus_overlay(
    source: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "starter"

    report = build(source, dest)

    shipped = sorted(
        path.relative_to(dest).as_posix() for path in dest.rglob("*") if path.is_file()
    )
    assert shipped == [
        ".gitignore",
        "logo.png",
        "pyproject.toml",
        "reference_only/skeleton.py",
        "ruff.toml",
        "run.sh",
        "tasks.toml",
        "untracked_new.py",
        "words/count.py",
    ]
    assert report.stubbed == ["words/count.py"]
    assert report.overlaid == ["reference_only/skeleton.py"]
    stubbed = (dest / "words" / "count.py").read_text()
    assert "Counter(words)" not in stubbed
    assert "    #: tip: collections.Counter\n" in stubbed
    assert (
        '    raise NotImplementedError("4.2.1: count the words, return the three most common")\n'
        in stubbed
    )
    assert (dest / "logo.png").read_bytes() == (source / "logo.png").read_bytes()
    assert (dest / "run.sh").stat().st_mode & 0o111
    assert not (dest / ".git").exists()


def test_the_reference_comes_back_byte_for_byte(source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "starter"
    build(source, dest)

    assert round_trip_problems(source, dest) == []

    # A change outside the regions is a difference: only region bodies are put back.
    stubbed = dest / "words" / "count.py"
    stubbed.write_text(stubbed.read_text().replace("three most common", "3 most common"))
    assert round_trip_problems(source, dest) == [
        "words/count.py: the restored file differs from the reference"
    ]


def test_the_stubbed_file_passes_ruff_only_through_the_starters_ruff_config(
    source: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "starter"
    build(source, dest)
    ruff = [str(RUFF), "check", "--no-cache", "--quiet"]

    checked = subprocess.run([*ruff, "."], cwd=dest, capture_output=True, text=True, check=False)
    formatted = subprocess.run(
        [str(RUFF), "format", "--check", "--no-cache", "."],
        cwd=dest,
        capture_output=True,
        check=False,
    )
    (dest / "ruff.toml").unlink()
    without = subprocess.run([*ruff, "."], cwd=dest, capture_output=True, text=True, check=False)

    assert checked.returncode == 0, checked.stdout
    assert formatted.returncode == 0
    assert "F401" in without.stdout
    assert "words/count.py" in without.stdout


def test_a_non_empty_destination_is_refused_unless_forced(source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "starter"
    dest.mkdir()
    (dest / "stale.txt").write_text("old\n")

    with pytest.raises(StarterError, match="is not empty; pass --force"):
        build(source, dest)
    build(source, dest, force=True)

    assert not (dest / "stale.txt").exists()
    assert (dest / "words" / "count.py").is_file()


def test_the_source_itself_is_never_a_destination(source: Path) -> None:
    with pytest.raises(StarterError, match="over its own source"):
        build(source / "words", source, force=True)
    with pytest.raises(StarterError, match="over its own source"):
        build(source, source, force=True)


def test_the_command_line_reports_every_malformed_region(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (source / "words" / "count.py").write_text(SOLVED.replace("    # endregion 4.2.1\n", ""))
    (source / "deploy.yml").write_text("# region 4.7.3 later: x\n# endregion 4.7.3\n")

    status = main([str(tmp_path / "starter"), "--source", str(source)])

    error = capsys.readouterr().err
    assert status == 2
    assert "words/count.py:8: region 4.2.1 is never closed" in error
    assert "deploy.yml:1: unknown level 'later'" in error


def test_the_command_line_builds_and_checks_the_round_trip(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([str(tmp_path / "starter"), "--source", str(source), "--check-round-trip"])

    assert status == 0
    assert "round trip exact" in capsys.readouterr().out


def test_a_folder_that_is_not_a_git_repository_is_walked(source: Path, tmp_path: Path) -> None:
    shutil.rmtree(source / ".git")
    (source / "build").mkdir()
    (source / "build" / "results.json").write_text("{}")

    build(source, tmp_path / "starter")

    assert (tmp_path / "starter" / "words" / "count.py").is_file()
    assert not (tmp_path / "starter" / "build").exists()


def test_the_whole_repository_round_trips_byte_for_byte(tmp_path: Path) -> None:
    dest = tmp_path / "starter"
    report = build(REPOSITORY_ROOT, dest)

    assert round_trip_problems(REPOSITORY_ROOT, dest) == []
    assert not (dest / "starter.toml").exists()
    assert not (dest / ".github" / "workflows" / "ci.yml").exists()
    assert (dest / ".github" / "workflows" / "classroom.yml").is_file()
    assert len(report.files) > 50


def test_a_source_without_starter_toml_uses_the_generators(source: Path, tmp_path: Path) -> None:
    (source / "starter.toml").unlink()
    (source / "capstone").mkdir()
    (source / "capstone" / "app.py").write_text("solution = 1\n")

    build(source, tmp_path / "starter")

    # This repository's starter.toml leaves the reference capstone out.
    assert not (tmp_path / "starter" / "capstone").exists()
    assert (tmp_path / "starter" / "words" / "count.py").is_file()
