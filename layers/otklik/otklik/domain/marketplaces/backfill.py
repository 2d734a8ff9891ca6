"""What a poll is asked to read: every due connection, one connection now, or a backfill from a day.

A backfill reads a connection's streams again from the start of a day (in the stack's day zone, the
one its days and reports use) up to the moment it starts, with a cursor of its own that is never
stored: the stored cursors are neither read nor moved, so the ordinary polls go on from where they
were. What it reads twice is the same feedback id and is counted as a duplicate.

The window is checked before anything is read: a day that is not YYYY-MM-DD, a day after today, a
day more than MAX_BACKFILL_DAYS back, or a connection that is unknown or disabled is a PollRefused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.marketplaces.models import Connection

# Yandex Market lists six months back; Wildberries archives a review left unanswered for 30 days (its
# unanswered list no longer holds it); Ozon states no limit. Ninety days covers any outage worth a
# backfill and keeps one run inside its function's timeout.
MAX_BACKFILL_DAYS = 90
DAYS_ZONE = ZoneInfo("Europe/Moscow")  # the stack's default day zone (OTKLIK_REPORT_TIMEZONE)


class PollRefused(ValueError):
    """A poll request that cannot be run as asked; nothing was read."""


@dataclass(frozen=True)
class BackfillWindow:
    """Feedback created from `since` (inclusive) to `until` (when the backfill began)."""

    since: datetime
    until: datetime

    @property
    def day(self) -> str:
        return self.since.date().isoformat()


@dataclass(frozen=True)
class PollRequest:
    """force: every enabled connection, due or not; connection: that one only (now, due or not);
    backfill: read again from the window's day instead of from the stored cursors."""

    force: bool = False
    connection: str | None = None
    backfill: BackfillWindow | None = None


def backfill_day(text: Any, now: datetime, zone: ZoneInfo = DAYS_ZONE) -> date:
    """The day a backfill starts from, checked against today in `zone`; PollRefused saying what is wrong
    (without the field's name: the command line says --since, the event backfill.since)."""
    if not isinstance(text, str):
        raise PollRefused(f"{text!r} is not a day YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PollRefused(f"{text!r} is not a day YYYY-MM-DD") from None
    if len(text) != len("YYYY-MM-DD"):  # fromisoformat also takes 20261101 and 2026-W44-7
        raise PollRefused(f"{text!r} is not a day YYYY-MM-DD")
    today = now.astimezone(zone).date()
    if day > today:
        raise PollRefused(f"{day} is after today ({today}); a backfill reads what was written already")
    if (today - day).days > MAX_BACKFILL_DAYS:
        earliest = today - timedelta(days=MAX_BACKFILL_DAYS)
        raise PollRefused(
            f"{day} is more than {MAX_BACKFILL_DAYS} days back; the earliest day a backfill reads"
            f" today is {earliest}"
        )
    return day


def backfill_window(day: date, now: datetime, zone: ZoneInfo = DAYS_ZONE) -> BackfillWindow:
    """From the start of `day` in `zone` to now."""
    return BackfillWindow(datetime.combine(day, time(), tzinfo=zone), now)


def poll_request(detail: Mapping[str, Any], now: datetime, zone: ZoneInfo = DAYS_ZONE) -> PollRequest:
    """The request a scheduled event's detail makes: {}, {"force": true}, {"connection": "wb-main"}, or
    {"backfill": {"since": "2026-11-01", "connection": "wb-main"}} (the connection optional)."""
    connection = _name(detail.get("connection"), "connection")
    backfill = detail.get("backfill")
    if backfill is None:
        return PollRequest(force=detail.get("force") is True, connection=connection)
    if not isinstance(backfill, Mapping):
        raise PollRefused('backfill must be an object: {"since": "YYYY-MM-DD", "connection": NAME}')
    try:
        day = backfill_day(backfill.get("since"), now, zone)
    except PollRefused as refusal:
        raise PollRefused(f"backfill.since: {refusal}") from None
    return PollRequest(
        force=True,
        connection=_name(backfill.get("connection"), "backfill.connection") or connection,
        backfill=backfill_window(day, now, zone),
    )


def _name(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise PollRefused(f"{field} must be a connection's name")
    return value


def requested_connections(request: PollRequest, connections: Mapping[str, Connection]) -> list[Connection]:
    """The enabled connections the request names: the one it names, or every enabled one. A name that is
    unknown or disabled is refused, naming the ones there are."""
    enabled = [connection for connection in connections.values() if connection.enabled]
    if request.connection is None:
        return enabled
    chosen = connections.get(request.connection)
    if chosen is not None and chosen.enabled:
        return [chosen]
    names = ", ".join(sorted(c.name for c in enabled)) or "none"
    what = "is disabled" if chosen is not None else "is not a connection"
    raise PollRefused(f"connection {request.connection!r} {what}; the enabled ones: {names}")
