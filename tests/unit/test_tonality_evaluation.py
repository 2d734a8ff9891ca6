"""Measuring tonality on labelled feedback, and the `otklik tonality eval|explain` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from otklik.domain.tonality import scoring, with_overrides
from otklik.domain.tonality.evaluation import evaluate, feedback_text, run_evaluation
from otklik.domain.tonality.lexicon_table import Lexicon
from otklik.domain.tonality.overrides import NO_OVERRIDES, Overrides
from otklik.domain.tonality.russian import RussianEngine
from otklik.entrypoints.cli import main
from tests.unit.tonality_fixtures import ENGLISH_VALENCE, build_fixture_lexicon

# gold:      positive x3,                 negative x2,        neutral x2
GOLD = ["positive", "positive", "positive", "negative", "negative", "neutral", "neutral"]
PREDICTED = ["positive", "positive", "neutral", "negative", "positive", "neutral", "negative"]


# --- the measures


def test_measures_of_a_small_hand_checked_run() -> None:
    result = evaluate(GOLD, PREDICTED, seconds=2.0)

    # positive: 2 of 3 predicted right, 2 of 3 found; negative: 1 of 2, 1 of 2; neutral: 1 of 2, 1 of 2
    assert result.classes["positive"].precision == pytest.approx(2 / 3)
    assert result.classes["positive"].recall == pytest.approx(2 / 3)
    assert result.classes["positive"].f1 == pytest.approx(2 / 3)
    assert result.classes["negative"].precision == pytest.approx(1 / 2)
    assert result.classes["negative"].recall == pytest.approx(1 / 2)
    assert result.classes["neutral"].f1 == pytest.approx(1 / 2)
    assert [result.classes[c].support for c in ("positive", "negative", "neutral")] == [3, 2, 2]
    assert result.count == 7
    assert result.accuracy == pytest.approx(4 / 7)
    assert result.macro_f1 == pytest.approx((2 / 3 + 1 / 2 + 1 / 2) / 3)
    assert result.macro_f1_pos_neg == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert result.texts_per_second == pytest.approx(3.5)


def test_f1_is_the_harmonic_mean_when_precision_and_recall_differ() -> None:
    # Given three negatives of which one is found, and nothing else called negative
    result = evaluate(["negative"] * 3, ["negative", "neutral", "neutral"], seconds=1.0)

    # Then precision 1, recall 1/3, F1 = 2 * 1 * 1/3 / (1 + 1/3) = 1/2
    negative = result.classes["negative"]
    assert (negative.precision, negative.recall) == (1.0, pytest.approx(1 / 3))
    assert negative.f1 == pytest.approx(1 / 2)


def test_confusion_rows_are_gold_and_columns_are_predicted() -> None:
    confusion = evaluate(GOLD, PREDICTED, seconds=1.0).confusion

    # a negative called positive is in the negative row
    assert confusion["negative"]["positive"] == 1
    assert confusion["positive"]["negative"] == 0
    assert confusion["positive"] == {"negative": 0, "neutral": 1, "positive": 2}


def test_a_class_never_seen_nor_predicted_scores_zero_without_failing() -> None:
    result = evaluate(["positive", "positive"], ["positive", "positive"], seconds=1.0)

    assert result.classes["negative"] == result.classes["neutral"]
    assert (result.classes["negative"].precision, result.classes["negative"].f1) == (0.0, 0.0)
    assert result.classes["negative"].support == 0
    assert result.accuracy == 1.0
    assert result.macro_f1 == pytest.approx(1 / 3)


def test_an_empty_run_measures_zero_without_failing() -> None:
    result = evaluate([], [], seconds=0.0)

    assert (result.count, result.accuracy, result.macro_f1) == (0, 0.0, 0.0)


def test_run_evaluation_labels_each_row_and_compares_with_its_gold_label() -> None:
    rows = [
        {"text": "a", "label": "positive"},
        {"text": "b", "label": "negative"},
        {"text": "c", "label": "neutral"},
    ]

    ticks = iter([10.0, 11.5])  # the clock reads 10 s before labelling and 11.5 s after

    result = run_evaluation(
        rows, lambda row: "positive" if row["text"] == "a" else "negative", ticks.__next__
    )

    assert result.accuracy == pytest.approx(2 / 3)
    assert result.confusion["neutral"]["negative"] == 1
    assert result.texts_per_second == pytest.approx(3 / 1.5)


# --- what is scored


def test_feedback_text_joins_title_pros_cons_and_text() -> None:
    row = {"title": " Чехол ", "pros": "мягкий", "cons": "маркий", "text": "В целом доволен"}

    assert feedback_text(row) == "Чехол\nмягкий\nмаркий\nВ целом доволен"


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"text": "Доволен"}, "Доволен"),
        ({"title": None, "pros": "", "cons": None, "text": "Доволен"}, "Доволен"),
        ({"title": "Чехол", "cons": "маркий"}, "Чехол\nмаркий"),
    ],
)
def test_feedback_text_leaves_out_what_is_missing(row: dict[str, Any], text: str) -> None:
    assert feedback_text(row) == text


# --- the commands


@pytest.fixture(scope="module")
def fixture_lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    lemmas = {"хороший": 1.9, "удобный": 1.7, "порваться": -1.9, "брак": -2.4}
    return build_fixture_lexicon(tmp_path_factory.mktemp("fixture-lexicon"), lemmas, {})


@pytest.fixture
def russian_fixture_engine(fixture_lexicon: Lexicon, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands score Russian with the fixture lexicon instead of the shipped one."""

    def engine(overrides: Overrides = NO_OVERRIDES) -> RussianEngine:
        return RussianEngine(with_overrides(fixture_lexicon, overrides), lambda: ENGLISH_VALENCE)

    monkeypatch.setattr(scoring, "russian_engine", engine)


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


LABELLED = [
    {"text": "Очень удобный, хороший", "label": "positive"},
    {"title": "Брак", "text": "Порвался через день", "label": "negative"},
    {"text": "I love it, excellent quality, great!", "label": "positive"},
    # mislabelled on purpose: the engine calls it negative
    {"text": "Terrible quality, it broke after one day. Awful!", "label": "neutral"},
]


@pytest.mark.usefixtures("russian_fixture_engine")
def test_eval_prints_the_measures_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = write_lines(tmp_path / "labelled.jsonl", LABELLED)

    code = main(["tonality", "eval", str(labelled), "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (report["count"], report["accuracy"]) == (4, 0.75)
    assert report["confusion"]["neutral"] == {"negative": 1, "neutral": 0, "positive": 0}
    assert report["classes"]["positive"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2}


@pytest.mark.usefixtures("russian_fixture_engine")
def test_eval_prints_a_table_for_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = write_lines(tmp_path / "labelled.jsonl", LABELLED)

    code = main(["tonality", "eval", str(labelled)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert "texts            4" in lines
    assert "accuracy         0.7500" in lines
    confusion = lines.index("confusion (rows: gold, columns: predicted)")
    columns, *rows = (line.split() for line in lines[confusion + 1 :])
    assert columns == ["negative", "neutral", "positive"]
    # the mislabelled complaint: gold neutral, predicted negative
    assert ["neutral", "1", "0", "0"] in rows


def test_eval_uses_stars_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given praise given one star, labelled negative by a person who read the stars
    labelled = write_lines(
        tmp_path / "labelled.jsonl",
        [{"text": "I love it, excellent quality, great!", "rating": 1, "label": "negative"}],
    )

    main(["tonality", "eval", str(labelled), "--format", "json"])
    text_only = json.loads(capsys.readouterr().out)
    main(["tonality", "eval", str(labelled), "--format", "json", "--with-ratings"])
    with_ratings = json.loads(capsys.readouterr().out)

    assert (text_only["accuracy"], with_ratings["accuracy"]) == (0.0, 1.0)


def test_eval_rejects_a_line_without_a_gold_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = write_lines(
        tmp_path / "labelled.jsonl", [{"text": "Nice", "label": "positive"}, {"text": "x"}]
    )

    code = main(["tonality", "eval", str(labelled)])

    assert code == 1
    assert f"{labelled}:2: each line needs a string 'text' and a 'label'" in capsys.readouterr().err


@pytest.mark.usefixtures("russian_fixture_engine")
def test_explain_prints_a_line_per_contribution_naming_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["tonality", "explain", "Не очень хороший, но удобный)))", "--model", "lexicon"])

    lines = capsys.readouterr().out.splitlines()
    header, *units, total, layer = lines
    assert code == 0
    assert header.startswith("lang ru, engine otklik-ru")
    assert header.endswith("-> positive")
    assert len(units) == 3
    good, comfortable, brackets = units
    assert "lemma хороший" in good
    assert "booster 'очень'" in good
    assert "negated by 'Не' x-0.74" in good
    assert "before 'но' x0.5" in good
    assert "lemma удобный" in comfortable
    assert "after 'но' x1.5" in comfortable
    assert "brackets" in brackets
    assert total.startswith("sum +")
    assert layer == "learned layer: none (the lexicon alone)"


@pytest.mark.usefixtures("russian_fixture_engine")
def test_explain_says_when_nothing_was_found(capsys: pytest.CaptureFixture[str]) -> None:
    main(["tonality", "explain", "Чехол пришёл во вторник", "--model", "lexicon"])

    out = capsys.readouterr().out
    assert "compound +0.0000 -> neutral" in out
    assert "no evaluative word, phrase, smiley or emoji found: neutral" in out


def test_explain_of_english_points_to_vader(capsys: pytest.CaptureFixture[str]) -> None:
    main(["tonality", "explain", "Great stuff", "--lang", "en"])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("lang en, engine vader, compound +")
    assert "VADER" in lines[1]


@pytest.mark.usefixtures("russian_fixture_engine")
def test_explain_applies_an_overrides_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    overrides = tmp_path / "overrides.json"
    overrides.write_text('{"имба": 3.0}', "utf-8")

    main(["tonality", "explain", "Чехол имба", "--overrides", str(overrides)])

    out = capsys.readouterr().out
    assert "-> positive" in out
    assert "lemma имба" in out


@pytest.mark.parametrize("command", [["explain", "Чехол имба"], ["score"], ["eval", "labelled.jsonl"]])
def test_a_bad_overrides_file_stops_every_command_with_exit_2(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = tmp_path / "overrides.json"
    overrides.write_text('{"имба": 9}', "utf-8")

    code = main(["tonality", *command, "--overrides", str(overrides)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert (
        captured.err
        == f'otklik: {overrides}: bad tonality overrides: "имба": the valence 9 is outside -4..4\n'
    )


def test_a_missing_overrides_file_stops_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["tonality", "explain", "Чехол", "--overrides", str(tmp_path / "absent.json")])

    assert code == 2
    assert "absent.json" in capsys.readouterr().err
