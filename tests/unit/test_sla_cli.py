"""`otklik sla due`, as DESIGN.md fixes it: the due time N business hours after --received."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from otklik.entrypoints import cli


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    return cli.main(argv), out.getvalue(), err.getvalue()


def due(monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    code, out, err = run(monkeypatch, ["sla", "due", *argv])
    assert (code, err) == (0, "")
    return out


@pytest.mark.parametrize(
    ("received", "hours", "printed"),
    [
        # Wednesday 30 December 2026 17:30: half an hour, then 31 December and 1-10 January rest
        ("2026-12-30T17:30:00+03:00", "24", "2027-01-13T14:30:00+03:00"),
        ("2026-12-30T17:30:00+03:00", "1", "2027-01-11T09:30:00+03:00"),
        # Friday 20 November 2026 17:00 Moscow time, given in UTC
        ("2026-11-20T14:00:00Z", "2", "2026-11-23T10:00:00+03:00"),
        # No zone: the calendar's own
        ("2026-11-20T17:00", "2", "2026-11-23T10:00:00+03:00"),
        ("2026-11-20T17:00", "1.5", "2026-11-23T09:30:00+03:00"),
        ("2026-11-22T03:00:00+03:00", "0", "2026-11-22T03:00:00+03:00"),
    ],
    ids=["new-year", "new-year-1h", "utc", "no-zone", "fraction", "zero"],
)
def test_due_prints_the_moment_in_the_calendars_time_zone(
    monkeypatch: pytest.MonkeyPatch, received: str, hours: str, printed: str
) -> None:
    assert due(monkeypatch, "--received", received, "--hours", hours) == printed + "\n"


CONFIG = """
sla:
  calendars:
    - name: default
    - name: urals
      time_zone: Asia/Yekaterinburg
      week:
        mon: ["09:00-13:00", "14:00-18:00"]
  policies:
    - name: standard
      targets: [{first_response_hours: 24}]
    - name: urals-team
      calendar: urals
      targets: [{first_response_hours: 8}]
"""


def test_the_policy_chooses_the_calendar_that_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given a document with a Yekaterinburg calendar that has lunch on Mondays, and its policy
    document = tmp_path / "otklik.yaml"
    document.write_text(CONFIG, "utf-8")

    # When Monday 23 November 2026 12:30 Yekaterinburg time is given two hours under that policy
    printed = due(
        monkeypatch,
        "--received",
        "2026-11-23T12:30:00+05:00",
        "--hours",
        "2",
        "--policy",
        "urals-team",
        "--config",
        str(document),
    )

    # Then half an hour before lunch, an hour and a half after it, in Yekaterinburg time
    assert printed == "2026-11-23T15:30:00+05:00\n"
    # and without --policy the default policy's calendar (Moscow, no lunch) counts
    assert due(
        monkeypatch, "--received", "2026-11-23T12:30:00+05:00", "--hours", "2", "--config", str(document)
    ) == ("2026-11-23T12:30:00+03:00\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--received", "yesterday", "--hours", "2"],
            "otklik: --received: 'yesterday' is not an ISO 8601 date and time, "
            "e.g. 2026-12-30T17:30:00+03:00",
        ),
        (
            ["--received", "2026-11-20T17:00", "--hours", "two"],
            "otklik: --hours: 'two' is not a number of hours",
        ),
        (
            ["--received", "2026-11-20T17:00", "--hours", "-1"],
            "otklik: --hours: -1 is not a number of hours from 0 to 1000000",
        ),
        (
            ["--received", "2026-11-20T17:00", "--hours", "nan"],
            "otklik: --hours: nan is not a number of hours from 0 to 1000000",
        ),
        (
            ["--received", "2026-11-20T17:00", "--hours", "2", "--policy", "vip"],
            "otklik: --policy: unknown policy 'vip'; policies are standard",
        ),
        (
            ["--received", "9999-12-31T17:00:00+03:00", "--hours", "24"],
            "otklik: 9999-12-31 is past the year 9997, the last a calendar counts",
        ),
    ],
    ids=["bad-received", "bad-hours", "negative-hours", "nan-hours", "unknown-policy", "end-of-time"],
)
def test_bad_input_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str
) -> None:
    code, out, err = run(monkeypatch, ["sla", "due", *argv])

    assert (code, out, err) == (2, "", message + "\n")


def test_an_invalid_configuration_exits_2_naming_its_problems(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = tmp_path / "otklik.yaml"
    document.write_text("sla:\n  default_policy: fast\n", "utf-8")

    code, out, err = run(
        monkeypatch,
        ["sla", "due", "--received", "2026-11-20T17:00", "--hours", "2", "--config", str(document)],
    )

    assert (code, out) == (2, "")
    assert err == f"{document}: sla.default_policy: unknown policy 'fast'; policies are standard\n"


def test_a_missing_configuration_file_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"

    code, _, err = run(
        monkeypatch,
        ["sla", "due", "--received", "2026-11-20T17:00", "--hours", "2", "--config", str(missing)],
    )

    assert (code, err) == (2, f"otklik: {missing}: cannot be read: No such file or directory\n")


def test_received_and_hours_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(monkeypatch, ["sla", "due", "--hours", "2"])

    assert exit_.value.code == 2


def test_the_readmes_due_time_is_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the README's example: its command line and the due time its comment promises
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    lines = readme.splitlines()
    (index,) = [n for n, line in enumerate(lines) if line.startswith(".venv/bin/otklik sla due ")]
    argv = lines[index].split()[1:]
    promised = lines[index + 1].removeprefix("# ").split(": ", 1)[0]
    # When it is run from the repository
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    printed = due(monkeypatch, *argv[2:])
    # Then it prints the moment the README says
    assert printed == promised + "\n"
