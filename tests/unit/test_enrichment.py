"""Enrichment: a queued envelope becomes a stored item with language, tonality, masked text and its day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from otklik.domain.enrichment import MAX_QUOTE_CHARS, MAX_REASONS, enrich
from otklik.domain.models import Author
from otklik.domain.tonality import ENGINE_VERSION
from tests.unit.samples import RAW_EMAIL, RAW_PHONE, TEXT_WITH_CONTACTS, envelope

MOSCOW = ZoneInfo("Europe/Moscow")
UTC_ZONE = ZoneInfo("UTC")


def test_the_raw_text_is_kept_unaltered_and_a_masked_copy_added() -> None:
    item = enrich(envelope(text=TEXT_WITH_CONTACTS), MOSCOW)

    assert item.text == TEXT_WITH_CONTACTS
    assert RAW_EMAIL not in item.text_masked
    assert RAW_PHONE not in item.text_masked
    assert "[email]" in item.text_masked
    assert "[phone]" in item.text_masked
    assert item.text_masked.startswith("Порвалось через день, верните деньги!")


def test_the_day_is_the_calendar_day_in_the_report_time_zone() -> None:
    # Given feedback written at 22:30 UTC, which is already 01:30 the next day in Moscow
    late_evening = envelope(created_at=datetime(2026, 11, 21, 22, 30, tzinfo=UTC))

    # Then Moscow reports count it on the 22nd and UTC reports on the 21st
    assert enrich(late_evening, MOSCOW).day == "2026-11-22"
    assert enrich(late_evening, UTC_ZONE).day == "2026-11-21"


def test_language_and_tonality_are_set() -> None:
    russian = enrich(envelope(text="Ужасное качество, порвалось через день", rating=1), MOSCOW)
    english = enrich(envelope(text="I love it, excellent quality!", rating=None), MOSCOW)

    assert russian.lang == "ru"
    assert (russian.tonality.label, russian.tonality.engine.split("+")[0]) == ("negative", "otklik-ru")
    assert english.lang == "en"
    assert (english.tonality.label, english.tonality.engine) == ("positive", "vader")


def test_the_engine_that_scored_the_tonality_is_recorded_with_its_version() -> None:
    item = enrich(envelope(rating=None), MOSCOW)

    assert item.engines["tonality"] == f"{ENGINE_VERSION}/{item.tonality.engine}"


def test_the_normalized_fields_are_carried_over() -> None:
    author = Author(id="c-5521", name="Анна", email=RAW_EMAIL, tier="regular")
    source = envelope(author=author, kind="complaint", rating=2)

    item = enrich(source, MOSCOW)

    assert item.id == source.feedback_id
    assert (item.source, item.account, item.kind, item.external_id) == (
        "custom",
        "default",
        "complaint",
        "site-10234",
    )
    assert item.rating == 2
    assert item.author == author
    assert (item.created_at, item.received_at) == (source.created_at, source.received_at)


def test_topics_are_found_each_with_its_own_polarity_from_the_same_scoring() -> None:
    # Given a mixed review: the delivery praised, the quality not
    item = enrich(envelope(text="Доставка быстрая, но качество ужасное", rating=3), MOSCOW)
    # Then each topic has its own polarity and the span that names it, an offset into the text
    polarities = {topic.topic: topic.polarity for topic in item.topics}
    assert polarities == {"delivery": "positive", "quality": "negative"}
    for topic in item.topics:
        assert item.full_text()[topic.start : topic.end] == topic.evidence
    assert item.engines["topics"].startswith("topics-")


def test_moderation_flags_are_stored_with_their_reasons_and_a_clean_complaint_has_none() -> None:
    spam = enrich(envelope(text="КУПИТЕ на сайте casino777.com!!!", rating=5), MOSCOW)
    clean = enrich(envelope(text="Кошмар, отвратительно, блин, фигня полная", rating=1), MOSCOW)

    assert spam.moderation.flags == ("advertising",)
    assert {r.text for r in spam.moderation.reasons} >= {"casino777.com"}
    assert clean.moderation.flags == () and clean.moderation.reasons == ()
    assert spam.engines["moderation"].startswith("moderation-")


def test_the_authors_own_name_is_masked_and_the_raw_text_kept() -> None:
    # Given a review signed with the author's name, which the item's fields also carry
    text = "Пишет Снежана Куликова: курьер опоздал на два часа"
    item = enrich(envelope(text=text, author=Author(id="c-1", name="Снежана Куликова")), MOSCOW)
    # Then neither part of the name is in the masked text, and the raw text is as sent
    assert "Снежана" not in item.text_masked and "Куликова" not in item.text_masked
    assert item.text == text


def test_a_text_of_thousands_of_links_is_stored_with_bounded_evidence() -> None:
    # Given 20,000 characters of links, each a reason to flag it
    text = " ".join(f"shop{n}.ru" for n in range(2000))[:20_000]
    item = enrich(envelope(text=text, rating=5), MOSCOW)
    # Then every flag is kept, with at most MAX_REASONS reasons of bounded quotes
    assert "advertising" in item.moderation.flags
    assert 0 < len(item.moderation.reasons) <= MAX_REASONS
    assert all(len(r.text) <= MAX_QUOTE_CHARS for r in item.moderation.reasons)
    assert len(item.model_dump_json()) < 3 * len(text.encode())


def test_a_long_flagged_span_is_quoted_in_part_and_still_says_where_it_is() -> None:
    text = "ывапролджэ" * 2000
    item = enrich(envelope(text=text, rating=1), MOSCOW)
    [reason] = item.moderation.reasons
    assert reason.flag == "gibberish"
    assert len(reason.text) == MAX_QUOTE_CHARS and reason.text.endswith("…")
    assert (reason.start, reason.end) == (0, len(text))
