"""A seller's moderation settings in the configuration document: allowed words, own words, flags off,
and every mistake refused by its path."""

from __future__ import annotations

import pytest

from otklik.domain.config import DEFAULT_CONFIG, ConfigInvalid, parse_config
from otklik.domain.moderation import ModerationSettings, moderate
from tests.conftest import ROOT

SAMPLE = ROOT / "infra" / "config" / "otklik.yaml"


def refused(document: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as refusal:
        parse_config(document)
    return refusal.value.problems


def test_the_sample_spells_out_the_default_moderation_settings() -> None:
    assert parse_config(SAMPLE.read_bytes()).moderation == DEFAULT_CONFIG.moderation == ModerationSettings()


def test_a_document_without_moderation_gets_the_defaults() -> None:
    assert parse_config("version: 1\n").moderation == ModerationSettings()


def test_moderation_settings_are_read_from_the_document() -> None:
    # Given a document that allows the seller's site, adds words and turns gibberish off
    config = parse_config(
        "moderation:\n"
        "  allow_words: [myshop.ru]\n"
        "  extra_words:\n"
        "    insult: [лохотронщик]\n"
        "    advertising: [мой магазин на озоне]\n"
        "  disabled_flags: [gibberish]\n"
    )
    settings = config.moderation

    # Then each applies
    assert moderate("заходите на myshop.ru", settings=settings).flags == ()
    assert moderate("заходите на myshop.ru").flags == ("advertising",)
    assert moderate("продавец лохотронщик", settings=settings).flags == ("insult",)
    assert moderate("продавец лохотронщик").flags == ()
    assert moderate("ывапролдж", settings=settings).flags == ()
    assert moderate("ывапролдж").flags == ("gibberish",)


def test_a_sellers_phrase_is_flagged_with_its_span_and_why() -> None:
    settings = ModerationSettings(extra_words={"advertising": ["Мой Магазин на Озоне"]})

    [reason] = moderate("Есть мой магазин на Озоне, там дешевле", settings=settings).reasons

    assert (reason.flag, reason.text) == ("advertising", "мой магазин на Озоне")
    assert reason.why == "a word the seller listed as advertising"


def test_an_allowed_word_keeps_its_flag_off_but_not_the_others() -> None:
    # Given a seller who allows "бля" (say, a brand) but not insults
    settings = ModerationSettings(allow_words=["бля"])

    result = moderate("бля, продавец дебил", settings=settings)

    assert result.flags == ("insult",)


def test_disabled_flags_are_not_reported_and_the_others_are() -> None:
    settings = ModerationSettings(disabled_flags=["contacts", "profanity"])

    result = moderate("пишите @shop_msk, бля, продавец дебил", settings=settings)

    assert result.flags == ("insult",)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            "moderation:\n  disabled_flags: [insult, spam]\n",
            "moderation.disabled_flags[1]: unknown flag 'spam'; flags are advertising, contacts, profanity, "
            "insult, gibberish, fake_signal",
        ),
        (
            "moderation:\n  extra_words:\n    advertsing: [скидки]\n",
            "moderation.extra_words.advertsing: unknown flag 'advertsing'; flags are advertising, contacts, "
            "profanity, insult, gibberish, fake_signal",
        ),
        (
            "moderation:\n  extra_words:\n    gibberish: [абв]\n",
            "moderation.extra_words.gibberish: words cannot be added to 'gibberish'; flags taking words are "
            "advertising, contacts, profanity, insult, fake_signal",
        ),
        ("moderation:\n  allow_words: ['!!!']\n", "moderation.allow_words[0]: '!!!' holds no letters"),
        (
            "moderation:\n  extra_words:\n    insult: ['']\n",
            "moderation.extra_words.insult[0]: String should have at least 1 character",
        ),
        ("moderation:\n  alow_words: [a]\n", "moderation.alow_words: unknown setting"),
        (
            "moderation:\n  extra_words: [a, b]\n",
            "moderation.extra_words: Input should be a valid dictionary",
        ),
    ],
)
def test_mistakes_in_the_moderation_settings_are_named_by_their_path(document: str, problem: str) -> None:
    assert problem in refused(document)


def test_every_mistake_of_one_document_is_named_at_once() -> None:
    problems = refused("moderation:\n  disabled_flags: [spam]\n  allow_words: ['']\n")

    assert [problem.split(":")[0] for problem in problems] == [
        "moderation.allow_words[0]",
        "moderation.disabled_flags[0]",
    ]
