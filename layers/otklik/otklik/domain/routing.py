"""Routing rules: which feedback needs a ticket, for which team, how urgent, and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackItem, Frozen, Priority, StatusChange, Ticket
from otklik.domain.pii import excerpt

_PRIORITY_ORDER: tuple[Priority, ...] = ("low", "normal", "high", "urgent")


class SlaPolicy(Frozen):
    """First-response deadlines, in hours after the feedback was received (a month at most)."""

    first_response_hours: int = Field(default=24, ge=1, le=720)
    question_response_hours: int = Field(default=12, ge=1, le=720)


class RoutingPolicy(Frozen):
    """Which feedback needs a ticket, for which team, and how urgent it is."""

    sla: SlaPolicy = SlaPolicy()
    low_rating_max: int = Field(default=2, ge=0, le=5, description="0: stars alone never open a ticket")
    strongly_negative_compound: float = Field(default=-0.6, ge=-1.0, le=1.0)
    team: str = Field(default="support", pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    escalated_tiers: tuple[str, ...] = ("vip", "gold", "premium")


@dataclass(frozen=True)
class TicketPlan:
    team: str
    priority: Priority
    reasons: tuple[str, ...]
    first_response_due_at: datetime


# Moderation flags a person should look at (marketplaces forbid contacts, and hide or remove abuse):
# each is a reason of its own, "moderation:<flag>".
LOOK_FLAGS = ("contacts", "profanity", "insult")
# Flags of spam: a ticket is opened so that the team can report it, but it needs no reply and has no
# first-response deadline, and its stars and tonality (a spammer's) raise nothing.
SPAM_FLAGS = ("advertising", "gibberish", "fake_signal")


def _reasons(item: FeedbackItem, policy: RoutingPolicy) -> list[str]:
    flags = item.moderation.flags
    if any(flag in SPAM_FLAGS for flag in flags):
        return [f"moderation:{flag}" for flag in flags]
    reasons: list[str] = []
    if item.kind == "question":
        reasons.append("question")
    if item.kind == "chat":
        reasons.append("chat")  # a customer wrote to the seller and waits for an answer
    if item.kind == "complaint":
        reasons.append("complaint")
    if item.tonality.label == "negative":
        reasons.append("negative_tonality")
    if item.rating is not None and item.rating <= policy.low_rating_max:
        reasons.append("low_rating")
    if item.tonality.rating_text_conflict:
        # Five stars over an angry text (or one star over praise): someone should read it.
        reasons.append("rating_text_conflict")
    reasons.extend(f"moderation:{flag}" for flag in flags if flag in LOOK_FLAGS)
    return reasons


def is_spam(reasons: tuple[str, ...] | list[str]) -> bool:
    return any(reason.removeprefix("moderation:") in SPAM_FLAGS for reason in reasons)


def _priority(item: FeedbackItem, reasons: list[str], policy: RoutingPolicy) -> Priority:
    if is_spam(reasons):
        return "low"
    strongly_negative = item.rating == 1 or item.tonality.compound <= policy.strongly_negative_compound
    if strongly_negative and not set(reasons) <= {"question", "chat"}:
        priority: Priority = "high"
    elif set(reasons) <= {"question", "chat"} and item.tonality.label == "positive":
        priority = "low"
    else:
        priority = "normal"
    tier = (item.author.tier or "").lower() if item.author else ""
    if tier in policy.escalated_tiers:
        priority = _PRIORITY_ORDER[min(_PRIORITY_ORDER.index(priority) + 1, len(_PRIORITY_ORDER) - 1)]
    return priority


def plan_ticket(item: FeedbackItem, policy: RoutingPolicy) -> TicketPlan | None:
    """The ticket this feedback needs, or None when it needs no work (positive or neutral feedback)."""
    reasons = _reasons(item, policy)
    if not reasons:
        return None
    hours = policy.sla.first_response_hours
    waiting = {"question", "chat"}
    if set(reasons) <= waiting:
        hours = policy.sla.question_response_hours
    elif waiting & set(reasons):
        hours = min(hours, policy.sla.question_response_hours)
    return TicketPlan(
        team=policy.team,
        priority=_priority(item, reasons, policy),
        reasons=tuple(reasons),
        first_response_due_at=item.received_at + timedelta(hours=hours),
    )


def open_ticket(item: FeedbackItem, plan: TicketPlan, now: datetime) -> Ticket:
    return Ticket(
        id=ticket_id(item.id),
        feedback_id=item.id,
        source=item.source,
        account=item.account,
        kind=item.kind,
        team=plan.team,
        priority=plan.priority,
        status="open",
        reasons=plan.reasons,
        created_at=now,
        first_response_due_at=plan.first_response_due_at,
        rating=item.rating,
        tonality_label=item.tonality.label,
        excerpt=excerpt(item.text_masked),
        reply_needed=not is_spam(plan.reasons),
        history=(StatusChange(at=now, by="otklik", status="open", note=", ".join(plan.reasons)),),
    )
