"""`otklik topics detect` and `otklik topics eval`, as DESIGN.md fixes them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from otklik.entrypoints import cli

LABELLED = [
    {
        "text": "Доставка быстрая, но качество ужасное",
        "topics": {"delivery": "positive", "quality": "negative"},
    },
    {"text": "Маломерит на размер", "topics": {"size_fit": "negative"}},
    {"text": "Рекомендую!", "topics": {}},
    {
        "text": "Запах химический, а сама свеча треснула",
        "topics": {"smell": "negative", "quality": "negative"},
    },
]


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    return cli.main(argv), out.getvalue(), err.getvalue()


def labelled_file(tmp_path: Path, rows: list[dict[str, object]] = LABELLED) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    return path


# ------------------------------------------------------------------ detect


def test_detect_writes_each_line_back_with_its_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two lines, one of them English and one with a field of its own
    lines = (
        json.dumps({"text": "Доставка быстрая, но качество ужасное", "id": 7}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"text": "Smells awful", "lang": "en"})
        + "\n"
    )

    code, out, err = run(monkeypatch, ["topics", "detect"], lines)

    # Then each comes back whole, with topics as {"topic", "polarity", "evidence"}
    assert (code, err) == (0, "")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {
        "text": "Доставка быстрая, но качество ужасное",
        "id": 7,
        "topics": [
            {"topic": "delivery", "polarity": "positive", "evidence": "Доставка быстрая"},
            {"topic": "quality", "polarity": "negative", "evidence": "качество ужасное"},
        ],
    }
    assert second["topics"] == [{"topic": "smell", "polarity": "negative", "evidence": "Smells awful"}]


def test_detect_writes_an_empty_list_for_a_text_without_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(monkeypatch, ["topics", "detect"], '{"text": "Рекомендую!"}\n')

    assert code == 0
    assert json.loads(out)["topics"] == []


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"text": 5}', "line 1: each line must be a JSON object with a string 'text'"),
        ('{"text": "x", "lang": "de"}', 'line 1: \'lang\' must be "ru" or "en" when given'),
        ("not json", "line 1: "),
        ("[1, 2]", "line 1: the line must be a JSON object"),
    ],
)
def test_detect_refuses_a_bad_line_by_its_number_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, line: str, why: str
) -> None:
    code, out, err = run(monkeypatch, ["topics", "detect"], line + '\n{"text": "Маломерит"}\n')

    assert code == 1
    assert err.startswith(why)
    assert json.loads(out)["topics"][0]["topic"] == "size_fit"


def test_detect_applies_the_topics_of_a_configuration_document(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = tmp_path / "otklik.yaml"
    document.write_text("topics:\n  custom:\n    - name: assembly\n      words: [сборка]\n", "utf-8")

    code, out, _ = run(
        monkeypatch, ["topics", "detect", "--config", str(document)], '{"text": "Сборка ужасная"}\n'
    )

    assert code == 0
    assert json.loads(out)["topics"] == [
        {"topic": "assembly", "polarity": "negative", "evidence": "Сборка ужасная"}
    ]


def test_a_configuration_document_with_mistakes_is_refused_by_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = tmp_path / "otklik.yaml"
    document.write_text("topics:\n  words:\n    deliverry: [курьер]\n", "utf-8")

    code, out, err = run(monkeypatch, ["topics", "detect", "--config", str(document)], '{"text": "x"}\n')

    assert (code, out) == (2, "")
    assert f"{document}: topics.words.deliverry: unknown topic 'deliverry'" in err


# ------------------------------------------------------------------ eval


def test_eval_prints_the_figures_of_issue_9(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, err = run(monkeypatch, ["topics", "eval", str(labelled_file(tmp_path))])

    assert (code, err) == (0, "")
    for figure in (
        "micro-F1 presence",
        "macro-F1 presence",
        "micro-F1 (topic, negative)",
        "polarity accuracy",
        "texts per second",
    ):
        assert figure in out
    assert "quality" in out and "precision" in out and "recall" in out


def test_eval_as_json_gives_the_figures_a_machine_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given four labelled reviews the detector gets right
    code, out, _ = run(monkeypatch, ["topics", "eval", str(labelled_file(tmp_path)), "--format", "json"])

    figures = json.loads(out)
    assert code == 0
    assert figures["count"] == 4
    assert (figures["micro_f1"], figures["negative_micro_f1"], figures["polarity_accuracy"]) == (
        1.0,
        1.0,
        1.0,
    )
    assert figures["topics"]["quality"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 2,
        "predicted": 2,
    }


def test_eval_counts_a_miss_and_a_wrong_polarity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given labels that disagree with the detector on one polarity and one missing topic
    rows = [
        {"text": "Доставка быстрая", "topics": {"delivery": "negative"}},
        {"text": "Рекомендую!", "topics": {"seller_service": "positive"}},
    ]

    _, out, _ = run(monkeypatch, ["topics", "eval", str(labelled_file(tmp_path, rows)), "--format", "json"])

    figures = json.loads(out)
    assert figures["polarity_accuracy"] == 0.0  # the one topic found has the other polarity
    assert figures["topics"]["seller_service"]["recall"] == 0.0
    assert figures["micro_f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5, abs=1e-4)  # 1 found, right; 1 of 2 found


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"text": "x"}', "each line needs a string 'text' and 'topics': {topic: polarity}"),
        ('{"text": "x", "topics": {"quality": "bad"}}', "each topic's polarity is one of negative, neutral"),
    ],
)
def test_eval_refuses_a_file_with_a_bad_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, line: str, why: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", "utf-8")

    code, out, err = run(monkeypatch, ["topics", "eval", str(path)])

    assert (code, out) == (1, "")
    assert err.startswith(f"{path}:1: {why}")


def test_eval_names_a_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, _, err = run(monkeypatch, ["topics", "eval", str(tmp_path / "none.jsonl")])

    assert code == 1
    assert "none.jsonl: cannot be read" in err
