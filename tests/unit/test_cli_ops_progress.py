"""The command line's progress bar: drawn in place on a terminal's stderr, nothing at all anywhere else."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from otklik.entrypoints import cli, cli_progress
from otklik.entrypoints.cli_progress import Progress, Waiting


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_it_redraws_one_line_and_ends_it() -> None:
    stream = Terminal()
    ticks = iter([0.0, 0.05, 0.2, 0.3])

    with Progress(4, "moved", stream, clock=lambda: next(ticks)) as progress:
        for _ in range(4):
            progress.advance()

    drawn = stream.getvalue()
    # The first step draws, the second is within a tenth of a second and waits, the third and the last draw.
    assert drawn.split("\r")[1:] == [
        "moved [#######·······················] 1/4",
        "moved [######################········] 3/4",
        "moved [##############################] 4/4",
        "moved [##############################] 4/4\n",
    ]


def test_without_a_total_it_counts() -> None:
    stream = Terminal()

    with Progress(None, "moved", stream) as progress:
        progress.advance(3)

    assert stream.getvalue().endswith("\rmoved 3\n")


def test_piped_or_redirected_it_writes_nothing() -> None:
    stream = io.StringIO()

    with Progress(2, "moved", stream) as progress:
        progress.advance()
        progress.advance()

    assert stream.getvalue() == ""


def test_tonality_eval_shows_its_progress_on_a_terminal_and_not_in_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "\n".join(
            json.dumps({"text": text, "label": label}, ensure_ascii=False)
            for text, label in (("Отличный товар", "positive"), ("Ужасно", "negative"))
        ),
        "utf-8",
    )

    assert cli.main(["tonality", "eval", str(rows)]) == 0
    assert capsys.readouterr().err == ""

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["tonality", "eval", str(rows), "--format", "json"]) == 0
    assert terminal.getvalue().endswith("\rscored [##############################] 2/2\n")
    assert json.loads(capsys.readouterr().out)["count"] == 2


def test_waiting_on_a_terminal_ends_its_line_saying_whether_the_work_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_progress, "WAIT_REDRAW_SECONDS", 0.01)
    stream = Terminal()

    with pytest.raises(RuntimeError), Waiting("poll: waiting", stream):
        raise RuntimeError("the function failed")

    assert stream.getvalue().endswith("\rpoll: waiting: stopped after 0 s\n")


def test_waiting_in_a_pipe_writes_nothing() -> None:
    stream = io.StringIO()

    with Waiting("poll: waiting", stream):
        pass

    assert stream.getvalue() == ""
