"""The Russian engine's fast paths: what score() reports about negation and contrast, tokens read the
same whichever way a text is read, and a lexicon whose keys a non-word token could match."""

from __future__ import annotations

import pytest

from otklik.domain.tonality.lexicon_table import Lexicon, RuleWord
from otklik.domain.tonality.russian import RussianEngine, RussianScore, tokenize
from tests.unit.tonality_fixtures import ENGLISH_VALENCE, build_fixture_lexicon

LEMMAS = {"хороший": 1.9, "плохой": -2.4}
PHRASES = {"деньги на ветер": -3.0, "не рекомендую": -2.8}


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    return build_fixture_lexicon(tmp_path_factory.mktemp("fixture-lexicon"), LEMMAS, PHRASES)


@pytest.fixture(scope="module")
def engine(lexicon: Lexicon) -> RussianEngine:
    return RussianEngine(lexicon, lambda: ENGLISH_VALENCE)


def steps(scored: RussianScore) -> list[str]:
    return [step for unit in scored.contributions for step in unit.steps]


# --- what score() knows about negation and contrast


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("не хороший и не плохой", 2),
        ("не хороший, но плохой", 1),
        ("хороший", 0),
        ("не рекомендую", 0),  # a phrase is never negated
        ("аромата нет, хороший", 0),  # "аромата" has no valence: nothing to negate
    ],
)
def test_negated_counts_the_contributions_a_negator_flipped(
    engine: RussianEngine, text: str, negated: int
) -> None:
    scored = engine.score(text)

    assert scored.negated == negated
    assert scored.negated == sum(1 for step in steps(scored) if step.startswith("negated by "))


@pytest.mark.parametrize(
    ("text", "contrasted"),
    [
        ("хороший, но плохой", True),
        ("хороший. Зато плохой", True),  # a sentence opening with a contrast weighs the one before
        ("хороший, хотя плохой", True),
        ("хотя, хороший", False),  # the concession's clause ends at once: it weighs nothing
        ("хороший и плохой", False),
    ],
)
def test_contrasted_tells_whether_a_contrast_or_concession_weighed_a_contribution(
    engine: RussianEngine, text: str, contrasted: bool
) -> None:
    scored = engine.score(text)

    assert scored.contrasted is contrasted
    assert scored.contrasted == any(step.startswith(("before ", "after ")) for step in steps(scored))


def test_a_score_built_elsewhere_says_nothing_was_negated_or_contrasted() -> None:
    scored = RussianScore(0.0, 0.0, (), False)

    assert (scored.negated, scored.contrasted, scored.tokens) == (0, False, None)


# --- tokens, read fast or match by match


def test_a_text_without_emoticons_is_read_into_words_numbers_punctuation_emoji_and_smileys() -> None:
    tokens = tokenize("Ёлка, 5 шт. — СУПЕР!!! 😍 кое-как)))")

    assert [(t.text, t.norm, t.kind) for t in tokens] == [
        ("Ёлка", "елка", "word"),
        (",", ",", "punct"),
        ("5", "5", "number"),
        ("шт", "шт", "word"),
        (".", ".", "punct"),
        ("—", "—", "punct"),
        ("СУПЕР", "супер", "word"),
        ("!!!", "!!!", "punct"),
        ("😍", "😍", "emoji"),
        ("кое-как", "кое-как", "word"),
        (")))", ")))", "smile"),
    ]


def test_emoticons_and_parentheses_are_told_apart_from_words_and_smileys() -> None:
    tokens = tokenize("ок xD :) (см. фото)")

    assert [(t.text, t.kind) for t in tokens] == [
        ("ок", "word"),
        ("xD", "emoticon"),
        (":)", "emoticon"),
        ("см", "word"),
        (".", "punct"),
        ("фото", "word"),
    ]


def test_a_capital_sigma_is_lowercased_as_in_the_whole_text() -> None:
    # Σ is the one letter whose lowercase depends on its neighbours: ς at a word's end, but σ in "ΑΣ"
    # before ".Β", though "ΑΣ" lowercased alone is "ας".
    assert [t.norm for t in tokenize("ΟΔΟΣ. ΑΣ.Β")] == ["οδος", ".", "ασ", ".", "β"]


def test_a_stretch_is_a_letter_three_times_not_an_ellipsis_or_a_smiley(engine: RussianEngine) -> None:
    assert engine.score("хороший... спасибо)))").tokens.stretched is None  # type: ignore[union-attr]
    assert engine.score("хорооооший...").tokens.stretched == [True, False]  # type: ignore[union-attr]


# --- a lexicon with keys that are no words


@pytest.fixture(scope="module")
def odd_engine(lexicon: Lexicon) -> RussianEngine:
    """The lexicon with a number as a form of "на" and as a negator: keys only a non-word token has."""
    odd = Lexicon.build(
        {**lexicon.lemma_of, "123": lexicon.lemma_of["на"]},
        dict(lexicon.valence),
        dict(lexicon.phrases),
        {**lexicon.rules, "5": RuleWord("negator", "5", 1.0)},
    )
    return RussianEngine(odd, lambda: ENGLISH_VALENCE)


def test_a_number_that_is_a_key_of_the_forms_does_not_complete_a_phrase(odd_engine: RussianEngine) -> None:
    assert odd_engine.score("деньги 123 ветер").contributions == ()
    assert [u.words for u in odd_engine.score("деньги на ветер").contributions] == ["деньги на ветер"]


def test_a_number_that_is_a_key_of_the_rule_words_negates_nothing(odd_engine: RussianEngine) -> None:
    scored = odd_engine.score("5 хороший")

    assert [(u.words, u.value, u.steps) for u in scored.contributions] == [("хороший", 1.9, [])]
    assert scored.negated == 0
