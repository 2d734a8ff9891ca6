"""Enrichment: a queued envelope becomes a stored item with language, tonality, masked text and its day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from otklik.domain.enrichment import enrich
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
    assert (russian.tonality.label, russian.tonality.engine) == ("negative", "otklik-ru")
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
