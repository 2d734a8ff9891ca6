"""Routing: which feedback needs a ticket, for which team, how urgent, and by when.

The document's rules decide (otklik.domain.rules); a document without a `rules:` section gets the
default rules, shaped by the policy's thresholds. The policy also gives where a ticket starts
(routing.team) and routing.sla's first-response hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from pydantic import Field

from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackItem, Frozen, Priority, RuleMatch, StatusChange, Ticket
from otklik.domain.pii import excerpt
from otklik.domain.rules.defaults import default_rules
from otklik.domain.rules.engine import Decision, decide
from otklik.domain.rules.schema import Rule

# The routing settings that shape only the default rules: a document with rules of its own says these
# in its rules' conditions instead.
DEFAULT_RULE_SETTINGS = ("low_rating_max", "strongly_negative_compound", "escalated_tiers")


class SlaPolicy(Frozen):
    """First-response deadlines, in hours after the feedback was received (a month at most)."""

    first_response_hours: int = Field(default=24, ge=1, le=720)
    question_response_hours: int = Field(default=12, ge=1, le=720)


class RoutingPolicy(Frozen):
    """Where a ticket starts (its team), its first-response hours, and the default rules' thresholds."""

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
    # False for spam (as the default rules say): the team reports or closes it; no reply is expected.
    reply_needed: bool = True
    sla_policy: str | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    # The rules asked for the team's next agent in turn: whoever opens the ticket picks one.
    round_robin: bool = False
    notify: tuple[str, ...] = ()
    draft_template: str | None = None
    matched_rules: tuple[RuleMatch, ...] = ()


@cache
def default_rule_set(policy: RoutingPolicy) -> tuple[Rule, ...]:
    """The default rules (otklik.domain.rules.defaults) for this policy's thresholds, validated once."""
    documents = default_rules(
        policy.low_rating_max, policy.strongly_negative_compound, policy.escalated_tiers
    )
    return tuple(Rule.model_validate(document) for document in documents)


def decide_routing(
    item: FeedbackItem,
    policy: RoutingPolicy,
    rules: Sequence[Rule] | None = None,
    *,
    repeat_contact: bool = False,
) -> Decision:
    """What the rules (the default rules, without any) decide for item; a ticket starts in routing.team."""
    chosen = default_rule_set(policy) if rules is None else rules
    return decide(item, chosen, team=policy.team, repeat_contact=repeat_contact)


def _first_response_due(item: FeedbackItem, reasons: tuple[str, ...], policy: RoutingPolicy) -> datetime:
    """routing.sla's deadline: the question hours for a question or chat and nothing else, the sooner of
    both hours for one with other reasons too, the first-response hours otherwise."""
    hours = policy.sla.first_response_hours
    waiting = {"question", "chat"}
    if set(reasons) <= waiting:
        hours = policy.sla.question_response_hours
    elif waiting & set(reasons):
        hours = min(hours, policy.sla.question_response_hours)
    return item.received_at + timedelta(hours=hours)


def plan_of(item: FeedbackItem, decision: Decision, policy: RoutingPolicy) -> TicketPlan | None:
    """The ticket a decision opens, or None when it opens none (no reason for one, or suppressed)."""
    if not decision.opens_ticket:
        return None
    return TicketPlan(
        team=decision.team,
        priority=decision.priority,
        reasons=decision.reasons,
        first_response_due_at=_first_response_due(item, decision.reasons, policy),
        reply_needed=decision.reply_needed,
        sla_policy=decision.sla_policy,
        tags=decision.tags,
        assignee=decision.assignee,
        round_robin=decision.round_robin,
        notify=decision.notify,
        draft_template=decision.draft_template,
        matched_rules=decision.matched,
    )


def plan_ticket(
    item: FeedbackItem,
    policy: RoutingPolicy,
    rules: Sequence[Rule] | None = None,
    *,
    repeat_contact: bool = False,
) -> TicketPlan | None:
    """The ticket this feedback needs, or None when it needs no work: as the rules say (without any, the
    default rules: positive or neutral feedback needs none)."""
    return plan_of(item, decide_routing(item, policy, rules, repeat_contact=repeat_contact), policy)


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
        reply_needed=plan.reply_needed,
        tags=plan.tags,
        assignee=plan.assignee,
        sla_policy=plan.sla_policy,
        matched_rules=plan.matched_rules,
        notify=plan.notify,
        draft_template=plan.draft_template,
        history=(StatusChange(at=now, by="otklik", status="open", note=", ".join(plan.reasons)),),
    )
