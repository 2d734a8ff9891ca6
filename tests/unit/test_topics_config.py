"""A seller's own topics and words from the configuration document: detected by stem, validated by path."""

from __future__ import annotations

import pytest

from otklik.domain.config import DEFAULT_CONFIG, ConfigInvalid, parse_config
from otklik.domain.topics import topics_of
from otklik.domain.topics.seller import SellerTopics, stem

FURNITURE = """
topics:
  custom:
    - name: assembly
      words: [сборка, собрать, инструкция по сборке]
  words:
    quality: [скрипеть]
    assembly: [шуруп]
"""


def refused(document: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as refusal:
        parse_config(document)
    return refusal.value.problems


def found(text: str, document: str = FURNITURE) -> dict[str, str]:
    extra = parse_config(document).topics.seller_topics()
    return {m.topic: m.polarity for m in topics_of(text, extra=extra)}


# ------------------------------------------------------------------ detection with a seller's topics


def test_a_custom_topic_is_found_by_its_words_in_any_form_with_its_clauses_polarity() -> None:
    # Given a furniture seller's "assembly" topic
    # When reviews speak of assembly in other forms than the words written
    assert found("Сборка понятная, собрали за час") == {"assembly": "positive"}
    assert found("Со сборкой намучились, шурупов не хватило")["assembly"] == "negative"


def test_a_custom_topic_sits_beside_the_built_in_ones_in_its_own_clause() -> None:
    assert found("Доставка быстрая, но сборка ужасная") == {"delivery": "positive", "assembly": "negative"}


def test_a_sellers_words_extend_a_built_in_topic() -> None:
    assert found("Стул скрипит") == {"quality": "negative"}


def test_a_run_of_words_matches_as_consecutive_words() -> None:
    assert "assembly" in found("Инструкции по сборке нет")
    assert "assembly" not in found(
        "Инструкция простая",
        "topics:\n  custom:\n    - name: assembly\n      words: [инструкция по сборке]\n",
    )


def test_without_the_sellers_document_nobody_sees_the_custom_topic() -> None:
    assert "assembly" not in {m.topic for m in topics_of("Сборка простая")}


@pytest.mark.parametrize(
    ("word", "stem_of_it", "matches", "misses"),
    [
        ("сборка", "сборк", ["сборки", "сборкой", "сборку"], ["сбор", "сборочный цех"]),
        ("собрать", "собр", ["собрали", "собрала", "собрать"], ["соберёт"]),
        ("шкаф", "шкаф", ["шкафы", "шкафом"], ["шка"]),
        ("дно", "дно", ["дно"], ["дном"]),
    ],
)
def test_seller_words_are_matched_by_stem_without_morphology(
    word: str, stem_of_it: str, matches: list[str], misses: list[str]
) -> None:
    (cue,) = SellerTopics.of({"assembly": [word]}).cues

    assert stem(word) == stem_of_it
    assert all(cue.matches(0, form) for form in matches)
    assert not any(cue.matches(0, form.split()[0]) for form in misses)


# ------------------------------------------------------------------ the document


def test_the_default_document_has_no_topics_of_its_own() -> None:
    assert DEFAULT_CONFIG.topics.custom == ()
    assert DEFAULT_CONFIG.topics.words == {}
    assert not DEFAULT_CONFIG.topics.seller_topics()


def test_a_valid_topics_section_is_read() -> None:
    topics = parse_config(FURNITURE).topics

    assert topics.names()[-1] == "assembly"
    assert topics.custom[0].words == ("сборка", "собрать", "инструкция по сборке")
    assert topics.words == {"quality": ("скрипеть",), "assembly": ("шуруп",)}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            "topics:\n  words:\n    deliverry: [курьер]\n",
            "topics.words.deliverry: unknown topic 'deliverry'; topics are quality, size_fit,",
        ),
        (
            "topics:\n  custom:\n    - name: quality\n      words: [сборка]\n",
            "topics.custom[0].name: 'quality' is a built-in topic: add its words under topics.words.quality",
        ),
        (
            "topics:\n  custom:\n    - name: Сборка\n      words: [сборка]\n",
            "topics.custom[0].name: 'Сборка' is not a topic name: a lowercase letter, then letters",
        ),
        (
            "topics:\n  custom:\n"
            "    - name: assembly\n      words: [сборка]\n"
            "    - name: assembly\n      words: [шуруп]\n",
            "topics.custom[1].name: topic 'assembly' is defined twice",
        ),
        ("topics:\n  custom:\n    - name: assembly\n      words: []\n", "topics.custom[0].words: "),
        (
            "topics:\n  custom:\n    - name: assembly\n      words: [сборка, 'шуруп!!']\n",
            "topics.custom[0].words[1]: 'шуруп!!' is not a word or a run of up to five words",
        ),
        ("topics:\n  words:\n    quality: ['123']\n", "topics.words.quality[0]: '123' holds no letters"),
        ("topics:\n  colours: [red]\n", "topics.colours: unknown setting"),
    ],
)
def test_each_mistake_in_the_topics_section_is_named_by_its_path(document: str, problem: str) -> None:
    problems = refused(document)

    assert any(p.startswith(problem) for p in problems), problems


def test_a_rules_topic_reference_is_checked_against_the_eleven_and_the_custom_ones() -> None:
    # Given a document whose rules refer to topics, one of them misspelt
    document = (
        "topics:\n  custom:\n    - name: assembly\n      words: [сборка]\n"
        "rules:\n"
        "  - {name: a, when: {topic: delivery}, then: {tags: [a]}}\n"
        "  - {name: b, when: {topic: assembly}, then: {tags: [b]}}\n"
        "  - {name: c, when: {topic: [quality, deliverry]}, then: {tags: [c]}}\n"
        "  - {name: d, when: {topic: deliverry}, then: {tags: [d]}}\n"
    )

    problems = refused(document)

    # Then the misspelt references are named by their paths, the valid ones are not
    assert "rules[2].when.topic[1]: unknown topic 'deliverry'; topics are quality" in "\n".join(problems)
    assert any(p.startswith("rules[3].when.topic: unknown topic 'deliverry'") for p in problems)
    assert not any(p.startswith(("rules[0]", "rules[1]")) for p in problems)
