"""A ticket's deadlines under an SLA policy: first response, resolution, their warnings, escalations.

Each deadline is its target in business hours of the policy's calendar after the feedback was received;
the warning comes when the policy's warning share of that target has passed. Where a marketplace stops
taking replies (a Wildberries review is archived 30 days after it was written, answered or not), no
deadline passes that moment: it is cut to the window's end and the result names the window
(`clamped_by`), and its warning comes at the same share of the business time left before it.
"""

from __future__ import annotations

from datetime import datetime

from otklik.domain.marketplaces.windows import reply_window
from otklik.domain.models import FeedbackKind, Frozen, Priority
from otklik.domain.sla.calendar import BusinessCalendar
from otklik.domain.sla.settings import SlaPolicy


class Due(Frozen):
    """One deadline: when it passes, when to warn before it, and what cut it short (if anything did)."""

    due_at: datetime
    warn_at: datetime | None
    target_hours: float
    clamped_by: str | None = None


class Deadlines(Frozen):
    """A ticket's deadlines; a None deadline is a target the policy does not set."""

    policy: str
    calendar: str
    first_response_due_at: datetime | None
    warn_at: datetime | None  # the first response's warning, the one a new ticket waits for
    resolution_due_at: datetime | None
    resolution_warn_at: datetime | None
    next_response_hours: float | None  # each later reply: see next_response_due
    window_closes_at: datetime | None  # the marketplace's own end to replies, if it has one
    clamped_by: str | None  # the window that cut a deadline short, e.g. "wildberries_archive"


class Escalation(Frozen):
    notify: str
    at: datetime


def due_after(
    start: datetime,
    hours: float,
    warn_share: float | None,
    calendar: BusinessCalendar,
    window: tuple[datetime, str] | None = None,
) -> Due:
    """`hours` business hours after start, with its warning, cut to window (its end, its name) if given."""
    due_at = calendar.add(start, hours)
    if window is not None and due_at > window[0]:
        closes_at, closed_by = window
        closes_at = closes_at.astimezone(calendar.time_zone)
        left = calendar.between(start, closes_at)
        warn_at = calendar.add(start, warn_share * left) if warn_share is not None and left > 0 else None
        return Due(due_at=closes_at, warn_at=warn_at, target_hours=hours, clamped_by=closed_by)
    warn_at = calendar.add(start, warn_share * hours) if warn_share is not None else None
    return Due(due_at=due_at, warn_at=warn_at, target_hours=hours)


def reply_window_of(
    source: str, kind: FeedbackKind, received_at: datetime, created_at: datetime | None = None
) -> tuple[datetime, str] | None:
    """When the platform stops taking a reply to this feedback, and what stops it; None: it never does.

    The platform's clock starts when the feedback was written there (created_at); without it, or when a
    sender's clock put it after receipt, when we received it.
    """
    window = reply_window(source, kind)
    if window is None:
        return None
    opened = min(created_at, received_at) if created_at is not None else received_at
    return opened + window.length, window.closed_by


def deadlines(
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    priority: Priority,
    kind: FeedbackKind,
    received_at: datetime,
    source: str,
    *,
    created_at: datetime | None = None,
) -> Deadlines:
    """The deadlines of a ticket of this priority and kind, received at received_at from source.

    calendar is the policy's own (SlaSettings.calendar(policy.calendar)); the times are in its zone.
    """
    target = policy.target_for(priority, kind)
    window = reply_window_of(source, kind, received_at, created_at)
    first = resolution = None
    if target is not None and target.first_response_hours is not None:
        first = due_after(received_at, target.first_response_hours, policy.warn_share, calendar, window)
    if target is not None and target.resolution_hours is not None:
        resolution = due_after(received_at, target.resolution_hours, policy.warn_share, calendar, window)
    clamped = next((each.clamped_by for each in (first, resolution) if each and each.clamped_by), None)
    return Deadlines(
        policy=policy.name,
        calendar=calendar.name,
        first_response_due_at=first.due_at if first else None,
        warn_at=first.warn_at if first else None,
        resolution_due_at=resolution.due_at if resolution else None,
        resolution_warn_at=resolution.warn_at if resolution else None,
        next_response_hours=target.next_response_hours if target is not None else None,
        window_closes_at=window[0].astimezone(calendar.time_zone) if window else None,
        clamped_by=clamped,
    )


def next_response_due(
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    priority: Priority,
    kind: FeedbackKind,
    customer_wrote_at: datetime,
    *,
    window: tuple[datetime, str] | None = None,
) -> Due | None:
    """The deadline of the reply to a customer's later message (None: the policy sets no such target).

    window: the ticket's reply window (reply_window_of, as deadlines() used it), to stay inside it.
    """
    target = policy.target_for(priority, kind)
    if target is None or target.next_response_hours is None:
        return None
    return due_after(customer_wrote_at, target.next_response_hours, policy.warn_share, calendar, window)


def escalations(
    policy: SlaPolicy, calendar: BusinessCalendar, breached_at: datetime
) -> tuple[Escalation, ...]:
    """Who is told, and when, after a deadline passed at breached_at: each step its business hours later."""
    return tuple(
        Escalation(notify=step.notify, at=calendar.add(breached_at, step.after_hours))
        for step in policy.escalation
    )
