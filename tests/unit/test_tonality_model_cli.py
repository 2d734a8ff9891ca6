"""`otklik tonality` with a learned layer: --model, `tonality model`, and eval's refusal of training data."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from otklik.domain.tonality.learned import Gate, shipped_model
from otklik.domain.tonality.scoring import training_examples
from otklik.domain.tonality.training import Hyper, train
from otklik.entrypoints.cli import main

ROWS = [
    {"text": "Отличная куртка, теплая", "label": "positive"},
    {"text": "Шов разошелся, ужасное качество", "label": "negative"},
    {"text": "Пришло в срок, пока не носили", "label": "neutral"},
]


def labelled(path: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    return path


def model_file(path: Path, trained_on: Path | None = None) -> Path:
    examples = training_examples([(row["text"], row["label"]) for row in ROWS] * 2, 12)
    model = train(examples, Hyper(bits=12), gate=Gate(coverage_none=0.0, coverage_full=0.0))
    model.manifest = {"version": "acct-test", "data": {}}
    if trained_on is not None:
        digest = hashlib.sha256(trained_on.read_bytes()).hexdigest()
        model.manifest["data"] = {"mine": {"file": trained_on.name, "sha256": digest, "rows": 3}}
    path.write_bytes(model.dumps())
    return path


def test_eval_refuses_a_file_its_model_was_trained_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = labelled(tmp_path / "seen.jsonl")
    model = model_file(tmp_path / "acct.otm", trained_on=seen)

    code = main(["tonality", "eval", str(seen), "--model", str(model)])

    assert code == 2
    err = capsys.readouterr().err
    assert "trained on seen.jsonl" in err and "--model lexicon" in err


def test_eval_measures_a_given_model_on_a_file_it_never_saw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = labelled(tmp_path / "seen.jsonl")
    unseen = labelled(
        tmp_path / "unseen.jsonl", [*ROWS, {"text": "Не советую, сломалось", "label": "negative"}]
    )
    model = model_file(tmp_path / "acct.otm", trained_on=seen)

    code = main(["tonality", "eval", str(unseen), "--model", str(model), "--format", "json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["count"] == 4


@pytest.mark.parametrize("content", [b"", b"garbage\nmore"])
def test_a_model_file_that_is_not_one_is_a_clear_error(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.otm").write_bytes(content)

    code = main(["tonality", "explain", "Отлично", "--model", str(tmp_path / "bad.otm")])

    assert code == 2
    assert "bad.otm: not a tonality model" in capsys.readouterr().err


def test_explain_shows_the_learned_layer_and_its_strongest_features(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_file(tmp_path / "acct.otm")

    assert main(["tonality", "explain", "Отличная куртка, теплая", "--model", str(model)]) == 0

    lines = capsys.readouterr().out.splitlines()
    layer = next(line for line in lines if line.startswith("learned layer acct-test: weight "))
    assert "positive" in layer
    strongest = lines[lines.index(layer) + 1 :]
    # the word, its stem or a pair it is in: each names what the layer read
    assert strongest and any("«отлич" in line for line in strongest)


def test_explain_with_the_lexicon_alone_says_no_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tonality", "explain", "Отличная куртка", "--model", "lexicon"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("lang ru, engine otklik-ru, compound")
    assert "learned layer: none (the lexicon alone)" in out


def test_score_records_both_engines_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_file(tmp_path / "acct.otm")
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "Отличная куртка, теплая", "kind": "review"}\n'))

    assert main(["tonality", "score", "--model", str(model)]) == 0

    tone = json.loads(capsys.readouterr().out)["tonality"]
    assert (tone["lexicon_version"], tone["model_version"]) == ("tonality-0.2", "acct-test")
    assert tone["model_weight"] > 0 and tone["lexicon_compound"] is not None


@pytest.mark.skipif(shipped_model() is None, reason="no learned layer shipped yet (make model)")
def test_tonality_model_prints_the_shipped_models_cross_validated_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tonality", "model"]) == 0

    out = capsys.readouterr().out
    model = shipped_model()
    assert model is not None
    assert out.startswith(f"model    {model.version} ")
    assert "5-fold cross-validated" in out
    blend = [line.split() for line in out.splitlines() if " blend " in f" {line} "]
    assert {row[0] for row in blend} == {"wildberries", "otzovik", "telecom"}
