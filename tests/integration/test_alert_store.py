"""Spike alerts in AggregatesTable on moto: kept once per key and day, listed newest first by GET /alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from otklik.adapters.alert_store import AlertStore
from otklik.domain.alerts import Spike, alert_of
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
KEY = "product#wildberries#12345#topic#quality#negative"


def _alert(day: date, key: str = KEY) -> object:
    return alert_of(Spike(key, day, 14, 3.0, 1e-6), ["Шов разошёлся"], ["fb_1"], NOW)


def test_an_alert_is_kept_once_per_key_and_day_and_listed_newest_first(stack: Stack) -> None:
    store = AlertStore(stack.dynamodb, stack.table("AggregatesTable"))

    assert store.put(_alert(date(2026, 11, 28)))  # type: ignore[arg-type]
    assert store.put(_alert(date(2026, 12, 1)))  # type: ignore[arg-type]
    assert not store.put(_alert(date(2026, 12, 1)))  # type: ignore[arg-type]
    assert store.put(_alert(date(2026, 12, 1), "topic#quality#negative"))  # type: ignore[arg-type]

    assert [(a.day.isoformat(), a.key) for a in store.since(date(2026, 11, 30))] == [
        ("2026-12-01", "topic#quality#negative"),
        ("2026-12-01", KEY),
    ]
    assert store.last_alerted(date(2026, 11, 1)) == {
        KEY: date(2026, 12, 1),
        "topic#quality#negative": date(2026, 12, 1),
    }

    # And GET /alerts answers them, newest first
    response = stack.invoke("OpsApiFunction", ops_event("/alerts", "/alerts", {"since": "2026-11-01"}))
    assert response["statusCode"] == 200
    items = body_of(response)["items"]
    assert [item["day"] for item in items] == ["2026-12-01", "2026-12-01", "2026-11-28"]
    assert items[-1]["examples"] == ["Шов разошёлся"] and items[-1]["count"] == 14
    bad = stack.invoke("OpsApiFunction", ops_event("/alerts", "/alerts", {"since": "soon"}))
    assert bad["statusCode"] == 400
