"""The README's quickstart, typed as written on a fresh Debian 12 with only its system Python.

The stand-in image `local/python:3.11-slim` is Debian 12's Python 3.11 with PEP 668's marker, as on
a real machine; elsewhere `python:3.11-slim-bookworm` is the same. The test mounts a fresh clone,
runs the quickstart block line by line in bash, then one documented `uv run` command.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from course_support.catalogue import REPOSITORY_ROOT
from course_support.compose_stack import prepare_engine
from course_support.tests.test_documented_commands import (
    documented_programs,
    fresh_clone,
    quickstart_commands,
)

pytestmark = [pytest.mark.support, pytest.mark.docker]

DEBIAN_PYTHON = os.environ.get("DEBIAN_PYTHON_IMAGE", "python:3.11-slim-bookworm")


def debian_image() -> str:
    reason = prepare_engine()
    if reason is not None:
        pytest.skip(reason)
    # prepare_engine points PYTHON_IMAGE at the local stand-in where no registry is reachable.
    return os.environ.get("PYTHON_IMAGE", DEBIAN_PYTHON)


def test_the_quickstart_works_on_debian_12_system_python(tmp_path: Path) -> None:
    image = debian_image()
    clone = fresh_clone(tmp_path / "module-4")
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")
    group, module = documented_programs()[0]
    script = "\n".join(
        [
            "set -euxo pipefail",
            # The system Python refuses a global install (PEP 668): the quickstart needs none.
            "if python3 -m pip install --quiet nox 2>/dev/null; then exit 99; fi",
            *quickstart_commands(readme),
            f"uv run --group {group} python -m {module} --help",
        ]
    )

    # Where this machine's network re-signs TLS with its own CA (trusted by the stand-in image's
    # system store), uv needs SSL_CERT_FILE to see it; on an ordinary network it changes nothing.
    certificates = ["-e", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]
    command = ["docker", "run", "--rm", *(certificates if os.environ.get("SSL_CERT_FILE") else [])]
    command += [
        "-v",
        f"{clone}:/work/module-4",
        "-w",
        "/work/module-4",
        image,
        "bash",
        "-c",
        script,
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "usage" in completed.stdout.lower()
