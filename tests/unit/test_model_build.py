"""`make model` and its check, and what the shipped model's manifest promises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from otklik.domain.tonality.learned import SHIPPED_FILE
from otklik.entrypoints import build_model

SHIPPED = build_model.MODEL_DIR / SHIPPED_FILE
MANIFEST = build_model.MODEL_DIR / build_model.MANIFEST_FILE
HAVE_DATASETS = all((build_model.DATASETS / file).is_file() for file, _ in build_model.SETS.values())


def fake_build(data: bytes) -> Any:
    def build(datasets: Path, progress: Any = None) -> tuple[bytes, dict[str, Any]]:
        return data, {"version": "shipped-test", "cross_validated": {}}

    return build


def test_check_fails_until_the_model_is_built_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(build_model, "MODEL_DIR", tmp_path)
    monkeypatch.setattr(build_model, "build", fake_build(b"model one"))

    # Given no model built, Then the check fails and says what to run
    assert build_model.main(["--check"]) == 1
    assert "run make model" in capsys.readouterr().err

    # When it is built, Then the check passes
    assert build_model.main([]) == 0
    assert (tmp_path / SHIPPED_FILE).read_bytes() == b"model one"
    assert json.loads((tmp_path / build_model.MANIFEST_FILE).read_text("utf-8"))["version"] == "shipped-test"
    assert build_model.main(["--check"]) == 0

    # And When what make model builds changes, Then the check fails again
    monkeypatch.setattr(build_model, "build", fake_build(b"model two"))
    assert build_model.main(["--check"]) == 1


@pytest.mark.skipif(not HAVE_DATASETS, reason="../shared/datasets is not beside the project")
@pytest.mark.skipif(not SHIPPED.is_file(), reason="no learned layer shipped yet (make model)")
def test_the_shipped_model_is_what_make_model_builds(capsys: pytest.CaptureFixture[str]) -> None:
    code = build_model.main(["--check"])

    assert code == 0, capsys.readouterr().err


@pytest.mark.skipif(not MANIFEST.is_file(), reason="no learned layer shipped yet (make model)")
def test_the_shipped_manifest_keeps_the_promises() -> None:
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    cross, left_out = manifest["cross_validated"], manifest["left_one_set_out"]
    lexicon = cross["lexicon"]

    # The figures are cross-validated on each dev set, and the blend is never below the lexicon: on the
    # kinds of text it learned from, and on a kind it never saw (each set left out in turn)
    assert cross["folds"] == build_model.FOLDS
    assert set(manifest["data"]) == set(build_model.SETS)
    for name, (_, metric) in build_model.SETS.items():
        assert cross["blend"][name][metric] >= lexicon[name][metric], name
        assert left_out["blend"][name][metric] >= lexicon[name][metric], name
    # A missed complaint costs more than a false alarm
    assert cross["blend"]["wildberries"]["negative_recall"] >= 0.80
    # The learning curve of an account's own model is there for each size
    for name in build_model.CURVE_SETS:
        sizes = manifest["learning_curve"][name]["own"]
        assert {str(size) for size in build_model.CURVE_SIZES} <= set(sizes)
