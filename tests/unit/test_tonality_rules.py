"""The Russian engine's rules, each pinned on hand-written sentences over a small lexicon of our own.

The lexicon is built by the real build (pymorphy3) from the lemmas and phrases below and our real
rule words, so these tests do not move when the shipped evaluative lexicon is tuned. Rules are
pinned by comparing scores; exact values appear only where a rule defines them (negation x -0.74,
contrast x0.5 / x1.5, concession x0.5, the normalization).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from otklik.domain.tonality.russian import Contribution, RussianEngine, RussianScore
from tests.unit.tonality_fixtures import ENGLISH_VALENCE, build_fixture_lexicon

LEMMAS = {
    "хороший": 1.9,
    "плохой": -2.4,
    "ужасный": -2.9,
    "удобный": 1.7,
    "порваться": -1.9,
    "рекомендовать": 2.0,
    "брак": -2.4,
    "проблема": -1.5,
    "нравиться": 1.8,
    "запах": -0.6,
    "тёплый": 1.2,
    "супер": 2.2,
}
PHRASES = {
    "не рекомендую": -2.8,
    "не рекомендую никому": -3.3,
    "деньги на ветер": -3.0,
    "то что надо": 2.5,
    "без проблем": 1.5,
    "не очень": -1.2,
}
NEGATED = -0.74
BEFORE_CONTRAST, AFTER_CONTRAST, AFTER_CONCESSION = 0.5, 1.5, 0.5


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> RussianEngine:
    source_dir: Path = tmp_path_factory.mktemp("fixture-lexicon")
    return RussianEngine(build_fixture_lexicon(source_dir, LEMMAS, PHRASES), lambda: ENGLISH_VALENCE)


def unit(scored: RussianScore, words: str) -> Contribution:
    """The one contribution of the text whose words are exactly `words`."""
    found = [c for c in scored.contributions if c.words == words]
    assert len(found) == 1, f"expected one contribution {words!r}, got {scored.contributions}"
    return found[0]


def value_of(engine: RussianEngine, text: str, words: str) -> float:
    return unit(engine.score(text), words).value


# --- lookup: forms, ё, case, stretched words


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("хорошая", "хороший"),
        ("хорошего", "хороший"),
        ("хороши", "хороший"),
        ("хорош", "хороший"),
        ("лучше", "хороший"),
        ("удобен", "удобный"),
        ("порвалась", "порваться"),
        ("порвутся", "порваться"),
        ("браком", "брак"),
        ("проблемами", "проблема"),
        ("рекомендую", "рекомендовать"),
        ("рекомендовала", "рекомендовать"),
        ("нравилось", "нравиться"),
    ],
)
def test_every_inflected_form_scores_as_its_lemma(engine: RussianEngine, form: str, lemma: str) -> None:
    # Given a lexicon that lists only the lemma, When a text uses one of its forms
    scored = engine.score(f"Чехол {form}")

    # Then the form carries the lemma's valence
    assert [(c.source, c.base) for c in scored.contributions] == [(f"lemma {lemma}", LEMMAS[lemma])]


def test_yo_and_ye_spell_the_same_word(engine: RussianEngine) -> None:
    # Given the lemma "тёплый" written with ё in the source
    with_yo = engine.score("Куртка тёплая")
    with_ye = engine.score("Куртка теплая")

    # Then both spellings score alike, as the lemma
    assert with_yo.compound == with_ye.compound > 0
    assert unit(with_ye, "теплая").base == LEMMAS["тёплый"]


@pytest.mark.parametrize("text", ["Хороший чехол", "хороший чехол", "ХОРОШИЙ ЧЕХОЛ", "хОрОшИй чехол"])
def test_letter_case_does_not_change_the_word(engine: RussianEngine, text: str) -> None:
    assert engine.score(text).compound == engine.score("хороший чехол").compound > 0


@pytest.mark.parametrize(("stretched", "plain"), [("Хорошоооо", "Хорошо"), ("Супееер", "Супер")])
def test_a_stretched_word_scores_like_the_word(engine: RussianEngine, stretched: str, plain: str) -> None:
    assert engine.score(stretched).compound == engine.score(plain).compound > 0


# --- phrases


@pytest.mark.parametrize("text", ["Это деньги на ветер", "Выбросил деньгами на ветер", "ДЕНЬГИ НА ВЕТЕР"])
def test_a_phrase_is_found_in_any_inflection_and_replaces_its_words(engine: RussianEngine, text: str) -> None:
    scored = engine.score(text)

    assert [(c.source, c.value) for c in scored.contributions] == [("phrase", PHRASES["деньги на ветер"])]


def test_a_phrase_replaces_the_valences_of_its_own_words(engine: RussianEngine) -> None:
    # Given "без проблем" (+1.5) whose word "проблема" alone is negative
    scored = engine.score("Доставили без проблем")

    # Then only the phrase counts, and "без" does not flip it
    assert [(c.words, c.value) for c in scored.contributions] == [("без проблем", 1.5)]
    assert scored.compound > 0


def test_the_longest_phrase_wins(engine: RussianEngine) -> None:
    # Given "не рекомендую" (-2.8) and "не рекомендую никому" (-3.3)
    scored = engine.score("Не рекомендую никому")

    assert [(c.words, c.value) for c in scored.contributions] == [("Не рекомендую никому", -3.3)]


def test_a_phrase_beginning_with_ne_is_not_negated_again(engine: RussianEngine) -> None:
    # When the phrase's own "не" (or one before it) could act as a negator
    for text in ["Не рекомендую", "Никогда не рекомендую"]:
        scored = engine.score(text)

        # Then the phrase keeps its negative valence as written
        assert [c.value for c in scored.contributions] == [PHRASES["не рекомендую"]], text


def test_a_phrase_is_an_idiom_and_is_never_negated(engine: RussianEngine) -> None:
    # "Не выбрасывайте деньги на ветер" warns; flipping the idiom would make the warning praise
    assert value_of(engine, "Не выбрасывайте деньги на ветер", "деньги на ветер") == pytest.approx(-3.0)


# --- negation


@pytest.mark.parametrize(
    ("text", "words", "base"),
    [
        ("Чехол не хороший", "хороший", 1.9),
        ("Ни одной проблемы", "проблемы", -1.5),
        ("Нет проблем с ним", "проблем", -1.5),
        ("Пришёл без брака", "брака", -2.4),
        ("Никогда никаких проблем", "проблем", -1.5),
    ],
)
def test_a_negator_flips_and_weakens_the_word_after_it(
    engine: RussianEngine, text: str, words: str, base: float
) -> None:
    negated = value_of(engine, text, words)

    assert negated == pytest.approx(base * NEGATED)
    assert math.copysign(1, negated) != math.copysign(1, base)
    assert abs(negated) < abs(base)


@pytest.mark.parametrize("text", ["Не спорю, хороший", "Не знаю. Хороший", "Не думал: хороший"])
def test_punctuation_ends_the_scope_of_a_negator(engine: RussianEngine, text: str) -> None:
    assert value_of(engine, text, text.rsplit(maxsplit=1)[-1]) == 1.9


def test_a_negator_reaches_three_words_and_no_further(engine: RussianEngine) -> None:
    three_words_away = value_of(engine, "Не стал чехол хорошим", "хорошим")
    four_words_away = value_of(engine, "Не стал этот чехол хорошим", "хорошим")

    assert three_words_away == pytest.approx(1.9 * NEGATED)
    assert four_words_away == 1.9


def test_ne_tolko_is_not_a_negation(engine: RussianEngine) -> None:
    assert value_of(engine, "Чехол не только хороший", "хороший") == 1.9


def test_ni_razu_ne_flips_once(engine: RussianEngine) -> None:
    # Given a double negative that means "not once"
    never_tore = value_of(engine, "Ни разу не порвался", "порвался")

    # Then the word is flipped once, exactly as by a single "не"
    assert never_tore == pytest.approx(-1.9 * NEGATED) == value_of(engine, "Не порвался", "порвался")
    assert never_tore > 0


# --- intensity


@pytest.mark.parametrize("booster", ["очень", "крайне", "слишком", "Очень"])
def test_a_booster_makes_the_word_stronger(engine: RussianEngine, booster: str) -> None:
    boosted = value_of(engine, f"Чехол {booster} плохой", "плохой")

    assert boosted < LEMMAS["плохой"]


@pytest.mark.parametrize("dampener", ["немного", "чуть"])
def test_a_dampener_makes_the_word_weaker_but_keeps_its_sign(engine: RussianEngine, dampener: str) -> None:
    assert LEMMAS["плохой"] < value_of(engine, f"Чехол {dampener} хуже", "хуже") < 0
    assert 0 < value_of(engine, f"Чехол {dampener} лучше", "лучше") < LEMMAS["хороший"]


def test_a_booster_weakens_with_distance_and_stops_after_three_words(engine: RussianEngine) -> None:
    one, two, three, four = (
        value_of(engine, text, "хороший")
        for text in [
            "очень хороший",
            "очень он хороший",
            "очень был он хороший",
            "очень был он вчера хороший",
        ]
    )

    assert one > two > three > four == LEMMAS["хороший"]


def test_rule_words_act_in_every_form(engine: RussianEngine) -> None:
    # Given the booster "самый" listed once, When it is used in the feminine
    assert value_of(engine, "Самая удобная", "удобная") > value_of(engine, "Удобная", "Удобная")


def test_an_evaluative_adverb_before_an_evaluative_word_only_intensifies(engine: RussianEngine) -> None:
    # Given "ужасно", itself negative (a form of "ужасный") and a booster
    scored = engine.score("Ужасно удобный")

    # Then "ужасно удобный" is strongly positive: the adverb adds to "удобный" and is not counted
    assert [c.words for c in scored.contributions] == ["удобный"]
    assert scored.compound > engine.score("Удобный").compound > 0
    # And on its own, "ужасно" is negative
    assert engine.score("Ужасно").compound < 0


def test_a_word_in_capitals_in_a_mixed_case_text_is_stronger(engine: RussianEngine) -> None:
    assert value_of(engine, "Чехол ХОРОШИЙ", "ХОРОШИЙ") > value_of(engine, "Чехол хороший", "хороший")
    assert value_of(engine, "Чехол ПЛОХОЙ", "ПЛОХОЙ") < value_of(engine, "Чехол плохой", "плохой")


def test_an_all_capitals_text_gets_no_capitals_boost(engine: RussianEngine) -> None:
    assert value_of(engine, "ЧЕХОЛ ХОРОШИЙ", "ХОРОШИЙ") == LEMMAS["хороший"]


# --- contrast and concession


@pytest.mark.parametrize("contrast", ["но", "однако", "зато"])
def test_what_follows_a_contrast_word_outweighs_what_precedes_it(
    engine: RussianEngine, contrast: str
) -> None:
    # Given a complaint, then a contrast word, then praise
    scored = engine.score(f"Порвался, {contrast} удобный")

    # Then the complaint counts half, the praise one and a half, and the text reads positive
    assert unit(scored, "Порвался").value == pytest.approx(-1.9 * BEFORE_CONTRAST)
    assert unit(scored, "удобный").value == pytest.approx(1.7 * AFTER_CONTRAST)
    assert scored.compound > 0


def test_praise_before_no_reads_as_a_complaint(engine: RussianEngine) -> None:
    assert engine.score("Хороший, но порвался").compound < 0


def test_khotya_halves_the_rest_of_its_sentence_only(engine: RussianEngine) -> None:
    scored = engine.score("Хороший, хотя запах есть. Порвался.")

    assert unit(scored, "Хороший").value == 1.9
    assert unit(scored, "запах").value == pytest.approx(-0.6 * AFTER_CONCESSION)
    assert unit(scored, "Порвался").value == -1.9


# --- emphasis


def test_up_to_four_exclamation_marks_strengthen_and_a_fifth_adds_nothing(engine: RussianEngine) -> None:
    totals = [engine.score("Хороший" + "!" * marks).total for marks in range(6)]

    assert totals[0] < totals[1] < totals[2] < totals[3] < totals[4] == totals[5]


def test_exclamation_marks_strengthen_a_complaint_too(engine: RussianEngine) -> None:
    assert engine.score("Плохой!!!").compound < engine.score("Плохой").compound < 0


def test_several_question_marks_strengthen_and_one_does_not(engine: RussianEngine) -> None:
    plain, one, several = (engine.score(text).total for text in ["Хороший", "Хороший?", "Хороший???"])

    assert several > one == plain


def test_emphasis_alone_is_not_a_tonality(engine: RussianEngine) -> None:
    assert engine.score("Пришёл!!!???").compound == 0.0


# --- smileys, emoticons, emoji


def test_more_closing_brackets_are_more_positive(engine: RussianEngine) -> None:
    one, two, three = (engine.score(f"Пришёл{smile}").compound for smile in [")", "))", ")))"])

    assert 0 < one < two < three


def test_opening_brackets_are_negative(engine: RussianEngine) -> None:
    one, three = (engine.score(f"Пришёл{smile}").compound for smile in ["(", "((("])

    assert three < one < 0


def test_matched_parentheses_are_not_smileys(engine: RussianEngine) -> None:
    scored = engine.score("Пришёл чехол (см. фото)")

    assert (scored.compound, scored.contributions) == (0.0, ())


@pytest.mark.parametrize(("text", "positive"), [("Пришёл :)", True), ("Пришёл :(", False)])
def test_emoticons_have_valences(engine: RussianEngine, text: str, positive: bool) -> None:
    scored = engine.score(text)

    assert [c.source for c in scored.contributions] == ["emoticon"]
    assert (scored.compound > 0) is positive
    assert scored.compound != 0


@pytest.mark.parametrize(("emoji", "positive"), [("👍", True), ("👎", False), ("💩", False)])
def test_emoji_have_valences(engine: RussianEngine, emoji: str, positive: bool) -> None:
    scored = engine.score(f"Чехол {emoji}")

    assert (scored.compound > 0) is positive
    assert scored.compound != 0


@pytest.mark.parametrize("smiley", [")))", "👍", ":("])
def test_boosters_do_not_apply_to_smileys(engine: RussianEngine, smiley: str) -> None:
    assert engine.score(f"очень {smiley}").compound == engine.score(smiley).compound != 0


@pytest.mark.parametrize("text", ["Не работает((", "Не советую 👎", "Не включается :("])
def test_a_negator_does_not_flip_a_sad_smiley(engine: RussianEngine, text: str) -> None:
    assert engine.score(text).compound < 0


def test_a_sad_and_a_happy_emoticon_in_one_line_both_count(engine: RussianEngine) -> None:
    scored = engine.score("Сначала завис :( потом заработал :)")

    assert [c.source for c in scored.contributions] == ["emoticon", "emoticon"]


def test_an_evaluative_adverb_before_an_emoji_still_counts(engine: RussianEngine) -> None:
    assert engine.score("Ужасно 👎").compound < engine.score("👎").compound


# --- Russian and English together


@pytest.mark.parametrize(("text", "positive"), [("Чехол good", True), ("Чехол bad", False)])
def test_latin_words_take_their_english_valence(engine: RussianEngine, text: str, positive: bool) -> None:
    scored = engine.score(text)

    assert scored.uses_english
    assert [c.source for c in scored.contributions] == ["english"]
    assert (scored.compound > 0) is positive


def test_english_negation_works_on_english_words(engine: RussianEngine) -> None:
    assert value_of(engine, "Чехол not good", "good") == pytest.approx(ENGLISH_VALENCE["good"] * NEGATED)


def test_a_latin_brand_name_does_not_make_a_text_english(engine: RussianEngine) -> None:
    scored = engine.score("Чехол Xiaomi хороший")

    assert not scored.uses_english
    assert scored.compound == engine.score("Чехол хороший").compound


# --- the compound


@pytest.mark.parametrize(
    "text", ["Хороший", "Очень плохой!!!", "ХОРОШИЙ, удобный, тёплый)))", "Порвался, но удобный 👍"]
)
def test_the_compound_is_the_total_normalized_into_minus_one_to_one(engine: RussianEngine, text: str) -> None:
    scored = engine.score(text)

    assert scored.compound == round(scored.total / math.sqrt(scored.total**2 + 15), 4)
    assert -1 < scored.compound < 1


def test_a_long_stream_of_praise_approaches_but_never_reaches_one(engine: RussianEngine) -> None:
    compound = engine.score("Хороший, удобный, тёплый, супер, рекомендую!!!!" * 10).compound

    assert 0.99 < compound < 1.0


def test_a_text_with_nothing_evaluative_is_exactly_zero(engine: RussianEngine) -> None:
    scored = engine.score("Чехол пришёл во вторник, курьер позвонил заранее.")

    assert (scored.compound, scored.total, scored.contributions) == (0.0, 0, ())


def test_a_phrase_is_found_across_the_comma_it_is_usually_written_with(engine: RussianEngine) -> None:
    # Given "то, что надо", written as people write it, with a comma
    scored = engine.score("Это то, что надо")
    # Then the phrase is found and counts its own valence
    assert [(c.source, c.base) for c in scored.contributions] == [("phrase", 2.5)]


def test_a_booster_after_a_negator_softens_the_negated_word(engine: RussianEngine) -> None:
    # "не совсем хороший" (not quite good) is milder than "не хороший" (not good)
    not_good = engine.score("не хороший").compound
    not_quite_good = engine.score("не совсем хороший").compound
    assert not_good < not_quite_good < 0


def test_a_sentence_opening_with_zato_discounts_the_sentence_before(engine: RussianEngine) -> None:
    # Given a complaint, then a sentence that opens with "Зато"
    scored = engine.score("Запах плохой. Зато удобный")
    # Then the complaint counts half and what follows "Зато" one and a half
    assert unit(scored, "плохой").value == pytest.approx(-2.4 * 0.5)
    assert unit(scored, "удобный").value == pytest.approx(1.7 * 1.5)


def test_contrast_stays_inside_its_sentence(engine: RussianEngine) -> None:
    # Given "но" in the first sentence only
    scored = engine.score("Хороший, но плохой. Удобный")
    # Then the second sentence is not weighed by it
    assert unit(scored, "Удобный").value == pytest.approx(1.7)


def test_khotya_halves_only_its_own_clause(engine: RussianEngine) -> None:
    # "Хотя плохой, удобный": the concession covers "плохой", not the main clause "удобный"
    scored = engine.score("Хотя плохой, удобный")
    assert unit(scored, "плохой").value == pytest.approx(-2.4 * 0.5)
    assert unit(scored, "удобный").value == pytest.approx(1.7)


@pytest.mark.parametrize("text", ["Не держится", "не налезает на ногу", "Не включилась", "ни открывается"])
def test_a_negated_verb_the_lexicon_does_not_know_is_a_failure(engine: RussianEngine, text: str) -> None:
    # Russian complaints are mostly negated actions; the verb itself is neutral
    scored = engine.score(text)
    assert [c.source for c in scored.contributions] == ["negated action"]
    assert scored.compound < 0


@pytest.mark.parametrize("text", ["Проблем не было", "не совсем", "не мало", "не только"])
def test_negated_being_and_rule_words_are_no_failure(engine: RussianEngine, text: str) -> None:
    assert all(c.source != "negated action" for c in engine.score(text).contributions)


def test_too_much_of_a_plain_quality_is_a_complaint(engine: RussianEngine) -> None:
    # Given "слишком" before a word with no valence of its own, and before one with a valence
    excess = engine.score("Слишком мелкий")
    boosted = engine.score("слишком удобный")
    # Then the first is an excess complaint, the second an intensified praise
    assert [(c.source, c.value) for c in excess.contributions] == [("excess", -1.0)]
    assert boosted.compound > engine.score("удобный").compound > 0


@pytest.mark.parametrize(
    ("text", "words"),
    [("Проблем не было", "Проблем"), ("проблемы нет", "проблемы"), ("Брака вообще нет", "Брака")],
)
def test_nyet_or_ne_bylo_after_a_word_negates_it(engine: RussianEngine, text: str, words: str) -> None:
    # Russian negates after the noun too: "проблем не было" is praise
    assert value_of(engine, text, words) > 0
    assert engine.score(text).compound > 0


def test_a_nyet_that_opens_another_idiom_does_not_negate_the_word_before(engine: RussianEngine) -> None:
    # "хороший, нет слов" / "хороший нет слов": the "нет" belongs to "нет слов", not to "хороший"
    assert value_of(engine, "Чехол хороший нет слов", "хороший") == pytest.approx(1.9)


def test_chut_ne_is_almost_and_no_negation(engine: RussianEngine) -> None:
    # "чуть было не порвался" means it almost tore: still a complaint
    assert value_of(engine, "Чуть было не порвался", "порвался") < 0
    assert value_of(engine, "Едва не порвался", "порвался") < 0


def test_ne_ochen_alone_is_a_verdict_and_before_a_word_a_softened_negation(engine: RussianEngine) -> None:
    # Given "не очень", a phrase made only of rule words
    alone = engine.score("Качество хорошее, а вот размер не очень")
    before_word = engine.score("не очень хороший")
    # Then before a word it is not counted twice: only the word, negated and softened, counts
    assert [c.source for c in before_word.contributions] == ["lemma хороший"]
    assert before_word.compound < 0
    assert alone.compound != 0


def test_an_unknown_hyphenated_word_is_read_as_its_parts(engine: RussianEngine) -> None:
    # "брак-брак" is not in the lexicon as one word, its parts are
    scored = engine.score("Одно слово-брак")
    assert [c.words for c in scored.contributions] == ["брак"]


def test_a_negator_inside_a_phrase_does_not_negate_the_next_word(engine: RussianEngine) -> None:
    # "без проблем" is a phrase; the "без" in it must not also flip the word that follows
    scored = engine.score("без проблем удобный")
    assert [(c.source, c.value) for c in scored.contributions] == [("phrase", 1.5), ("lemma удобный", 1.7)]
