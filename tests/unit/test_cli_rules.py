"""`otklik rules dry-run`: a candidate file over a stored day, read through a store (a fake one here)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from otklik.entrypoints import cli_rules
from otklik.entrypoints.cli import build_parser, main
from tests.unit.test_rules_dry_run import CANDIDATE, DAY, StoredDay, late_courier, routed


class Stores:
    """What rules_cli.build gives the command: the day's items and their tickets (one fake for both)."""

    def __init__(self, day: StoredDay) -> None:
        self.feedback = day
        self.tickets = day


def dry_run(tmp_path: Path, *arguments: str, document: str = CANDIDATE) -> tuple[int, str, str]:
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(document, "utf-8")
    late = late_courier()
    day = StoredDay([late], [routed(late)])
    args = build_parser().parse_args(["rules", "dry-run", "--config", str(candidate), *arguments])
    out, err = io.StringIO(), io.StringIO()
    code = cli_rules.run(args, out, err, build=lambda: Stores(day))  # type: ignore[arg-type,return-value]
    return code, out.getvalue(), err.getvalue()


def test_the_run_prints_each_change_and_the_summary(tmp_path: Path) -> None:
    code, out, err = dry_run(tmp_path, "--day", DAY)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "team: support -> logistics; priority: normal -> high" in lines[0]
    assert "(rules: low-rating, delivery-to-logistics)" in lines[0]
    assert f"{DAY}: 1 items, 1 would change; tickets 1 -> 1 (0 newly opened, 0 no longer)" in lines
    assert "  team support -> logistics: 1" in lines


def test_json_is_the_ops_routes_answer(tmp_path: Path) -> None:
    code, out, _ = dry_run(tmp_path, "--day", DAY, "--format", "json")

    answer: dict[str, Any] = json.loads(out)
    assert code == 0
    assert answer["summary"]["team_changes"] == {"support -> logistics": 1}
    assert answer["items"][0]["would"]["team"] == "logistics"


def test_an_invalid_candidate_is_refused_with_every_problem_by_its_path(tmp_path: Path) -> None:
    code, out, err = dry_run(
        tmp_path,
        "--day",
        DAY,
        document="rules:\n  - {name: a, when: {flag: adverts}, then: {team: nobody}}\n",
    )

    assert (code, out) == (2, "")
    assert ": rules[0].when.flag: unknown flag 'adverts'; flags are advertising" in err
    assert ": rules[0].then.team: unknown team 'nobody'; teams are support" in err


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--day", "22.11.2026"], "otklik: --day: '22.11.2026' is not a date YYYY-MM-DD\n"),
        (["--day", "2026-02-30"], "otklik: --day: 2026-02-30 is not a calendar date\n"),
        (["--day", DAY, "--max-items", "0"], "otklik: --max-items: give 1 to 1000\n"),
    ],
)
def test_a_bad_argument_is_one_line(tmp_path: Path, arguments: list[str], problem: str) -> None:
    code, _, err = dry_run(tmp_path, *arguments)

    assert (code, err) == (2, problem)


def test_without_the_tables_settings_it_says_which_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OTKLIK_FEEDBACK_TABLE", raising=False)
    monkeypatch.delenv("OTKLIK_TICKETS_TABLE", raising=False)
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(CANDIDATE, "utf-8")

    code = main(["rules", "dry-run", "--config", str(candidate), "--day", DAY])

    err = capsys.readouterr().err
    assert code == 2
    assert "OTKLIK_FEEDBACK_TABLE" in err and "OTKLIK_TICKETS_TABLE" in err
    assert "AWS_ENDPOINT_URL=http://127.0.0.1:4566" in err
