"""4.4.2: the benchmark command runs, judges every payload rightly and prints its figures."""

from __future__ import annotations

import json

import pytest

from module_4_4_pydantic import bench
from module_4_4_pydantic.users import UserCreate

pytestmark = pytest.mark.task("4.4.2", level="extra")


def test_payloads_are_valid_or_invalid_as_labelled() -> None:
    payloads = bench.make_payloads(40, bad_share=0.4, seed=3)

    assert sum(not payload.valid for payload in payloads) == 16
    for payload in payloads:
        document = json.loads(payload.body)
        try:
            UserCreate.model_validate(document)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == payload.valid, document


def test_every_kind_of_invalid_payload_is_used() -> None:
    payloads = bench.make_payloads(len(bench.BREAKERS), bad_share=1, seed=1)

    assert len({payload.body for payload in payloads}) == len(bench.BREAKERS)
    assert not any(payload.valid for payload in payloads)


def test_a_misjudged_payload_stops_the_benchmark() -> None:
    wrong = bench.Payload(body=b'{"username": "x"}', valid=True)

    with pytest.raises(RuntimeError, match="1 payloads were judged wrongly"):
        bench.validate_all([wrong])


def test_the_command_prints_rates_for_the_mix_and_each_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench.main(["--payloads", "60", "--repeats", "1"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("machine: ")
    assert "18 of 60 invalid" in lines[1]
    assert [line.split()[0] for line in lines[2:5]] == ["mix", "good", "bad"]
    assert all("/s best" in line for line in lines[2:5])
    assert "email-validator" in lines[6]


def test_the_command_refuses_nonsense_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--bad-share", "1.5"])

    assert exit_info.value.code == 2
    assert "--bad-share" in capsys.readouterr().err
