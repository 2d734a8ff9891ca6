"""A ticket's SLA clocks: which deadlines run, what is due when the sweep looks, and what pauses them.

A ticket has up to three deadlines, each with a warning before it (the policy's warn_share of its target):

- first_response: until the first reply reaches the customer;
- next_response: set when the customer writes again after that, until the next reply;
- resolution: until the ticket is resolved.

A deadline's clock runs while the ticket needs a reply and is open, acknowledged or in progress
(lifecycle.CLOCK_STATUSES). Waiting for the customer and a resolution pause every clock: when the ticket
comes back (the customer answered, a reopen) each deadline not yet passed moves on by the business time
the pause took, so the team is never charged for the customer's turn. Closing stops them for good.

What the sweep does with a ticket is what `due(ticket, now)` says: a warning when the warning time of a
running clock has passed (only when its deadline has not: a late sweep sends the breach alone), a breach
when its deadline has, and each escalation step of a breached clock still running when its time has.
Each is done once: its key goes into ticket.sla_done. `next_check(ticket)` is when anything is next due
(None: nothing will be until the ticket changes): the moment the sweep's index keeps for it, so the sweep
reads only tickets with something due.

Pure: moments are passed in, calendars and policies too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from otklik.domain.lifecycle import CLOCK_STATUSES
from otklik.domain.models import EscalationDue, SlaTarget, Ticket
from otklik.domain.sla.calendar import BusinessCalendar
from otklik.domain.sla.policy import Deadlines, deadlines, escalations, next_response_due
from otklik.domain.sla.settings import SlaPolicy, SlaSettings, UnknownName

TARGETS: tuple[SlaTarget, ...] = ("first_response", "next_response", "resolution")
EventKind = Literal["warning", "breach", "escalation"]
_DUE = {
    "first_response": "first_response_due_at",
    "next_response": "next_response_due_at",
    "resolution": "resolution_due_at",
}
_WARN = {
    "first_response": "first_response_warn_at",
    "next_response": "next_response_warn_at",
    "resolution": "resolution_warn_at",
}


@dataclass(frozen=True)
class SlaEvent:
    """One thing the sweep tells and records: a warning, a breach or an escalation step of a target."""

    kind: EventKind
    target: SlaTarget
    at: datetime  # when it fell due
    key: str  # what sla_done records; unique within a ticket (a next response's carries its deadline)
    notify: str | None = None  # an escalation's person, role or subscription


def _round(ticket: Ticket, target: SlaTarget) -> str:
    """The key prefix of a target: a next response's names its deadline (in UTC, so that one instant has
    one key whatever zone it is held in), each one being a new round."""
    if target == "next_response" and ticket.next_response_due_at is not None:
        return f"next_response@{ticket.next_response_due_at.astimezone(UTC).isoformat()}"
    return target


def runs(ticket: Ticket, target: SlaTarget) -> bool:
    """Whether the target's clock runs: it has a deadline, the ticket needs a reply and is being worked,
    and (for the first response) none was published yet."""
    if getattr(ticket, _DUE[target]) is None or not ticket.reply_needed:
        return False
    if ticket.status not in CLOCK_STATUSES:
        return False
    return not (target == "first_response" and ticket.first_response_at is not None)


def _pending(ticket: Ticket) -> Iterator[SlaEvent]:
    """Every event of a running clock not done yet, due or not."""
    done = set(ticket.sla_done)
    for target in TARGETS:
        if not runs(ticket, target):
            continue
        prefix = _round(ticket, target)
        due_at: datetime = getattr(ticket, _DUE[target])
        warn_at: datetime | None = getattr(ticket, _WARN[target])
        breach = f"{prefix}:breach"
        if breach not in done:
            if warn_at is not None and f"{prefix}:warning" not in done:
                yield SlaEvent("warning", target, warn_at, f"{prefix}:warning")
            yield SlaEvent("breach", target, due_at, breach)
            continue
        for step in ticket.escalations:
            key = f"{prefix}:escalation:{step.step}"
            if step.target == target and key not in done:
                yield SlaEvent("escalation", target, step.at, key, step.notify)


def due(ticket: Ticket, now: datetime) -> tuple[SlaEvent, ...]:
    """What the sweep tells and records for the ticket at now, in order. A warning whose deadline has also
    passed is left out (recorded as done with the breach, see record)."""
    events = [event for event in _pending(ticket) if event.at <= now]
    breached = {event.target for event in events if event.kind == "breach"}
    return tuple(e for e in events if not (e.kind == "warning" and e.target in breached))


def next_check(ticket: Ticket) -> datetime | None:
    """When the sweep must next look at the ticket: its soonest pending event; None when none is."""
    return min((event.at for event in _pending(ticket)), default=None)


Escalate = Callable[[SlaTarget, datetime], tuple[EscalationDue, ...]]


def record(ticket: Ticket, events: tuple[SlaEvent, ...], now: datetime, escalate: Escalate) -> Ticket:
    """The ticket once the sweep told these events at now: each recorded as done (a breach with its
    warning), a breach marked (sla_breached; the first one's time), and its escalation steps scheduled
    (escalate(target, breached_at): the policy's chain from the deadline)."""
    if not events:
        return ticket
    done = list(ticket.sla_done)
    escalations = list(ticket.escalations)
    updates: dict[str, object] = {}
    for event in events:
        done.append(event.key)
        if event.kind != "breach":
            continue
        done.append(event.key.removesuffix(":breach") + ":warning")
        updates["sla_breached"] = True
        if ticket.sla_breached_at is None and "sla_breached_at" not in updates:
            updates["sla_breached_at"] = now
        if event.target == "resolution":
            updates["resolution_breached_at"] = now
        # A new round of a target (a later next response) replaces that target's earlier steps.
        escalations = [step for step in escalations if step.target != event.target]
        escalations.extend(escalate(event.target, event.at))
    updates["sla_done"] = tuple(dict.fromkeys(done))
    updates["escalations"] = tuple(escalations)
    return ticket.model_copy(update=updates)


def with_deadlines(ticket: Ticket, deadlines: Deadlines) -> Ticket:
    """A new ticket with the deadlines its policy gives it."""
    return ticket.model_copy(
        update={
            "sla_calendar": deadlines.calendar,
            "first_response_due_at": deadlines.first_response_due_at,
            "first_response_warn_at": deadlines.warn_at,
            "resolution_due_at": deadlines.resolution_due_at,
            "resolution_warn_at": deadlines.resolution_warn_at,
            "reply_window_closes_at": deadlines.window_closes_at,
        }
    )


def _window(ticket: Ticket) -> tuple[datetime, str] | None:
    closes_at = ticket.reply_window_closes_at
    return None if closes_at is None else (closes_at, "reply_window")


def follow(before: Ticket, after: Ticket, now: datetime, calendar: BusinessCalendar) -> Ticket:
    """after (a status change of before at now) with its clocks paused or resumed: leaving the statuses a
    clock runs in (for the customer's turn or a resolution) records the pause; coming back moves every
    deadline, warning and escalation not yet passed at the pause on by the business hours it took (never
    past the marketplace's reply window); closing leaves them as they are (no clock runs on a closed
    ticket)."""
    was_running = before.status in CLOCK_STATUSES
    running = after.status in CLOCK_STATUSES
    if was_running and not running and after.status != "closed":
        return after.model_copy(update={"sla_paused_at": now})
    paused_at = before.sla_paused_at
    if running and not was_running and paused_at is not None:
        return _resumed(after, paused_at, now, calendar)
    return after


def _resumed(ticket: Ticket, paused_at: datetime, now: datetime, calendar: BusinessCalendar) -> Ticket:
    window = ticket.reply_window_closes_at

    def moved(moment: datetime | None) -> datetime | None:
        if moment is None or moment <= paused_at:
            return moment  # passed before the pause: what it missed is the sweep's to tell
        shifted = calendar.add(now, calendar.between(paused_at, moment))
        return min(shifted, window) if window is not None else shifted

    updates: dict[str, object] = {"sla_paused_at": None}
    for field in (*_DUE.values(), *_WARN.values()):
        updates[field] = moved(getattr(ticket, field))
    updates["escalations"] = tuple(
        step.model_copy(update={"at": moved(step.at)}) for step in ticket.escalations
    )
    resumed = ticket.model_copy(update=updates)
    old, new = _round(ticket, "next_response"), _round(resumed, "next_response")
    if old != new:
        # The round's key names its deadline: what was done of it stays done under the moved one.
        done = tuple(key.replace(old, new, 1) if key.startswith(old) else key for key in ticket.sla_done)
        resumed = resumed.model_copy(update={"sla_done": done})
    return resumed


def customer_wrote(
    ticket: Ticket, wrote_at: datetime, policy: SlaPolicy, calendar: BusinessCalendar
) -> Ticket:
    """The ticket once the customer wrote again at wrote_at: after a first response, a next response is
    owed within the policy's next-response target (a round of its own); before one, nothing changes (the
    first response still answers it). While one is owed already, its deadline stands: it counts from the
    oldest message not answered, so a customer chasing an answer never gives the team more time. After the
    marketplace's reply window has closed no reply can be sent, so none is owed."""
    if ticket.first_response_at is None or not ticket.reply_needed:
        return ticket
    if ticket.next_response_due_at is not None:
        return ticket
    closes_at = ticket.reply_window_closes_at
    if closes_at is not None and wrote_at >= closes_at:
        return ticket
    target = next_response_due(
        policy, calendar, ticket.priority, ticket.kind, wrote_at, window=_window(ticket)
    )
    if target is None:
        return ticket
    return ticket.model_copy(
        update={
            "next_response_due_at": target.due_at,
            "next_response_warn_at": target.warn_at,
            "escalations": tuple(s for s in ticket.escalations if s.target != "next_response"),
        }
    )


def answered(ticket: Ticket) -> Ticket:
    """The ticket once a reply reached the customer: no next response is owed any more."""
    if ticket.next_response_due_at is None:
        return ticket
    return ticket.model_copy(
        update={
            "next_response_due_at": None,
            "next_response_warn_at": None,
            "escalations": tuple(s for s in ticket.escalations if s.target != "next_response"),
        }
    )


def escalation_plan(policy: SlaPolicy, calendar: BusinessCalendar) -> Escalate:
    """The policy's escalation chain, each step its business hours after the breached deadline."""

    def plan(target: SlaTarget, breached_at: datetime) -> tuple[EscalationDue, ...]:
        return tuple(
            EscalationDue(target=target, step=index, notify=step.notify, at=step.at)
            for index, step in enumerate(escalations(policy, calendar, breached_at))
        )

    return plan


def policy_of(settings: SlaSettings, ticket: Ticket) -> tuple[SlaPolicy, BusinessCalendar]:
    """The ticket's policy and calendar as the document says them now. A ticket whose policy the document
    no longer names keeps to the default policy; its calendar stays the one its deadlines were counted in
    while the document names it, else it is the policy's."""
    try:
        policy = settings.policy(ticket.sla_policy)
    except UnknownName:
        policy = settings.policy()
    try:
        return policy, settings.calendar(ticket.sla_calendar or policy.calendar)
    except UnknownName:
        return policy, settings.calendar(policy.calendar)


def reprioritized(before: Ticket, after: Ticket, policy: SlaPolicy, calendar: BusinessCalendar) -> Ticket:
    """after, whose priority a change raised from before's, with the deadlines of its new priority where
    they come sooner (counted from when the ticket opened, never past its reply window): a ticket made
    urgent is owed its answer as an urgent one is. A lowered priority leaves them as they were."""
    if after.priority == before.priority:
        return after
    sooner = deadlines(
        policy, calendar, after.priority, after.kind, after.created_at, after.source, created_at=None
    )
    window = after.reply_window_closes_at
    updates: dict[str, object] = {}
    for field, computed in (
        ("first_response_due_at", sooner.first_response_due_at),
        ("first_response_warn_at", sooner.warn_at),
        ("resolution_due_at", sooner.resolution_due_at),
        ("resolution_warn_at", sooner.resolution_warn_at),
    ):
        current = getattr(after, field)
        if computed is None or current is None:
            continue
        new = min(computed, window) if window is not None else computed
        if new < current:
            updates[field] = new
    return after.model_copy(update=updates) if updates else after
