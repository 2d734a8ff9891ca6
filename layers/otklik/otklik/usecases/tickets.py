"""Ticket changes: a status or an assignee (ops API), a round-robin turn, a repeat contact joining a ticket.

Every change is optimistic: the ticket is read, the lifecycle makes the changed ticket of what was read,
and the store writes it only while the stored ticket is still at the version read. When another change
came first (two agents at once, or publish_answers recording a reply), the change is made again on the
ticket as it is now; if the lifecycle no longer allows it there, the caller is told why (409). So neither
of two concurrent changes is lost, and neither is applied to a ticket it was not meant for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from otklik.domain import lifecycle
from otklik.domain.errors import Conflict, NotFound
from otklik.domain.lifecycle import TicketSettings
from otklik.domain.models import FeedbackItem, Priority, Ticket, TicketStatus
from otklik.domain.repeat_contact import RepeatContact, contact_window_start, customer_key, repeat_contact
from otklik.domain.sla import clock
from otklik.domain.sla.settings import NO_SLA_SETTINGS, SlaSettings
from otklik.ports import Assigner, CustomerTickets, TicketChanges
from otklik.usecases.ops import is_id

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config

# Reads and writes a change is tried with before the caller is asked to send it again: each retry means
# another change landed in between, so five in a row is a ticket that many people are changing at once.
CHANGE_ATTEMPTS = 5
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 2000
# What a note may not hold: control characters other than tab and line breaks, surrogates, U+FFFE/U+FFFF.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _a_name(value: str, field: str) -> str:
    if not value.isprintable() or not value.strip():
        raise ValueError(f"{field} is a name: printable characters, not only spaces")
    return value


def _a_note(note: str) -> str:
    if _NOT_TEXT.search(note):
        raise ValueError("a note holds no control characters but tabs and line breaks")
    return note


class StatusRequest(BaseModel):
    """The body of POST /tickets/{id}/status."""

    model_config = ConfigDict(extra="forbid")

    status: TicketStatus
    by: str = Field(min_length=1, max_length=MAX_NAME_CHARS, description="Who changes it")
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    root_cause: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Required to resolve: one of tickets.root_causes",
    )

    @field_validator("by")
    @classmethod
    def _by(cls, by: str) -> str:
        return _a_name(by, "by")

    @field_validator("note")
    @classmethod
    def _note(cls, note: str) -> str:
        return _a_note(note)


class AssignRequest(BaseModel):
    """The body of POST /tickets/{id}/assign; assignee null unassigns the ticket."""

    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(min_length=1, max_length=MAX_NAME_CHARS)
    by: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)

    @field_validator("assignee")
    @classmethod
    def _assignee(cls, assignee: str | None) -> str | None:
        return None if assignee is None else _a_name(assignee, "assignee")

    @field_validator("by")
    @classmethod
    def _by(cls, by: str) -> str:
        return _a_name(by, "by")

    @field_validator("note")
    @classmethod
    def _note(cls, note: str) -> str:
        return _a_note(note)


def change_ticket(
    tickets: TicketChanges, ticket_id: str, change: Callable[[Ticket], Ticket | None]
) -> Ticket:
    """The ticket once `change` (of the ticket as read; None: nothing to change) was written over the version
    it read, made again on a fresh read whenever another write came first. NotFound for no such ticket;
    whatever `change` raises (a transition the lifecycle refuses) propagates; Conflict when the ticket
    changed under every one of CHANGE_ATTEMPTS tries."""
    for _ in range(CHANGE_ATTEMPTS):
        ticket = tickets.get_ticket(ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}")
        changed = change(ticket)
        if changed is None:
            return ticket
        if tickets.update(ticket, changed):
            return changed.model_copy(update={"version": ticket.version + 1})
    raise Conflict(
        f"ticket {ticket_id} changed {CHANGE_ATTEMPTS} times while this change was made;"
        " read it and send the change again"
    )


def clocked(before: Ticket, after: Ticket | None, now: datetime, sla: SlaSettings) -> Ticket | None:
    """after, a change of before at now, with its SLA clocks paused or resumed as its status says."""
    if after is None:
        return None
    _, calendar = clock.policy_of(sla, before)
    return clock.follow(before, after, now, calendar)


def _known(ticket_id: str) -> None:
    if not is_id(ticket_id):
        raise NotFound("no ticket has an id like that")


def change_status(
    ticket_id: str,
    request: StatusRequest,
    now: datetime,
    settings: TicketSettings,
    tickets: TicketChanges,
    *,
    sla: SlaSettings = NO_SLA_SETTINGS,
) -> Ticket:
    """POST /tickets/{id}/status: the ticket moved as asked, by whom, with the note (and root cause); its
    SLA clocks paused (waiting for the customer, resolved) or resumed (back into work) with it."""
    _known(ticket_id)

    def change(ticket: Ticket) -> Ticket | None:
        moved = lifecycle.change_status(
            ticket,
            request.status,
            request.by,
            now,
            settings,
            note=request.note,
            root_cause=request.root_cause,
        )
        return clocked(ticket, moved, now, sla)

    return change_ticket(tickets, ticket_id, change)


def assign_ticket(
    ticket_id: str,
    request: AssignRequest,
    now: datetime,
    members: Callable[[str], tuple[str, ...]],
    tickets: TicketChanges,
) -> Ticket:
    """POST /tickets/{id}/assign: the ticket assigned (or unassigned); members(team): whom the team lists."""
    _known(ticket_id)
    return change_ticket(
        tickets,
        ticket_id,
        lambda ticket: lifecycle.assign(
            ticket, request.assignee, request.by, now, members(ticket.team), note=request.note
        ),
    )


def team_members(config: Config, team: str) -> tuple[str, ...]:
    """Whom the configuration lists in the team (none for a team it does not name)."""
    return next((listed.members for listed in config.teams if listed.name == team), ())


def assign_round_robin(team: str, members: Sequence[str], turns: Assigner) -> str | None:
    """The team's next member in turn (None when the team lists none): each call takes the next turn, so
    tickets go to member 1, 2, ..., n, 1, 2, ... in the order the configuration lists them."""
    if not members:
        return None
    return members[(turns.next_turn(team) - 1) % len(members)]


def find_repeat_contact(
    item: FeedbackItem, settings: TicketSettings, tickets: CustomerTickets
) -> RepeatContact | None:
    """The ticket of the same customer or order that item joins (otklik.domain.repeat_contact); None when
    repeat contacts are off, the channel names neither, or item is no repeat contact."""
    key = customer_key(item)
    if settings.repeat_contact_days == 0 or key is None:
        return None
    candidates = tickets.find_open_for_customer(key, contact_window_start(item, settings))
    return repeat_contact(item, candidates, settings)


def join_repeat_contact(
    contact: RepeatContact,
    item: FeedbackItem,
    now: datetime,
    settings: TicketSettings,
    tickets: TicketChanges,
    priority: Priority | None = None,
    *,
    sla: SlaSettings = NO_SLA_SETTINGS,
) -> Ticket | None:
    """The ticket once item joined it (linked, counted, reopened or back to open as the lifecycle says, its
    priority raised to the rules' for item with that priority's sooner deadlines, its clocks resumed and a
    next response owed when it had its first); None when it no longer can (closed, say, since it was
    found): then item needs a ticket of its own."""

    def change(ticket: Ticket) -> Ticket | None:
        linked = lifecycle.link_contact(ticket, item.id, item.received_at, now, settings, priority)
        resumed = clocked(ticket, linked, now, sla)
        if resumed is None:
            return None
        policy, calendar = clock.policy_of(sla, ticket)
        raised = clock.reprioritized(ticket, resumed, policy, calendar)
        return clock.customer_wrote(raised, item.received_at, policy, calendar)

    joined = change_ticket(tickets, contact.ticket.id, change)
    return joined if item.id in joined.linked_feedback else None
