"""SeenTextsTable on moto: the first writer of a fingerprint wins, and the text itself is never kept."""

from __future__ import annotations

from datetime import UTC, datetime

from otklik.adapters.seen_texts import REMEMBERED_FOR, SeenTextStore
from otklik.domain.models import TextOrigin
from tests.integration.conftest import Stack

NOW = datetime(2026, 11, 22, 6, 41, 5, tzinfo=UTC)
FIRST = TextOrigin(fingerprint="fp_1", feedback_id="fb_1", author="buyer-1", product="sku-1")


def _store(stack: Stack) -> SeenTextStore:
    return SeenTextStore(stack.dynamodb, stack.table("SeenTextsTable"))


def test_a_new_fingerprint_is_its_own_origin_and_later_ones_get_the_first(stack: Stack) -> None:
    store = _store(stack)
    # Given a text seen for the first time
    assert store.first_seen(FIRST, NOW) == FIRST
    # When another author sends the same text for another product
    later = TextOrigin(fingerprint="fp_1", feedback_id="fb_2", author="buyer-2", product="sku-2")
    # Then the store answers the first origin, and keeps it
    assert store.first_seen(later, NOW) == FIRST
    # And a redelivery of the first item finds itself
    assert store.first_seen(FIRST, NOW) == FIRST


def test_an_origin_without_author_or_product_is_stored_and_read_back_as_it_was(stack: Stack) -> None:
    store = _store(stack)
    bare = TextOrigin(fingerprint="fp_2", feedback_id="fb_3")
    assert store.first_seen(bare, NOW) == bare
    assert store.first_seen(TextOrigin(fingerprint="fp_2", feedback_id="fb_4", author="x"), NOW) == bare


def test_an_origin_expires_after_a_year_and_the_item_holds_no_text(stack: Stack) -> None:
    store = _store(stack)
    store.first_seen(FIRST, NOW)
    item = stack.dynamodb.get_item(
        TableName=stack.table("SeenTextsTable"), Key={"fingerprint": {"S": "fp_1"}}
    )
    assert set(item["Item"]) == {"fingerprint", "feedback_id", "author", "product", "expires_at"}
    assert int(item["Item"]["expires_at"]["N"]) == int((NOW + REMEMBERED_FOR).timestamp())
