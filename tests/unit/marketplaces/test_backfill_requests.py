"""A backfill against the fake platforms on 127.0.0.1: each connector asks with its platform's own list
parameters (WB dateFrom/dateTo, YM dateTimeFrom/dateTimeTo, Ozon newest first until older), and brings
exactly the window's items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from otklik.adapters.http import HttpClient
from otklik.adapters.marketplaces.ozon import OzonConnector
from otklik.adapters.marketplaces.wildberries import WildberriesConnector
from otklik.adapters.marketplaces.yandex_market import YandexMarketConnector
from otklik.domain.marketplaces.backfill import BackfillWindow
from otklik.domain.models import FeedbackEnvelope
from otklik.usecases.poll import backfill_connection
from tests.unit.marketplaces.fakes import CountingLimiter, connection

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
WINDOW = BackfillWindow(since=NOW - timedelta(days=10), until=NOW)
BEFORE, INSIDE, AFTER = NOW - timedelta(days=20), NOW - timedelta(days=5), NOW + timedelta(hours=1)


class Queue:
    def __init__(self) -> None:
        self.sent: list[FeedbackEnvelope] = []

    def send(self, message: FeedbackEnvelope) -> str:
        self.sent.append(message)
        return str(len(self.sent))


def _http() -> HttpClient:
    return HttpClient(timeout_seconds=5, attempts=1)


@pytest.fixture
def wb(loopback: None) -> Iterator[FakeWildberries]:
    with FakeWildberries() as fake:
        fake.no_rate_limit()
        yield fake


@pytest.fixture
def ozon(loopback: None) -> Iterator[FakeOzon]:
    with FakeOzon() as fake:
        fake.no_rate_limit()
        yield fake


@pytest.fixture
def ym(loopback: None) -> Iterator[FakeYandexMarket]:
    with FakeYandexMarket() as fake:
        fake.no_rate_limit()
        yield fake


def test_wildberries_lists_the_window_with_date_from_and_date_to_in_unix_seconds(wb: FakeWildberries) -> None:
    # Given reviews before the window, three inside it, and one written after the backfill began
    wb.add_feedback("до окна", created_at=BEFORE)
    inside = [
        wb.add_feedback(f"в окне {n}", created_at=INSIDE + timedelta(minutes=n))["id"] for n in range(3)
    ]
    wb.add_feedback("после", created_at=AFTER)
    connector = WildberriesConnector(
        _http(), wb.url, wb.token, connection("wildberries", "wb-main"), CountingLimiter(), page_size=2
    )
    queue = Queue()

    # When the feedbacks stream is backfilled, two a page
    (report, questions) = backfill_connection(
        connection("wildberries", "wb-main"), connector, WINDOW, queue, NOW
    )

    # Then every page asked for the window in unix seconds, and only the window's reviews came
    listed = [r for r in wb.requests if r.path == "/api/v1/feedbacks"]
    assert listed[0].query["dateFrom"] == [str(int(WINDOW.since.timestamp()))]
    assert all(r.query["dateTo"] == [str(int(NOW.timestamp()))] for r in listed)
    assert all(r.query["isAnswered"] == ["false"] and r.query["order"] == ["dateAsc"] for r in listed)
    assert sorted(e.external_id for e in queue.sent) == sorted(inside)
    assert len(listed) == report.pages > 1  # paged, every page within the window
    assert (report.ingested, report.unfinished, report.error) == (3, False, None)
    assert questions.stream == "questions" and questions.ingested == 0


def test_ozon_reads_newest_first_and_stops_at_the_first_page_older_than_the_window(ozon: FakeOzon) -> None:
    # Given 25 unprocessed reviews in the window and 25 older ones (Ozon's list takes no date)
    for n in range(25):
        ozon.add_review(f"старый {n}", published_at=BEFORE + timedelta(minutes=n))
    recent = [
        ozon.add_review(f"новый {n}", published_at=INSIDE + timedelta(minutes=n))["id"] for n in range(25)
    ]
    connector = OzonConnector(
        _http(), ozon.url, ozon.client_id, ozon.api_key, connection("ozon", "ozon-main"), page_size=20
    )
    queue = Queue()

    # When the connection is backfilled, twenty a page
    reports = backfill_connection(connection("ozon", "ozon-main"), connector, WINDOW, queue, NOW)

    # Then the reviews were read newest first, two pages and no third, and only the window's were queued
    listed = [r for r in ozon.requests if r.path == "/v1/review/list"]
    assert [r.body["sort_dir"] for r in listed] == ["DESC", "DESC"]
    assert listed[0].body["last_id"] == "" and listed[1].body["last_id"]
    assert sorted(e.external_id for e in queue.sent) == sorted(recent)
    assert [(r.stream, r.ingested, r.pages, r.unfinished) for r in reports] == [
        ("reviews", 25, 2, False),
        ("questions", 0, 1, False),
    ]


def test_yandex_market_asks_for_the_window_with_date_time_from_and_to(ym: FakeYandexMarket) -> None:
    # Given reviews needing a reaction before, inside and after the window
    ym.add_feedback("до окна", created_at=BEFORE)
    inside = [
        ym.add_feedback(f"в окне {n}", created_at=INSIDE + timedelta(hours=n))["feedbackId"] for n in range(2)
    ]
    edge = ym.add_feedback("в первую секунду окна", created_at=WINDOW.since)["feedbackId"]
    ym.add_feedback("после", created_at=AFTER)
    ym_main = connection("yandex_market", "ym-main", {"business_id": str(ym.business_id)})
    connector = YandexMarketConnector(_http(), ym.url, ym.api_key, ym_main, page_size=1)
    queue = Queue()

    # When it is backfilled, one review a page
    (report,) = backfill_connection(ym_main, connector, WINDOW, queue, NOW)

    # Then every page asked the same window (the page tokens belong to it), from a second before its start
    listed = [r for r in ym.requests if r.path.endswith("/goods-feedback")]
    assert {(r.body["dateTimeFrom"], r.body["dateTimeTo"]) for r in listed} == {
        ((WINDOW.since - timedelta(seconds=1)).isoformat(), NOW.isoformat())
    }
    assert all(r.body["reactionStatus"] == "NEED_REACTION" for r in listed)
    assert sorted(e.external_id for e in queue.sent) == sorted(str(i) for i in [*inside, edge])
    assert (report.ingested, report.pages, report.error) == (3, 3, None)
