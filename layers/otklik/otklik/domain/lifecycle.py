"""The ticket lifecycle: which status may follow which, and what each change, assignment and reply records.

Statuses, as the helpdesks our users know them (Zendesk's new/open/pending/solved/closed, Zammad's
new/open/pending/closed), with one step more for a ticket someone has seen but not started:

    open -> acknowledged -> in_progress -> waiting_customer -> resolved -> closed

A ticket may skip ahead (an open ticket answered at once goes straight to waiting_customer or resolved),
but never back, except where a helpdesk goes back too:

- waiting_customer -> open or in_progress: the customer answered (otklik moves it to open, back into the
  team's queue, as Zendesk and Zammad move a pending ticket when the requester replies), or an agent
  takes it up again;
- resolved -> open or in_progress: a reopen. The customer writing again reopens it to open (Zendesk and
  Zammad both reopen a solved ticket to Open on a reply); an agent may reopen it straight into work.
  Its resolution (resolved_at, root_cause) is cleared; the history keeps it.
- closed is final, as in Zendesk: no status, assignee or contact changes a closed ticket (the reports
  count it as it was closed); a customer writing again after that gets a new ticket.

A status is never "changed" to itself: that is refused like any transition the table does not hold, so
a second agent who sends the same change a moment later is told the ticket is already there.

Resolving needs a root cause from the configured list (`tickets.root_causes`). Every change, assignment,
published reply and repeat contact is a StatusChange in the history: who, when, and a note.

The SLA clocks (otklik.domain.sla.clock) run only while a ticket that needs a reply is open, acknowledged
or in progress: waiting for the customer and a resolution pause them, closing stops them, and the first
published reply stops the first-response clock for good.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal, get_args

from pydantic import Field, ValidationInfo, field_validator

from otklik.domain.errors import Conflict, InvalidRequest
from otklik.domain.models import (
    AfterReply,
    Frozen,
    PlatformState,
    Priority,
    StatusChange,
    Ticket,
    TicketStatus,
)

STATUSES: tuple[TicketStatus, ...] = get_args(TicketStatus)
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")  # from least urgent to most
# Who records the changes otklik makes itself (a repeat contact, a reopen), as in a ticket's first entry.
SYSTEM = "otklik"

TRANSITIONS: Mapping[TicketStatus, tuple[TicketStatus, ...]] = {
    "open": ("acknowledged", "in_progress", "waiting_customer", "resolved"),
    "acknowledged": ("in_progress", "waiting_customer", "resolved"),
    "in_progress": ("waiting_customer", "resolved"),
    "waiting_customer": ("open", "in_progress", "resolved"),
    "resolved": ("open", "in_progress", "closed"),
    "closed": (),
}
# Tickets still being worked: a repeat contact joins one of these instead of opening another.
ACTIVE_STATUSES: tuple[TicketStatus, ...] = ("open", "acknowledged", "in_progress", "waiting_customer")
# Where the first-response clock runs; waiting_customer pauses it, resolved and closed stop it.
CLOCK_STATUSES: tuple[TicketStatus, ...] = ("open", "acknowledged", "in_progress")

NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
DEFAULT_ROOT_CAUSES = (
    "product_defect",
    "wrong_item",
    "missing_item",
    "description_mismatch",
    "size_fit",
    "packaging",
    "delivery",
    "seller_service",
    "customer_expectation",
    "question_answered",
    "spam",
    "no_action_needed",
    "other",
)


class TicketSettings(Frozen):
    """The `tickets:` section of the configuration document."""

    root_causes: tuple[str, ...] = Field(
        default=DEFAULT_ROOT_CAUSES, min_length=1, max_length=100, description="What resolving may name"
    )
    repeat_contact_days: int = Field(
        default=0,
        ge=0,
        le=365,
        description="The same customer or order writing again within this many days of their ticket joins"
        " it instead of opening another; 0 turns repeat contacts off (every item its own ticket)",
    )
    reopen_days: int = Field(
        default=7, ge=0, le=365, description="A repeat contact this soon after a resolution reopens it"
    )
    after_reply: Literal["waiting_customer", "resolved"] = Field(
        default="waiting_customer", description="Where a ticket goes once its reply is published"
    )
    after_reply_root_cause: str | None = Field(
        default=None,
        validate_default=True,
        description="The root cause recorded when after_reply is resolved",
    )

    @field_validator("root_causes")
    @classmethod
    def _names(cls, causes: tuple[str, ...]) -> tuple[str, ...]:
        for index, cause in enumerate(causes):
            if not _is_name(cause):
                raise ValueError(f"[{index}] {cause!r} is not a name (a-z, 0-9, _ and -, at most 40)")
            if cause in causes[:index]:
                raise ValueError(f"[{index}] {cause!r} is listed twice")
        return causes

    @field_validator("after_reply_root_cause")
    @classmethod
    def _known_cause(cls, cause: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("after_reply") == "resolved" and cause is None:
            raise ValueError("required when after_reply is resolved (resolving needs a root cause)")
        causes = info.data.get("root_causes")
        if cause is not None and causes is not None and cause not in causes:
            raise ValueError(f"{cause!r} is not one of root_causes")
        return cause


def _is_name(value: str) -> bool:
    return re.fullmatch(NAME, value) is not None


class TransitionRefused(Conflict):
    """The lifecycle does not take a ticket from its status to the one asked for (nothing was changed)."""

    def __init__(self, ticket: Ticket, wanted: TicketStatus) -> None:
        allowed = TRANSITIONS[ticket.status]
        if wanted == ticket.status:
            why = f"ticket {ticket.id} is already {wanted}"
        else:
            why = f"ticket {ticket.id} cannot go from {ticket.status} to {wanted}"
        onward = f"from {ticket.status} it can go to {', '.join(allowed)}" if allowed else "closed is final"
        super().__init__(
            f"{why}; {onward}", [{"from": ticket.status, "to": wanted, "allowed": list(allowed)}]
        )


class TicketClosed(Conflict):
    """A closed ticket is final: nothing changes it."""

    def __init__(self, ticket: Ticket, what: str) -> None:
        super().__init__(
            f"ticket {ticket.id} is closed, and closed is final: {what} changes nothing on it",
            [{"from": "closed", "allowed": []}],
        )


def may_move(current: TicketStatus, wanted: TicketStatus) -> bool:
    return wanted in TRANSITIONS[current]


def _moved(ticket: Ticket, wanted: TicketStatus, change: StatusChange) -> Ticket:
    """ticket in status wanted (checked by the caller), with what entering and leaving a status records."""
    updates: dict[str, object] = {"status": wanted, "history": (*ticket.history, change)}
    if wanted == "resolved":
        updates.update(resolved_at=change.at, root_cause=change.root_cause)
    elif ticket.status == "resolved" and wanted != "closed":
        updates.update(resolved_at=None, root_cause=None)  # reopened: the history keeps the resolution
    return ticket.model_copy(update=updates)


def change_status(
    ticket: Ticket,
    wanted: TicketStatus,
    by: str,
    now: datetime,
    settings: TicketSettings,
    note: str = "",
    root_cause: str | None = None,
) -> Ticket:
    """The ticket moved to wanted by `by`; TransitionRefused for a move the lifecycle does not hold,
    InvalidRequest for a resolution without a known root cause (or a root cause given for anything else)."""
    if not may_move(ticket.status, wanted):
        raise TransitionRefused(ticket, wanted)
    causes = settings.root_causes
    if wanted == "resolved":
        if root_cause is None:
            raise InvalidRequest(f"resolving needs a root_cause, one of {', '.join(causes)}")
        if root_cause not in causes:
            raise InvalidRequest(f"root_cause must be one of {', '.join(causes)}")
    elif root_cause is not None:
        raise InvalidRequest("root_cause is given only when resolving (status resolved)")
    change = StatusChange(at=now, by=by, status=wanted, note=note, root_cause=root_cause)
    return _moved(ticket, wanted, change)


def assign(
    ticket: Ticket,
    assignee: str | None,
    by: str,
    now: datetime,
    members: tuple[str, ...] = (),
    note: str = "",
) -> Ticket | None:
    """The ticket assigned to assignee (None: unassigned); None when it already is. When the ticket's team
    lists its members, only they can be assigned."""
    if ticket.status == "closed":
        raise TicketClosed(ticket, "an assignment")
    if assignee is not None and members and assignee not in members:
        raise InvalidRequest(
            f"{assignee!r} is not a member of team {ticket.team}; its members are {', '.join(members)}"
        )
    if assignee == ticket.assignee:
        return None
    said = f"assigned to {assignee}" if assignee is not None else "unassigned"
    change = StatusChange(at=now, by=by, status=ticket.status, note=f"{said}. {note}" if note else said)
    return ticket.model_copy(update={"assignee": assignee, "history": (*ticket.history, change)})


def reply_published(
    ticket: Ticket,
    reply_id: str,
    at: datetime,
    platform_answer_id: str | None,
    text: str,
    by: str,
    settings: TicketSettings,
    after: AfterReply | None = None,
    root_cause: str | None = None,
) -> Ticket | None:
    """The ticket once its reply reached the customer: the reply recorded as published (when it is still the
    ticket's reply), the first response recorded (once), and the ticket moved where `after_reply` says when
    the lifecycle allows it (a ticket resolved or closed meanwhile stays so). None when nothing changes (a
    redelivery of the same publication)."""
    updates: dict[str, object] = {}
    reply = ticket.reply
    if reply is not None and reply.reply_id == reply_id:
        published = reply.model_copy(
            update={
                "status": "published",
                "published_at": at,
                "platform_answer_id": platform_answer_id,
                "text": text,
                "reason": None,
            }
        )
        if published != reply:
            updates["reply"] = published
    first = ticket.first_response_at is None
    if first:
        updates["first_response_at"] = at
    if not updates:
        return None
    answered = ticket.model_copy(update=updates)
    wanted, cause = after_reply_of(ticket, settings, after, root_cause)
    note = f"reply {reply_id} published" + (": the first response" if first else "")
    if wanted != ticket.status and may_move(ticket.status, wanted):
        return _moved(
            answered, wanted, StatusChange(at=at, by=by, status=wanted, note=note, root_cause=cause)
        )
    change = StatusChange(at=at, by=by, status=ticket.status, note=note)
    return answered.model_copy(update={"history": (*ticket.history, change)})


def reply_looked_at(
    ticket: Ticket, reply_id: str, at: datetime, state: PlatformState, reason: str | None = None
) -> Ticket | None:
    """The ticket once its published reply was read back from the platform and found shown (published) or
    still under moderation (pending); None when that is no news or the ticket's reply is another now."""
    reply = ticket.reply
    if reply is None or reply.reply_id != reply_id or reply.status != "published":
        return None
    if reply.platform_state == state:
        return None
    seen = reply.model_copy(update={"platform_state": state, "checked_at": at, "reason": reason})
    return ticket.model_copy(update={"reply": seen})


def reply_refused(
    ticket: Ticket, reply_id: str, at: datetime, state: PlatformState, reason: str
) -> Ticket | None:
    """The ticket once the platform refused its published reply (rejected by its moderation, or not shown
    at all): the reply recorded as rejected with the reason, and the ticket back in work (open) so that
    someone corrects it; a closed ticket records the refusal and stays closed. None when it was recorded
    already, or the ticket's reply is another now."""
    reply = ticket.reply
    if reply is None or reply.reply_id != reply_id or reply.status != "published":
        return None
    refused = reply.model_copy(
        update={"status": "rejected", "platform_state": state, "checked_at": at, "reason": reason}
    )
    answered = ticket.model_copy(update={"reply": refused})
    note = f"reply {reply_id} refused by {ticket.source}: {reason}"[:500]
    if may_move(ticket.status, "open"):
        return _moved(answered, "open", StatusChange(at=at, by=SYSTEM, status="open", note=note))
    change = StatusChange(at=at, by=SYSTEM, status=ticket.status, note=note)
    return answered.model_copy(update={"history": (*ticket.history, change)})


def after_reply_of(
    ticket: Ticket, settings: TicketSettings, after: AfterReply | None, root_cause: str | None
) -> tuple[TicketStatus, str | None]:
    """Where a published reply takes the ticket, and the root cause a resolution records: as the agent who
    approved it said (after), else as the ticket's rules said, else tickets.after_reply. A resolution with
    no root cause from any of them waits for the customer instead (resolving needs one)."""
    if after is not None:
        wanted, cause = after, root_cause
    elif ticket.after_reply is not None:
        wanted, cause = ticket.after_reply, ticket.after_reply_root_cause
    else:
        wanted, cause = settings.after_reply, settings.after_reply_root_cause
    if wanted != "resolved":
        return wanted, None
    cause = cause or settings.after_reply_root_cause
    return ("resolved", cause) if cause is not None else ("waiting_customer", None)


def link_contact(
    ticket: Ticket,
    feedback_id: str,
    contacted_at: datetime,
    at: datetime,
    settings: TicketSettings,
    priority: Priority | None = None,
) -> Ticket | None:
    """The ticket once a repeat contact (feedback_id, the same customer or order again, written to us at
    contacted_at) joined it at `at`: linked, counted, and the customer's turn noted; a ticket waiting for the
    customer goes back to open, a resolved one is reopened to open when it was resolved within reopen_days
    of the contact. `priority`, what the rules gave the contact, raises the ticket's (never lowers it).
    None when the contact cannot join (it is this ticket's own, joined already, or the ticket is closed,
    or was resolved too long before)."""
    if feedback_id == ticket.feedback_id or feedback_id in ticket.linked_feedback:
        return None
    if ticket.status == "closed":
        return None
    if ticket.status == "resolved" and not reopens(ticket, contacted_at, settings):
        return None
    updates: dict[str, object] = {
        "linked_feedback": (*ticket.linked_feedback, feedback_id),
        "repeat_contacts": ticket.repeat_contacts + 1,
    }
    note = f"repeat contact {feedback_id}"
    if priority is not None and PRIORITIES.index(priority) > PRIORITIES.index(ticket.priority):
        updates["priority"] = priority
        note += f", priority raised to {priority}"
    linked = ticket.model_copy(update=updates)
    if ticket.status in ("waiting_customer", "resolved"):
        verb = "reopened" if ticket.status == "resolved" else "the customer answered"
        return _moved(linked, "open", StatusChange(at=at, by=SYSTEM, status="open", note=f"{verb}: {note}"))
    change = StatusChange(at=at, by=SYSTEM, status=ticket.status, note=note)
    return linked.model_copy(update={"history": (*ticket.history, change)})


def reopens(ticket: Ticket, contacted_at: datetime, settings: TicketSettings) -> bool:
    """Whether a contact written at contacted_at reopens this ticket: it is resolved, within reopen_days
    before."""
    resolved_at = ticket.resolved_at
    if ticket.status != "resolved" or resolved_at is None:
        return False
    return contacted_at - resolved_at <= timedelta(days=settings.reopen_days)
