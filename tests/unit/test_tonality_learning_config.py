"""The configuration document's `tonality.model`, `tonality.models` and `tonality.learning`: their defaults,
what each account is scored with, and every bad value refused by its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from otklik.domain.config import DEFAULT_CONFIG, ConfigInvalid, parse_config
from otklik.domain.learning import LearningSettings
from otklik.entrypoints.cli import main

VERSION = "20261123T023000Z-3fa1b2"


def refused(document: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as refusal:
        parse_config(document)
    return refusal.value.problems


def test_by_default_every_account_uses_its_promoted_model_and_learns_weekly() -> None:
    tonality = DEFAULT_CONFIG.tonality

    assert (tonality.model, tonality.models) == ("current", {})
    assert tonality.learning == LearningSettings(
        enabled=True, min_reviews=500, max_reviews=20_000, days=180, holdout_share=0.2, min_gain=0.01
    )
    assert tonality.model_for("wb-main") == "current"


def test_an_account_can_be_pinned_to_a_version_or_the_shipped_model_beside_the_others_choice() -> None:
    config = parse_config(f"tonality: {{model: shipped, models: {{wb-main: {VERSION}, site: lexicon}}}}")

    assert config.tonality.model_for("wb-main") == VERSION
    assert config.tonality.model_for("site") == "lexicon"
    assert config.tonality.model_for("ozon-main") == "shipped"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            "tonality: {model: curent}",
            "tonality.model: 'curent' is not current, shipped, lexicon or a model version like "
            "20261123T031500Z-3fa1b2",
        ),
        (
            f"tonality: {{model: {VERSION}}}",
            f"tonality.model: '{VERSION}' is one account's model version; pin it for that account under "
            f"tonality.models (e.g. models: {{my-account: {VERSION}}})",
        ),
        (
            "tonality: {models: {wb-main: v2}}",
            "tonality.models.wb-main: 'v2' is not current, shipped, lexicon or a model version like "
            "20261123T031500Z-3fa1b2",
        ),
        (
            "tonality: {models: {'wb main': shipped}}",
            "tonality.models.wb main: 'wb main' is not an account name (letters, digits, '_', '.', '-'; "
            "at most 100)",
        ),
        (
            "tonality: {learning: {min_reviews: 900, max_reviews: 800}}",
            "tonality.learning: min_reviews (900) is above max_reviews (800): "
            "no account could ever be trained",
        ),
        (
            "tonality: {learning: {min_reviews: 20}}",
            "tonality.learning.min_reviews: Input should be greater than or equal to 100",
        ),
        (
            "tonality: {learning: {holdout_share: 0.9}}",
            "tonality.learning.holdout_share: Input should be less than or equal to 0.5",
        ),
        (
            "tonality: {learning: {min_gain: -0.1}}",
            "tonality.learning.min_gain: Input should be greater than or equal to 0",
        ),
        (
            "tonality: {learning: {days: 0}}",
            "tonality.learning.days: Input should be greater than or equal to 1",
        ),
        ("tonality: {learning: {enable: false}}", "tonality.learning.enable: unknown setting"),
    ],
)
def test_a_bad_model_or_learning_setting_is_refused_by_its_path(document: str, problem: str) -> None:
    assert refused(document) == [problem]


def test_config_check_refuses_a_misspelt_model_choice_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "otklik.yaml"
    document.write_text("tonality:\n  models:\n    wb-main: shiped\n", "utf-8")

    assert main(["config", "check", str(document)]) == 2
    assert capsys.readouterr().err == (
        f"{document}: tonality.models.wb-main: 'shiped' is not current, shipped, lexicon or a model version "
        "like 20261123T031500Z-3fa1b2\n"
    )
