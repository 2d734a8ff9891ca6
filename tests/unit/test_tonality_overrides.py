"""A deployment's lexicon overrides: validated with a message per bad entry, then scored as promised."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from otklik.domain.config import ConfigInvalid, parse_config
from otklik.domain.tonality import with_overrides
from otklik.domain.tonality.lexicon_table import Lexicon
from otklik.domain.tonality.overrides import NO_OVERRIDES, OverrideError, parse_overrides
from otklik.domain.tonality.russian import RussianEngine
from otklik.entrypoints.cli import load_overrides
from tests.unit.tonality_fixtures import build_fixture_lexicon

LEMMAS = {"удобный": 1.7, "хороший": 1.9, "запах": -0.6, "брак": -2.4}
PHRASES = {"деньги на ветер": -3.0}


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    return build_fixture_lexicon(tmp_path_factory.mktemp("fixture-lexicon"), LEMMAS, PHRASES)


def compound(lexicon: Lexicon, text: str, overrides: dict[str, Any] | None = None) -> float:
    """The text's compound with the lexicon as a deployment with these overrides would score it."""
    parsed = parse_overrides(overrides) if overrides else NO_OVERRIDES
    return RussianEngine(with_overrides(lexicon, parsed), lambda: {}).score(text).compound


# --- parsing


def test_words_prefixes_and_phrases_are_told_apart() -> None:
    parsed = parse_overrides({"Имба": 3, "мыльн*": -1.0, "не тянет": -1.8, "Ёлочка": 1.5})

    assert parsed.words == (("имба", 3.0), ("елочка", 1.5))
    assert parsed.prefixes == (("мыльн", -1.0),)
    assert parsed.phrases == ((("не", "тянет"), -1.8),)


def test_the_limits_themselves_are_allowed() -> None:
    parsed = parse_overrides({"ужас": -4, "восторг": 4.0, "раз два три четыре пять": 1, "пол-литра": 0})

    assert len(parsed.words) == 3
    assert len(parsed.phrases) == 1


@pytest.mark.parametrize("document", [[{"имба": 3.0}], "имба", 3.0, None])
def test_a_document_that_is_not_an_object_is_rejected(document: Any) -> None:
    with pytest.raises(OverrideError, match="must be a JSON object of term -> valence"):
        parse_overrides(document)


@pytest.mark.parametrize(
    ("term", "value", "why"),
    [
        ("имба", "3", 'the valence must be a number, not "3"'),
        ("имба", True, "the valence must be a number, not true"),
        ("имба", None, "the valence must be a number, not null"),
        ("имба", 4.5, "the valence 4.5 is outside -4..4"),
        ("имба", -5, "the valence -5 is outside -4..4"),
        ("", 1.0, "the term must be a non-empty string"),
        ("   ", 1.0, "the term must be a non-empty string"),
        ("имба2", 1.0, "имба2 is not a word"),
        ("#имба", 1.0, "#имба is not a word"),
        ("им*ба", 1.0, "им*ба is not a word"),
        ("не *ба", 1.0, "*ба is not a word"),
        ("им*", 1.0, "a prefix needs 3 letters or more before the *"),
        ("раз два три четыре пять шесть", 1.0, "a phrase has at most 5 words"),
    ],
)
def test_a_bad_entry_is_rejected_saying_why(term: str, value: Any, why: str) -> None:
    with pytest.raises(OverrideError) as raised:
        parse_overrides({term: value}, origin="overrides.json")

    message = str(raised.value)
    assert message.startswith("overrides.json: bad tonality overrides: ")
    assert f"{json.dumps(term, ensure_ascii=False)}: {why}" in message


def test_every_bad_entry_is_named_and_the_good_ones_are_not() -> None:
    with pytest.raises(OverrideError) as raised:
        parse_overrides({"имба": 3.0, "пушка": "много", "маломерка": -9})

    message = str(raised.value)
    assert '"пушка"' in message
    assert '"маломерка"' in message
    assert '"имба"' not in message


# --- loading


def test_overrides_load_from_a_file_and_the_inline_string_wins(tmp_path: Path) -> None:
    # Given a file and an inline parameter that disagree on "имба"
    file = tmp_path / "overrides.json"
    file.write_text(json.dumps({"имба": 1.0, "пушка": 2.5}, ensure_ascii=False), "utf-8")

    # When both are loaded
    loaded = load_overrides(inline='{"имба": 3.0}', file=str(file))

    # Then the file's other entries stay and the parameter's "имба" wins
    assert dict(loaded.words) == {"имба": 3.0, "пушка": 2.5}


def test_no_overrides_when_neither_is_given() -> None:
    assert load_overrides() == NO_OVERRIDES
    assert not load_overrides(inline="  ")


def test_invalid_json_in_a_file_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "overrides.json"
    file.write_text("{'имба': 3.0}", "utf-8")

    with pytest.raises(
        OverrideError, match=rf"^{re.escape(str(file))}: tonality overrides are not valid JSON"
    ):
        load_overrides(file=str(file))


def test_invalid_json_inline_names_the_parameter() -> None:
    with pytest.raises(OverrideError, match=r"^parameter: tonality overrides are not valid JSON"):
        load_overrides(inline="{имба: 3}")


def test_a_bad_entry_in_a_file_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "overrides.json"
    file.write_text('{"имба": 30}', "utf-8")

    with pytest.raises(
        OverrideError, match=rf'^{re.escape(str(file))}: bad tonality overrides: "имба": the valence 30'
    ):
        load_overrides(file=str(file))


# --- scoring with overrides


def test_a_new_slang_word_changes_the_score(lexicon: Lexicon) -> None:
    assert compound(lexicon, "Чехол имба") == 0.0
    assert compound(lexicon, "Чехол имба", {"имба": 3.0}) > 0


def test_overriding_a_lemma_changes_all_its_forms(lexicon: Lexicon) -> None:
    # Given a seller for whom "удобный" is faint praise at best
    overrides = {"удобный": -1.0}

    # Then every form of the lemma follows
    for text in ["Удобный", "Удобная", "Удобен", "удобнее"]:
        assert compound(lexicon, text) > 0, text
        assert compound(lexicon, text, overrides) < 0, text


def test_overriding_a_form_that_is_not_a_lemma_changes_that_form_only(lexicon: Lexicon) -> None:
    overrides = {"удобная": -1.0}

    assert compound(lexicon, "Удобная", overrides) < 0
    assert compound(lexicon, "Удобный", overrides) == compound(lexicon, "Удобный") > 0


def test_a_prefix_covers_words_never_seen(lexicon: Lexicon) -> None:
    overrides = {"мыльн*": -1.5}

    for text in ["Картинка мыльная", "Камера мыльноватая", "Сплошное мыльнище"]:
        assert compound(lexicon, text) == 0.0, text
        assert compound(lexicon, text, overrides) < 0, text


def test_a_phrase_override_replaces_a_shipped_phrase_in_any_inflection(lexicon: Lexicon) -> None:
    # Given a seller who finds "деньги на ветер" too harsh at -3.0
    overrides = {"деньги на ветер": -1.0}

    assert compound(lexicon, "Деньгами на ветер", overrides) > compound(lexicon, "Деньгами на ветер")
    assert compound(lexicon, "Деньгами на ветер", overrides) < 0


def test_a_new_phrase_of_known_words_replaces_their_valences(lexicon: Lexicon) -> None:
    # Given "хороший" (+1.9) and "запах" (-0.6) in the lexicon, and the phrase "хороший запах" +3.0
    overrides = {"хороший запах": 3.0}

    assert compound(lexicon, "Хороший запах", overrides) > compound(lexicon, "Хороший запах") > 0
    assert compound(lexicon, "Хорошим запахом", overrides) == compound(lexicon, "Хороший запах", overrides)


def test_a_phrase_override_of_words_the_lexicon_does_not_know_matches(lexicon: Lexicon) -> None:
    assert compound(lexicon, "Не тянет", {"не тянет": -1.8}) < 0


# --- overrides in the configuration document


def test_the_configuration_document_carries_valid_overrides() -> None:
    config = parse_config('tonality:\n  overrides: {"имба": 3.0, "мыльн*": -1}\n')

    overrides = config.tonality.parsed()

    assert overrides.words == (("имба", 3.0),)
    assert overrides.prefixes == (("мыльн", -1.0),)


def test_bad_overrides_in_the_document_are_refused_with_their_path() -> None:
    with pytest.raises(ConfigInvalid) as raised:
        parse_config('tonality:\n  overrides: {"имба": 9, "пушка": "да"}\n')

    (problem,) = raised.value.problems
    assert problem.startswith("tonality.overrides: ")
    assert '"имба": the valence 9 is outside -4..4' in problem
    assert '"пушка": the valence must be a number' in problem
