"""detect_spikes: today's complaints per topic (overall and per product) against their own baselines; a
spike is kept once and told (spike_alert) with its counts, baseline and masked examples."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from otklik.domain.aggregates import day_period
from otklik.domain.alerts import SpikeAlert, alert_of, described, detect, watched
from otklik.domain.messages import NotifyMessage
from otklik.domain.notifications import event_notification

if TYPE_CHECKING:
    from otklik.domain.config import Config
    from otklik.ports import AggregateQueries, AlertKeeper, DayItems, Publisher

EXAMPLES = 3
LINKED = 20


def _examples(items: DayItems, day: str, key: str) -> tuple[list[str], list[str]]:
    """Masked excerpts and ids of the day's items behind a spike: of its topic said negatively, and of its
    product when the key names one."""
    topic, product, source = described(key)
    excerpts: list[str] = []
    ids: list[str] = []
    for item in items.items_of_day(day, 500):
        if not any(t.topic == topic and t.polarity == "negative" for t in item.topics):
            continue
        if product is not None and (
            item.product is None or item.product.id != product or item.source != source
        ):
            continue
        ids.append(item.id)
        if len(excerpts) < EXAMPLES:
            excerpts.append(item.text_masked[:200])
        if len(ids) >= LINKED:
            break
    return excerpts, ids


def detect_spikes(
    now: datetime,
    zone: tzinfo,
    config: Config,
    aggregates: AggregateQueries,
    alerts: AlertKeeper,
    items: DayItems,
    notify_queue: Publisher,
) -> list[SpikeAlert]:
    """The spikes of today (so far) in the report zone, each kept and told once."""
    settings = config.alerts
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=back) for back in range(settings.baseline_days, -1, -1)]
    periods = [aggregates.period(day_period(day.isoformat())) for day in days]
    keys = {dimension for counters in periods for dimension in counters if watched(dimension)}
    series = {key: [counters.get(key, {}).get("total", 0) for counters in periods] for key in sorted(keys)}
    recent = alerts.last_alerted(today - timedelta(days=settings.cooldown_days))
    told: list[SpikeAlert] = []
    for spike in detect(series, today, settings, recent):
        examples, ids = _examples(items, today.isoformat(), spike.key)
        alert = alert_of(spike, examples, ids, now)
        if not alerts.put(alert):
            continue
        details = {
            "alert": {
                "topic": alert.topic,
                "product": alert.product or "",
                "count": alert.count,
                "baseline": alert.baseline,
                "window": today.isoformat(),
                "summary": alert.summary(),
            }
        }
        note = event_notification("spike_alert", alert.id, details, now, config.notifications)
        notify_queue.send(NotifyMessage(notification=note))
        told.append(alert)
    return told
