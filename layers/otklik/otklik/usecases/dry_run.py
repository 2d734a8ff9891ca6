"""POST /rules/dry-run and `otklik rules dry-run`: what a candidate configuration's rules would do to a
stored day's items, beside what each got, before anyone deploys it.

The day is read a page at a time through FeedbackTable's by_day index, and each page's stored tickets
in one batch, up to a cap of items (the answer then says so, with the cursor to go on from). Nothing
is written. Items are routed as stored: their tonality, topics and moderation are not scored again, so
a candidate's tonality, topic or moderation settings change nothing here; and repeat_contact is taken
as false (a dry run does not look for earlier contacts).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError, field_validator

from otklik.domain.errors import InvalidRequest
from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackItem, Frozen, Ticket
from otklik.domain.routing import decide_routing
from otklik.domain.rules.engine import Decision
from otklik.ports import FeedbackQueries, TicketBatchReader

if TYPE_CHECKING:  # annotations only: importing it validates the default document, Jinja2 and all
    from otklik.domain.config import Config

MAX_ITEMS = 1000
PAGE_ITEMS = 100
# A configuration document is a few kilobytes; this is far more than any seller's, and little enough
# to parse within a request.
MAX_CONFIG_CHARS = 256 * 1024
MAX_CURSOR_CHARS = 8192
NOTES = (
    "items are routed as stored: their tonality, topics and moderation are not scored again",
    "repeat_contact is taken as false: a dry run does not look for earlier contacts",
)


class DryRunRequest(Frozen):
    """The body of POST /rules/dry-run."""

    config: str = Field(max_length=MAX_CONFIG_CHARS, description="the candidate document, as YAML text")
    day: str = Field(description="the stored day to run it over, YYYY-MM-DD (the items' report day)")
    max_items: int = Field(default=MAX_ITEMS, ge=1, le=MAX_ITEMS)
    cursor: str | None = Field(
        default=None, max_length=MAX_CURSOR_CHARS, description="next_cursor of a capped run"
    )
    changes_only: bool = Field(default=False, description="list only the items whose routing would change")

    @field_validator("day")
    @classmethod
    def _calendar_day(cls, day: str) -> str:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
            raise ValueError("must be a calendar date YYYY-MM-DD")
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValueError("must be a calendar date YYYY-MM-DD") from None
        return day


def candidate_config(text: str) -> Config:
    """The candidate document; InvalidRequest naming every problem by its path when it is not valid."""
    from otklik.domain.config import ConfigInvalid, parse_config

    try:
        return parse_config(text)
    except ConfigInvalid as invalid:
        details = [{"field": "config", "error": problem} for problem in invalid.problems]
        raise InvalidRequest("the configuration is not valid: nothing was run", details=details) from None


@dataclass
class _Summary:
    items: int = 0
    changed: int = 0
    unreadable: int = 0
    got_tickets: int = 0
    would_tickets: int = 0
    opened: int = 0
    no_longer_opened: int = 0
    teams: Counter[str] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)

    def shown(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "changed": self.changed,
            "unreadable": self.unreadable,
            "tickets": {
                "got": self.got_tickets,
                "would": self.would_tickets,
                "newly_opened": self.opened,
                "no_longer_opened": self.no_longer_opened,
            },
            "team_changes": dict(self.teams.most_common()),
            "priority_changes": dict(self.priorities.most_common()),
            "rules_matched": dict(self.rules.most_common()),
        }


def _got(ticket: Ticket | None) -> dict[str, Any]:
    if ticket is None:
        return {"ticket": False}
    return {
        "ticket": True,
        "ticket_id": ticket.id,
        "status": ticket.status,
        "team": ticket.team,
        "priority": ticket.priority,
        "reasons": list(ticket.reasons),
        "tags": list(ticket.tags),
        "sla_policy": ticket.sla_policy,
        "rules": [match.name for match in ticket.matched_rules],
    }


def _would(decision: Decision) -> dict[str, Any]:
    rules = [{"name": match.name, "why": list(match.why)} for match in decision.matched]
    if not decision.opens_ticket:
        return {"ticket": False, "suppressed": decision.suppressed, "rules": rules}
    return {
        "ticket": True,
        "team": decision.team,
        "priority": decision.priority,
        "reasons": list(decision.reasons),
        "tags": list(decision.tags),
        "sla_policy": decision.sla_policy,
        "assignee": decision.assignee,
        "round_robin": decision.round_robin,
        "notify": list(decision.notify),
        "reply_needed": decision.reply_needed,
        "rules": rules,
    }


def _changes(ticket: Ticket | None, decision: Decision) -> list[str]:
    """What would differ from what the item got, each as `what: before -> after`."""
    if ticket is None:
        return ["ticket: none -> opened"] if decision.opens_ticket else []
    if not decision.opens_ticket:
        return ["ticket: opened -> none" + (" (suppressed)" if decision.suppressed else "")]
    changes: list[str] = []
    for what, before, after in (
        ("team", ticket.team, decision.team),
        ("priority", ticket.priority, decision.priority),
        ("reasons", ", ".join(ticket.reasons), ", ".join(decision.reasons)),
        ("tags", ", ".join(ticket.tags), ", ".join(decision.tags)),
        ("sla_policy", ticket.sla_policy or "none", decision.sla_policy or "none"),
    ):
        if before != after:
            changes.append(f"{what}: {before or 'none'} -> {after or 'none'}")
    return changes


def _item(item: FeedbackItem) -> dict[str, Any]:
    return {
        "feedback_id": item.id,
        "source": item.source,
        "kind": item.kind,
        "rating": item.rating,
        "tonality": item.tonality.label,
        "received_at": item.received_at.isoformat(),
    }


def dry_run(
    config: Config,
    day: str,
    feedback: FeedbackQueries,
    tickets: TicketBatchReader,
    *,
    max_items: int = MAX_ITEMS,
    cursor: str | None = None,
    changes_only: bool = False,
) -> dict[str, Any]:
    """Every item of the stored day (up to max_items, from cursor): what config's rules would give it,
    beside what it got, and a summary of the changes."""
    summary = _Summary()
    listed: list[dict[str, Any]] = []
    next_cursor = cursor
    while summary.items < max_items:
        page = feedback.list_day(day, min(PAGE_ITEMS, max_items - summary.items), next_cursor)
        readable: list[FeedbackItem] = []
        for document in page.items:
            summary.items += 1
            try:
                readable.append(FeedbackItem.model_validate(document))
            except ValidationError:
                summary.unreadable += 1
                listed.append(
                    {"feedback_id": str(document.get("id")), "error": "the stored item does not read"}
                )
        stored = tickets.get_tickets([ticket_id(item.id) for item in readable])
        for item in readable:
            ticket = stored.get(ticket_id(item.id))
            decision = decide_routing(item, config.routing, config.rules)
            changes = _changes(ticket, decision)
            _count(summary, ticket, decision, changes)
            if changes or not changes_only:
                listed.append(
                    {**_item(item), "got": _got(ticket), "would": _would(decision), "changes": changes}
                )
        next_cursor = page.next_cursor
        if next_cursor is None:
            break
    capped = next_cursor is not None
    answer: dict[str, Any] = {
        "day": day,
        "summary": summary.shown(),
        "items": listed,
        "capped": capped,
        "next_cursor": next_cursor if capped else None,
        "notes": list(NOTES),
    }
    if capped:
        answer["message"] = (
            f"stopped after {summary.items} items (max_items {max_items}); the day may have more:"
            " send next_cursor as cursor to go on"
        )
    return answer


def _count(summary: _Summary, ticket: Ticket | None, decision: Decision, changes: list[str]) -> None:
    summary.got_tickets += ticket is not None
    summary.would_tickets += decision.opens_ticket
    summary.changed += bool(changes)
    if ticket is None and decision.opens_ticket:
        summary.opened += 1
    if ticket is not None and not decision.opens_ticket:
        summary.no_longer_opened += 1
    if ticket is not None and decision.opens_ticket:
        if ticket.team != decision.team:
            summary.teams[f"{ticket.team} -> {decision.team}"] += 1
        if ticket.priority != decision.priority:
            summary.priorities[f"{ticket.priority} -> {decision.priority}"] += 1
    summary.rules.update(match.name for match in decision.matched)


def dry_run_request(
    request: DryRunRequest, feedback: FeedbackQueries, tickets: TicketBatchReader
) -> dict[str, Any]:
    """The dry run a request asks for: its candidate checked first (InvalidRequest, nothing run)."""
    config = candidate_config(request.config)
    return dry_run(
        config,
        request.day,
        feedback,
        tickets,
        max_items=request.max_items,
        cursor=request.cursor,
        changes_only=request.changes_only,
    )
