"""detect_spikes: a topic's complaints on a product spike today -> one alert kept and told with counts,
baseline and masked examples; the same run again tells nothing; GET /alerts lists them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from otklik.domain.config import DEFAULT_CONFIG
from otklik.domain.errors import InvalidRequest
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import FeedbackItem, ProductRef, Topic
from otklik.usecases.alerts import detect_spikes
from otklik.usecases.ops import list_alerts
from tests.unit.samples import feedback_item

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
KEY = "product#wildberries#12345#topic#quality#negative"


class Days:
    """AggregateQueries: each day's watched counters (3 a day for four weeks, 14 today)."""

    def __init__(self, today: int) -> None:
        self.today = today

    def period(self, period: str) -> dict[str, dict[str, int]]:
        day = date.fromisoformat(period.removeprefix("DAY#"))
        count = self.today if day == TODAY else 3
        return {KEY: {"total": count}, "topic#quality#negative": {"total": count + 40}, "all": {"total": 99}}


class Alerts:
    def __init__(self) -> None:
        self.kept: dict[tuple[date, str], Any] = {}

    def put(self, alert: Any) -> bool:
        if (alert.day, alert.key) in self.kept:
            return False
        self.kept[(alert.day, alert.key)] = alert
        return True

    def since(self, day: date, limit: int = 200) -> list[Any]:
        found = [alert for (kept_day, _), alert in self.kept.items() if kept_day >= day]
        return sorted(found, key=lambda alert: alert.day, reverse=True)[:limit]

    def last_alerted(self, since: date) -> dict[str, date]:
        return {alert.key: alert.day for alert in self.since(since)}


class Items:
    def __init__(self, items: list[FeedbackItem]) -> None:
        self.items = items

    def items_of_day(self, day: str, limit: int) -> list[FeedbackItem]:
        return self.items[:limit]


class Queue:
    def __init__(self) -> None:
        self.sent: list[NotifyMessage] = []

    def send(self, message: BaseModel) -> str:
        assert isinstance(message, NotifyMessage)
        self.sent.append(message)
        return "m"


def _complaint(n: int, product: str = "12345") -> FeedbackItem:
    item = feedback_item(
        external_id=f"c-{n}", source="wildberries", text=f"Шов разошёлся, пишите на anna{n}@example.com"
    )
    return item.model_copy(
        update={
            "product": ProductRef(id=product),
            "topics": (Topic(topic="quality", polarity="negative", evidence="шов", start=0, end=3),),
        }
    )


def test_a_product_topic_spike_is_kept_and_told_once_with_masked_examples() -> None:
    alerts, queue = Alerts(), Queue()
    items = Items([_complaint(n) for n in range(5)] + [_complaint(9, product="777")])

    told = detect_spikes(NOW, UTC, DEFAULT_CONFIG, Days(today=14), alerts, items, queue)

    # Then the product's spike alerts (the topic overall, 54 against 43, is no spike)
    [alert] = told
    assert (alert.key, alert.count, alert.baseline, alert.topic, alert.product) == (
        KEY,
        14,
        3.0,
        "quality",
        "12345",
    )
    assert len(alert.examples) == 3 and all("@example.com" not in e for e in alert.examples)
    assert len(alert.feedback_ids) == 5  # the other product's complaint is not linked
    [message] = queue.sent
    assert message.notification.event == "spike_alert" and message.notification.ticket_id is None
    assert message.notification.title == "Всплеск: quality · 12345"
    assert "14 за 2026-12-01 при обычных 3.0" in message.notification.text

    # When the hourly run comes again, the same spike is not told again
    assert (
        detect_spikes(NOW + timedelta(hours=1), UTC, DEFAULT_CONFIG, Days(today=16), alerts, items, queue)
        == []
    )
    assert len(queue.sent) == 1


def test_a_flat_day_raises_nothing() -> None:
    queue = Queue()

    assert detect_spikes(NOW, UTC, DEFAULT_CONFIG, Days(today=4), Alerts(), Items([]), queue) == []
    assert queue.sent == []


def test_get_alerts_lists_them_newest_first_and_checks_its_parameters() -> None:
    alerts = Alerts()
    detect_spikes(NOW, UTC, DEFAULT_CONFIG, Days(today=14), alerts, Items([_complaint(1)]), Queue())

    listed = list_alerts(alerts, {"since": "2026-11-30"})

    assert [item["key"] for item in listed["items"]] == [KEY]
    assert list_alerts(alerts, {"since": "2026-12-02"}) == {"items": []}
    too_long = {"limit": "9" * 5000}  # int() of it would be refused by Python itself: a 500
    for bad in ({"since": "yesterday"}, {"since": "2026-02-30"}, {"limit": "0"}, {"limit": "x"}, too_long):
        with pytest.raises(InvalidRequest):
            list_alerts(alerts, bad)
