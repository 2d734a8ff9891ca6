"""The command line around the configuration document, and its one-line answers to a wrong path."""

from __future__ import annotations

from pathlib import Path

import pytest

from otklik.entrypoints.cli import main
from tests.conftest import ROOT

SAMPLE = ROOT / "infra" / "config" / "otklik.yaml"


def test_config_check_accepts_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "check", str(SAMPLE)])

    assert code == 0
    assert capsys.readouterr().out == f"{SAMPLE}: a valid configuration\n"


def test_config_check_names_every_problem_by_its_path_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a copy of the sample broken in three places
    broken = tmp_path / "otklik.yaml"
    text = SAMPLE.read_text("utf-8")
    text = text.replace("  team: support", "  team: suport")
    text = text.replace("next_response_hours: 12", "next_respons_hours: 12", 1)
    text = text.replace("warn_share: 0.8", "warn_share: 1.5")
    broken.write_text(text, "utf-8")

    # When it is checked
    code = main(["config", "check", str(broken)])

    # Then each problem is one line that starts with the file and the path inside it
    errors = capsys.readouterr().err.splitlines()
    assert code == 2
    assert f"{broken}: sla.policies[0].targets[0].next_respons_hours: unknown setting" in errors
    assert any(line.startswith(f"{broken}: sla.policies[0].warn_share: ") for line in errors)
    assert f"{broken}: routing.team: unknown team 'suport'; teams are support, logistics" in errors
    assert len(errors) == 3


def test_config_check_reports_a_yaml_mistake_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "otklik.yaml"
    broken.write_text("routing:\n  team: support\nrouting:\n  low_rating_max: 1\n", "utf-8")

    code = main(["config", "check", str(broken)])

    assert code == 2
    assert capsys.readouterr().err == f"{broken}: line 3: 'routing' is given twice (first on line 1)\n"


@pytest.mark.parametrize("command", [["sign"], ["config", "check"], ["config", "push", "--bucket", "b"]])
def test_a_missing_file_is_one_line_not_a_traceback(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.json"

    code = main([*command, str(missing)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == f"otklik: {missing}: no such file\n"
    assert captured.out == ""


def test_config_push_refuses_an_invalid_document_before_reaching_aws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an invalid document (and no network: unit tests cannot reach AWS at all)
    broken = tmp_path / "otklik.yaml"
    broken.write_text("routing: {team: nobody}\n", "utf-8")

    code = main(["config", "push", str(broken), "--bucket", "otklik-prod-config"])

    err = capsys.readouterr().err
    assert code == 2
    assert f"{broken}: routing.team: unknown team 'nobody'" in err
    assert err.endswith(f"{broken}: not pushed\n")
