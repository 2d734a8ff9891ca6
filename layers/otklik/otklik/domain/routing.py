"""Routing: which feedback needs a ticket, for which team, how urgent, and by when.

The document's rules decide (otklik.domain.rules); a document without a `rules:` section gets the
default rules, shaped by the policy's thresholds. The policy also gives where a ticket starts
(routing.team); its deadlines are its SLA policy's (otklik.domain.sla: the rule's sla_policy, else
sla.default_policy), in business hours of that policy's calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import Field, field_validator

from otklik.domain.ids import ticket_id
from otklik.domain.models import AfterReply, FeedbackItem, Frozen, Priority, RuleMatch, StatusChange, Ticket
from otklik.domain.pii import excerpt
from otklik.domain.rules.defaults import default_rules
from otklik.domain.rules.engine import Decision, decide
from otklik.domain.rules.schema import Rule
from otklik.domain.sla.clock import with_deadlines
from otklik.domain.sla.policy import Deadlines, deadlines
from otklik.domain.sla.settings import NO_SLA_SETTINGS, SlaSettings, UnknownName

# The routing settings that shape only the default rules: a document with rules of its own says these
# in its rules' conditions instead.
DEFAULT_RULE_SETTINGS = ("low_rating_max", "strongly_negative_compound", "escalated_tiers")


class RoutingPolicy(Frozen):
    """Where a ticket starts (its team), and the default rules' thresholds."""

    low_rating_max: int = Field(default=2, ge=0, le=5, description="0: stars alone never open a ticket")
    strongly_negative_compound: float = Field(default=-0.6, ge=-1.0, le=1.0)
    team: str = Field(default="support", pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    escalated_tiers: tuple[str, ...] = ("vip", "gold", "premium")

    # Gone (deadlines are the sla: section's business hours): here only to refuse it by its path with a
    # pointer, where an unknown setting would leave the seller guessing.
    sla: None = Field(default=None, exclude=True, repr=False)

    @field_validator("sla", mode="before")
    @classmethod
    def _no_wall_clock_hours(cls, value: Any) -> None:
        raise ValueError(
            "wall-clock hours are gone: deadlines are business hours of the sla: section now, in"
            " sla.policies[].targets (first_response_hours per kind and priority; docs/configuration.md#sla)"
        )


@dataclass(frozen=True)
class TicketPlan:
    team: str
    priority: Priority
    reasons: tuple[str, ...]
    deadlines: Deadlines
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
    after_reply: AfterReply | None = None
    after_reply_root_cause: str | None = None

    @property
    def first_response_due_at(self) -> datetime | None:
        return self.deadlines.first_response_due_at


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


def deadlines_of(item: FeedbackItem, decision: Decision, sla: SlaSettings) -> Deadlines:
    """The deadlines of the ticket a decision opens: its SLA policy's (the decision's, else the default
    one; a policy the document does not name counts as the default), in that policy's calendar."""
    try:
        policy = sla.policy(decision.sla_policy)
    except UnknownName:  # only rules built in code get here: a document's references are checked
        policy = sla.policy()
    return deadlines(
        policy,
        sla.calendar(policy.calendar),
        decision.priority,
        item.kind,
        item.received_at,
        item.source,
        created_at=item.created_at,
    )


def plan_of(item: FeedbackItem, decision: Decision, sla: SlaSettings = NO_SLA_SETTINGS) -> TicketPlan | None:
    """The ticket a decision opens, or None when it opens none (no reason for one, or suppressed)."""
    if not decision.opens_ticket:
        return None
    return TicketPlan(
        team=decision.team,
        priority=decision.priority,
        reasons=decision.reasons,
        deadlines=deadlines_of(item, decision, sla),
        reply_needed=decision.reply_needed,
        sla_policy=decision.sla_policy,
        tags=decision.tags,
        assignee=decision.assignee,
        round_robin=decision.round_robin,
        notify=decision.notify,
        draft_template=decision.draft_template,
        matched_rules=decision.matched,
        after_reply=decision.after_reply,
        after_reply_root_cause=decision.after_reply_root_cause,
    )


def plan_ticket(
    item: FeedbackItem,
    policy: RoutingPolicy,
    rules: Sequence[Rule] | None = None,
    *,
    repeat_contact: bool = False,
    sla: SlaSettings = NO_SLA_SETTINGS,
) -> TicketPlan | None:
    """The ticket this feedback needs, or None when it needs no work: as the rules say (without any, the
    default rules: positive or neutral feedback needs none); its deadlines as sla's policies say."""
    decision = decide_routing(item, policy, rules, repeat_contact=repeat_contact)
    return plan_of(item, decision, sla)


def open_ticket(item: FeedbackItem, plan: TicketPlan, now: datetime) -> Ticket:
    ticket = Ticket(
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
        topics=tuple(dict.fromkeys(topic.topic for topic in item.topics)),
        assignee=plan.assignee,
        sla_policy=plan.sla_policy,
        matched_rules=plan.matched_rules,
        notify=plan.notify,
        draft_template=plan.draft_template,
        after_reply=plan.after_reply,
        after_reply_root_cause=plan.after_reply_root_cause,
        history=(StatusChange(at=now, by="otklik", status="open", note=", ".join(plan.reasons)),),
    )
    return with_deadlines(ticket, plan.deadlines)
