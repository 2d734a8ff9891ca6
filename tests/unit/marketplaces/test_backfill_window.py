"""A poll request and its backfill window, as plain values: the day checked against today in the day zone,
the connections it names, and where each platform's backfill starts and stops."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.marketplaces.backfill import (
    DAYS_ZONE,
    BackfillWindow,
    PollRefused,
    PollRequest,
    backfill_day,
    poll_request,
    requested_connections,
)
from otklik.domain.marketplaces.ozon import OzonCursor, backfill_page
from otklik.domain.marketplaces.wildberries import WildberriesCursor
from otklik.domain.marketplaces.wildberries import backfill_position as wb_position
from otklik.domain.marketplaces.yandex_market import backfill_position as ym_position
from tests.unit.marketplaces.fakes import connection

# 22:30 UTC on 1 December is already 2 December in Moscow
NOW = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
MOSCOW_START_OF_DAY = datetime(2026, 11, 1, tzinfo=DAYS_ZONE)


def test_a_backfill_request_reads_from_the_start_of_the_day_in_the_day_zone_to_now() -> None:
    request = poll_request({"backfill": {"since": "2026-11-01", "connection": "wb-main"}}, NOW)

    assert request == PollRequest(
        force=True, connection="wb-main", backfill=BackfillWindow(MOSCOW_START_OF_DAY, NOW)
    )
    assert request.backfill is not None and request.backfill.day == "2026-11-01"
    assert request.backfill.since == datetime(2026, 10, 31, 21, 0, tzinfo=UTC)


def test_today_is_the_day_zones_today() -> None:
    assert backfill_day("2026-12-02", NOW) == date(2026, 12, 2)  # Moscow's today, UTC's tomorrow
    with pytest.raises(PollRefused, match="is after today"):
        backfill_day("2026-12-02", NOW, ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("since", "says"),
    [
        ("2026-12-03", "2026-12-03 is after today (2026-12-02); a backfill reads what was written already"),
        (
            "2026-09-02",
            "2026-09-02 is more than 90 days back; the earliest day a backfill reads today is 2026-09-03",
        ),
        ("2026-11-31", "'2026-11-31' is not a day YYYY-MM-DD"),
        ("20261101", "'20261101' is not a day YYYY-MM-DD"),
        (20261101, "20261101 is not a day YYYY-MM-DD"),
    ],
)
def test_a_day_that_cannot_be_backfilled_is_refused_saying_why(since: object, says: str) -> None:
    with pytest.raises(PollRefused) as refused:
        backfill_day(since, NOW)
    assert str(refused.value) == says


def test_ninety_days_back_is_the_earliest_day_taken() -> None:
    assert backfill_day("2026-09-03", NOW) == date(2026, 9, 3)


def test_an_events_bad_window_names_its_field() -> None:
    with pytest.raises(PollRefused, match=r"^backfill.since: '1 Nov' is not a day"):
        poll_request({"backfill": {"since": "1 Nov"}}, NOW)
    with pytest.raises(PollRefused, match="backfill must be an object"):
        poll_request({"backfill": "2026-11-01"}, NOW)
    with pytest.raises(PollRefused, match="connection must be a connection's name"):
        poll_request({"connection": 7}, NOW)


def test_an_ordinary_event_is_an_ordinary_poll() -> None:
    assert poll_request({}, NOW) == PollRequest()
    assert poll_request({"force": True}, NOW) == PollRequest(force=True)
    assert poll_request({"connection": "wb-main"}, NOW) == PollRequest(connection="wb-main")


WB = connection("wildberries", "wb-main")
OZON = connection("ozon", "ozon-main")
OFF = connection("wildberries", "wb-old", enabled=False)
ALL = {c.name: c for c in (WB, OZON, OFF)}


def test_a_request_reads_the_connection_it_names_or_every_enabled_one() -> None:
    assert requested_connections(PollRequest(connection="ozon-main"), ALL) == [OZON]
    assert requested_connections(PollRequest(), ALL) == [WB, OZON]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("wb-mian", "connection 'wb-mian' is not a connection; the enabled ones: ozon-main, wb-main"),
        ("wb-old", "connection 'wb-old' is disabled; the enabled ones: ozon-main, wb-main"),
    ],
)
def test_an_unknown_or_disabled_connection_is_refused_naming_the_enabled_ones(name: str, says: str) -> None:
    with pytest.raises(PollRefused) as refused:
        requested_connections(PollRequest(connection=name), ALL)
    assert str(refused.value) == says


# ---------------------------------------------------------------- where each platform starts and stops

SINCE = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def test_wildberries_and_yandex_market_start_at_the_window_then_follow_their_own_cursor() -> None:
    assert wb_position({}, SINCE) == WildberriesCursor(int(SINCE.timestamp()))
    assert wb_position({"date_from": 5, "skip": 1, "seen": ["a"]}, SINCE) == WildberriesCursor(5, 1, ("a",))
    assert ym_position({}, SINCE).since == SINCE - timedelta(seconds=1)  # dateTimeFrom is exclusive
    assert ym_position({"since": None, "page_token": "t2"}, SINCE).page_token == "t2"


def _review(ident: str, published: datetime) -> dict[str, object]:
    return {
        "id": ident,
        "sku": 1,
        "text": "Сломался",
        "rating": 1,
        "status": "UNPROCESSED",
        "published_at": published.isoformat(),
    }


def test_an_ozon_page_within_the_window_goes_on_and_one_reaching_older_items_stops() -> None:
    newer = [_review("r3", SINCE + timedelta(days=3)), _review("r2", SINCE + timedelta(days=1))]
    reaching = [_review("r1", SINCE + timedelta(hours=1)), _review("r0", SINCE - timedelta(seconds=1))]

    first = backfill_page("review", newer, OzonCursor(), "r2", True, SINCE, "ozon-main", NOW)
    last = backfill_page("review", reaching, OzonCursor("r2"), "r0", True, SINCE, "ozon-main", NOW)

    assert ([e.external_id for e in first.envelopes], first.more, first.cursor) == (
        ["r3", "r2"],
        True,
        {"last_id": "r2"},
    )
    assert ([e.external_id for e in last.envelopes], last.more) == (["r1"], False)


def test_an_ozon_item_without_a_readable_date_is_reported_not_passed_over() -> None:
    broken = {**_review("rx", SINCE), "published_at": "yesterday"}

    page = backfill_page("review", [broken], OzonCursor(), "rx", False, SINCE, "ozon-main", NOW)

    assert page.envelopes == [] and [item for item, _ in page.malformed] == ["rx"]
