"""Aggregate maths: which counters a feedback item adds to, per period and dimension, and how they read.

Periods are calendar periods in the report time zone: a day (DAY#2026-11-22), an ISO week (WEEK#2026-W47)
and a month (MONTH#2026-11). Dimensions: all, source#<source>, account#<source>#<account>,
product#<source>#<product id>, topic#<topic>, topic#<topic>#<polarity>. An item counts on the day it was
written (a backfilled review on its own day); `arrived` counts it on the day it reached us, so today's
numbers also say how many arrived today.

A batch of updates is summed in memory (sum_batch) so each counter is written once per batch, and the
hottest counters (all, source) are spread over SHARDS sort keys (`all~2`) that readers add up: one item
written by every batch would otherwise be the throughput ceiling (docs/aggregates.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from otklik.domain.models import FeedbackItem, Ticket

PeriodKind = Literal["day", "week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month")
# The dimensions GET /aggregates names, and the prefix of their counters' sort keys.
DIMENSIONS = ("all", "source", "account", "product", "topic", "topic_polarity", "product_topic", "team")
SHARDS = 4
SHARDED = ("all", "source#")
SHARD_MARK = "~"


@dataclass(frozen=True)
class CounterKey:
    period: str  # e.g. DAY#2026-11-22
    dimension: str  # "all", "source#<source>", ...


@dataclass(frozen=True)
class AggregateUpdate:
    """Counter increments that must be applied once, as a whole, for one event."""

    applied_marker: str  # what makes the update exactly-once: applied at most one time per marker
    counters: Mapping[CounterKey, Mapping[str, int]]

    @property
    def keys(self) -> tuple[CounterKey, ...]:
        return tuple(self.counters)


def day_period(day: str) -> str:
    return f"DAY#{day}"


def period_keys(day: str) -> tuple[str, str, str]:
    """The day, ISO week and month a calendar day (YYYY-MM-DD) falls in."""
    moment = date.fromisoformat(day)
    year, week, _ = moment.isocalendar()
    return f"DAY#{day}", f"WEEK#{year}-W{week:02d}", f"MONTH#{moment:%Y-%m}"


class PeriodError(ValueError):
    """A period or range that names no calendar period."""


def period_key(kind: str, key: str) -> str:
    """DAY#2026-11-22 for ("day", "2026-11-22"), WEEK#2026-W48, MONTH#2026-11; PeriodError otherwise."""
    try:
        if kind == "day":
            return f"DAY#{date.fromisoformat(key).isoformat()}"
        if kind == "week":
            year, _, week = key.partition("-W")
            first = date.fromisocalendar(int(year), int(week), 1)
            return f"WEEK#{first.isocalendar()[0]}-W{first.isocalendar()[1]:02d}"
        if kind == "month":
            year, _, month = key.partition("-")
            return f"MONTH#{date(int(year), int(month), 1):%Y-%m}"
    except ValueError:
        pass
    examples = {"day": "2026-11-22", "week": "2026-W48", "month": "2026-11"}
    if kind not in examples:
        raise PeriodError(f"period must be one of {', '.join(PERIOD_KINDS)}")
    raise PeriodError(f"a {kind} is written like {examples[kind]}, got {key[:40]!r}")


def _start(period: str) -> date:
    kind, _, text = period.partition("#")
    if kind == "DAY":
        return date.fromisoformat(text)
    if kind == "WEEK":
        year, _, week = text.partition("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    year, _, month = text.partition("-")
    return date(int(year), int(month), 1)


def _next(period: str) -> str:
    start = _start(period)
    if period.startswith("DAY#"):
        return f"DAY#{start + timedelta(days=1)}"
    if period.startswith("WEEK#"):
        following = start + timedelta(days=7)
        year, week, _ = following.isocalendar()
        return f"WEEK#{year}-W{week:02d}"
    month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return f"MONTH#{month:%Y-%m}"


def period_start(period: str) -> date:
    """The first day of a period key (DAY#, WEEK#, MONTH#)."""
    return _start(period)


def previous_period(period: str) -> str:
    """The period of the same kind just before: the day before, the ISO week before, the month before."""
    start = _start(period)
    if period.startswith("DAY#"):
        return f"DAY#{start - timedelta(days=1)}"
    if period.startswith("WEEK#"):
        year, week, _ = (start - timedelta(days=7)).isocalendar()
        return f"WEEK#{year}-W{week:02d}"
    last = start - timedelta(days=1)
    return f"MONTH#{last:%Y-%m}"


def period_days(period: str) -> list[date]:
    """The calendar days of a period, in order."""
    first, following = _start(period), _start(_next(period))
    return [first + timedelta(days=offset) for offset in range((following - first).days)]


MAX_RANGE = 400


def period_range(first: str, last: str) -> list[str]:
    """Every period from first to last (both period keys of one kind), oldest first; PeriodError for a
    range that runs backwards or is longer than MAX_RANGE periods."""
    if first.partition("#")[0] != last.partition("#")[0]:
        raise PeriodError("from and to must be periods of one kind")
    if _start(last) < _start(first):
        raise PeriodError("to is before from")
    found = [first]
    while found[-1] != last:
        if len(found) >= MAX_RANGE:
            raise PeriodError(f"a range is at most {MAX_RANGE} periods")
        found.append(_next(found[-1]))
    return found


def feedback_dimensions(item: FeedbackItem) -> tuple[str, ...]:
    dimensions = ["all", f"source#{item.source}", f"account#{item.source}#{item.account}"]
    if item.product is not None:
        dimensions.append(f"product#{item.source}#{item.product.id}")
    for topic in dict.fromkeys(t.topic for t in item.topics):
        dimensions.append(f"topic#{topic}")
    for topic, polarity in dict.fromkeys((t.topic, t.polarity) for t in item.topics):
        dimensions.append(f"topic#{topic}#{polarity}")
    if item.product is not None:
        # A product's complaints by topic: what spike alerts watch (otklik.domain.alerts)
        for topic in dict.fromkeys(t.topic for t in item.topics if t.polarity == "negative"):
            dimensions.append(f"product#{item.source}#{item.product.id}#topic#{topic}#negative")
    return tuple(dimensions)


def feedback_increments(item: FeedbackItem) -> dict[str, int]:
    """What one item adds to each of its counters: totals by label and kind, the stars histogram and sum,
    and a survey's NPS group or CSAT score."""
    increments = {
        "total": 1,
        f"label_{item.tonality.label}": 1,
        f"kind_{item.kind}": 1,
    }
    if item.rating is not None:
        increments[f"rating_{item.rating}"] = 1
        increments["rating_sum"] = item.rating
        increments["rating_count"] = 1
    survey = item.survey
    if survey is not None and survey.scale == "nps":
        group = "promoters" if survey.score >= 9 else "passives" if survey.score >= 7 else "detractors"
        increments[f"nps_{group}"] = 1
        increments["nps_count"] = 1
    elif survey is not None:
        increments[f"csat_{survey.score}"] = 1
        increments["csat_sum"] = survey.score
        increments["csat_count"] = 1
    return increments


def new_feedback_update(item: FeedbackItem, arrived_day: str | None = None) -> AggregateUpdate:
    """Every period and dimension of the item's own day, each counting the item once; and `arrived` on the
    day it reached us (all and its source)."""
    increments = feedback_increments(item)
    counters: dict[CounterKey, dict[str, int]] = {}
    for period in period_keys(item.day):
        for dimension in feedback_dimensions(item):
            counters[CounterKey(period, dimension)] = dict(increments)
    if arrived_day is not None:
        for period in period_keys(arrived_day):
            for dimension in ("all", f"source#{item.source}"):
                cell = counters.setdefault(CounterKey(period, dimension), {})
                cell["arrived"] = cell.get("arrived", 0) + 1
    return AggregateUpdate(applied_marker=f"feedback_counted#{item.id}", counters=counters)


def sum_batch(updates: Iterable[AggregateUpdate]) -> dict[CounterKey, dict[str, int]]:
    """The increments of many updates added up per counter: one write per counter for the whole batch."""
    summed: dict[CounterKey, dict[str, int]] = {}
    for update in updates:
        for key, increments in update.counters.items():
            cell = summed.setdefault(key, {})
            for name, amount in increments.items():
                cell[name] = cell.get(name, 0) + amount
    return summed


def shard_of(key: CounterKey, salt: str) -> CounterKey:
    """A hot counter spread over SHARDS sort keys, chosen by the writer's salt (its first marker); the others
    as they are."""
    if not key.dimension.startswith(SHARDED):
        return key
    shard = int.from_bytes(hashlib.sha256(salt.encode()).digest()[:2], "big") % SHARDS
    return CounterKey(key.period, f"{key.dimension}{SHARD_MARK}{shard}")


def unsharded(dimension: str) -> str:
    return dimension.partition(SHARD_MARK)[0]


def add_up(stored: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """A period's stored counters by dimension, shards added together."""
    found: dict[str, dict[str, int]] = {}
    for dimension, counters in stored.items():
        cell = found.setdefault(unsharded(dimension), {})
        for name, amount in counters.items():
            cell[name] = cell.get(name, 0) + int(amount)
    return found


def summarize(counters: Mapping[str, int]) -> dict[str, object]:
    """Counters as the ops API shows them, with averages, NPS and CSAT worked out."""
    count = counters.get("rating_count", 0)
    average = round(counters.get("rating_sum", 0) / count, 3) if count else None
    nps_count = counters.get("nps_count", 0)
    nps = (
        round(100 * (counters.get("nps_promoters", 0) - counters.get("nps_detractors", 0)) / nps_count, 1)
        if nps_count
        else None
    )
    csat_count = counters.get("csat_count", 0)
    frt_count = counters.get("frt_count", 0)
    answered_in_time = counters.get("sla_met", 0) + counters.get("sla_missed", 0)
    tickets = {
        "opened": counters.get("tickets_opened", 0),
        "resolved": counters.get("tickets_resolved", 0),
        "reopened": counters.get("tickets_reopened", 0),
        "repeat_contacts": counters.get("repeat_contacts", 0),
        "first_response": {
            "count": frt_count,
            "average_hours": round(counters.get("frt_seconds_sum", 0) / frt_count / 3600, 2)
            if frt_count
            else None,
            # The bucket's upper bound where half (p50) and nine in ten (p90) of first responses fall
            "p50_hours": frt_percentile(counters, 0.5),
            "p90_hours": frt_percentile(counters, 0.9),
        },
        "sla": {
            "met": counters.get("sla_met", 0),
            "missed": counters.get("sla_missed", 0),
            "breached": counters.get("sla_breached", 0),
            "met_share": round(counters.get("sla_met", 0) / answered_in_time, 3)
            if answered_in_time
            else None,
        },
        "replies": {
            "published": counters.get("replies_published", 0),
            "manual": counters.get("replies_manual", 0),
            "auto": counters.get("replies_auto", 0),
        },
    }
    return {
        "tickets": tickets,
        "total": counters.get("total", 0),
        "arrived": counters.get("arrived", 0),
        "labels": {label: counters.get(f"label_{label}", 0) for label in ("negative", "neutral", "positive")},
        "kinds": {k.removeprefix("kind_"): v for k, v in sorted(counters.items()) if k.startswith("kind_")},
        "ratings": {str(stars): counters.get(f"rating_{stars}", 0) for stars in range(1, 6)},
        "rating_sum": counters.get("rating_sum", 0),
        "rating_count": count,
        "rating_average": average,
        "nps": {
            "promoters": counters.get("nps_promoters", 0),
            "passives": counters.get("nps_passives", 0),
            "detractors": counters.get("nps_detractors", 0),
            "count": nps_count,
            "score": nps,
        },
        "csat": {
            "scores": {str(score): counters.get(f"csat_{score}", 0) for score in range(1, 6)},
            "count": csat_count,
            # The share of 4 and 5, the usual CSAT figure
            "satisfied_share": round((counters.get("csat_4", 0) + counters.get("csat_5", 0)) / csat_count, 3)
            if csat_count
            else None,
        },
    }


# ---------------------------------------------------------------- tickets


def frt_percentile(counters: Mapping[str, int], share: float) -> float | None:
    """The first-response time (hours, a bucket's upper bound) under which `share` of responses fell."""
    total = counters.get("frt_count", 0)
    if not total:
        return None
    seen = 0
    for hours in FRT_BUCKETS_HOURS:
        seen += counters.get(f"frt_le_{hours}", 0)
        if seen >= share * total:
            return float(hours)
    return None  # past the last bucket


# First-response time buckets (hours, upper bounds) for percentiles: `frt_le_<h>`; past the last: `frt_gt_72`.
FRT_BUCKETS_HOURS = (1, 2, 4, 8, 24, 48, 72)
TICKET_DONE = ("resolved", "closed")


def ticket_dimensions(ticket: Ticket) -> tuple[str, ...]:
    dimensions = [
        "all",
        f"source#{ticket.source}",
        f"account#{ticket.source}#{ticket.account}",
        f"team#{ticket.team}",
    ]
    dimensions.extend(f"topic#{topic}" for topic in dict.fromkeys(ticket.topics))
    return tuple(dimensions)


def frt_bucket(seconds: float) -> str:
    for hours in FRT_BUCKETS_HOURS:
        if seconds <= hours * 3600:
            return f"frt_le_{hours}"
    return f"frt_gt_{FRT_BUCKETS_HOURS[-1]}"


def _events(before: Ticket | None, after: Ticket) -> list[tuple[datetime, dict[str, int]]]:
    """What a ticket change means for the numbers, each with the moment it happened."""
    events: list[tuple[datetime, dict[str, int]]] = []
    if before is None:
        events.append((after.created_at, {"tickets_opened": 1}))
    if after.status in TICKET_DONE and (before is None or before.status not in TICKET_DONE):
        events.append((after.resolved_at or after.history[-1].at, {"tickets_resolved": 1}))
    if before is not None and before.status in TICKET_DONE and after.status not in TICKET_DONE:
        events.append((after.history[-1].at if after.history else after.created_at, {"tickets_reopened": 1}))
    answered = after.first_response_at
    if answered is not None and (before is None or before.first_response_at is None):
        seconds = max((answered - after.created_at).total_seconds(), 0.0)
        counts = {"frt_seconds_sum": round(seconds), "frt_count": 1, frt_bucket(seconds): 1}
        due = after.first_response_due_at
        if due is not None:
            counts["sla_met" if answered <= due else "sla_missed"] = 1
        events.append((answered, counts))
    breached = after.sla_breached_at
    if breached is not None and (before is None or before.sla_breached_at is None):
        events.append((breached, {"sla_breached": 1}))
    repeats = after.repeat_contacts - (before.repeat_contacts if before is not None else 0)
    if repeats > 0:
        events.append(
            (after.history[-1].at if after.history else after.created_at, {"repeat_contacts": repeats})
        )
    reply = after.reply
    was = before.reply if before is not None else None
    if (
        reply is not None
        and reply.status == "published"
        and (was is None or was.reply_id != reply.reply_id or was.status != "published")
    ):
        how = "replies_auto" if reply.auto_rule else "replies_manual"
        events.append((reply.published_at or reply.approved_at, {"replies_published": 1, how: 1}))
    return events


def ticket_update(before: Ticket | None, after: Ticket, zone: tzinfo) -> AggregateUpdate | None:
    """The counters a ticket change adds to (each event on the day it happened, in the report zone), once
    per ticket version; None when the change means nothing for the numbers."""
    events = _events(before, after)
    if not events:
        return None
    counters: dict[CounterKey, dict[str, int]] = {}
    for moment, increments in events:
        for period in period_keys(moment.astimezone(zone).date().isoformat()):
            for dimension in ticket_dimensions(after):
                cell = counters.setdefault(CounterKey(period, dimension), {})
                for name, amount in increments.items():
                    cell[name] = cell.get(name, 0) + amount
    return AggregateUpdate(applied_marker=f"ticket_counted#{after.id}#v{after.version}", counters=counters)
