"""Routing through the document's rules: the ticket keeps what they decided, and which matched and why."""

from __future__ import annotations

from otklik.domain.config import parse_config
from otklik.domain.models import RuleMatch, Ticket, Topic
from otklik.domain.routing import plan_ticket
from otklik.usecases.route import route_feedback
from tests.unit.fakes import InMemoryFeedback, InMemoryTickets, RecordingQueue
from tests.unit.samples import NOW, feedback_item

CONFIG = parse_config(
    """
teams: [{name: support}, {name: logistics}]
rules:
  - name: delivery-complaint
    when:
      kind: complaint
      topic: {topic: delivery, polarity: negative}
    then:
      reason: delivery
      team: logistics
      raise: 1
      tags: [delivery, courier]
      assign: round_robin
      notify: [logistics-leads]
      draft_template: delivery-apology
      sla_policy: standard
  - name: test-shop
    when: {account: test-shop}
    then: {suppress: true}
"""
)


def late_complaint(account: str = "default") -> Ticket | None:
    item = feedback_item(kind="complaint", text="Курьер опоздал на два дня").model_copy(
        update={
            "account": account,
            "topics": (
                Topic(topic="delivery", polarity="negative", evidence="Курьер опоздал", start=0, end=14),
            ),
        }
    )
    tickets = InMemoryTickets()
    routed = route_feedback(item.id, NOW, CONFIG, InMemoryFeedback(item), tickets, RecordingQueue())
    return routed.ticket


def test_the_ticket_keeps_what_the_rules_decided_and_which_matched_and_why() -> None:
    ticket = late_complaint()

    assert ticket is not None
    assert (ticket.team, ticket.priority, ticket.reasons) == ("logistics", "high", ("delivery",))
    assert ticket.tags == ("delivery", "courier")
    assert ticket.notify == ("logistics-leads",)
    assert (ticket.sla_policy, ticket.draft_template) == ("standard", "delivery-apology")
    assert ticket.matched_rules == (
        RuleMatch(
            name="delivery-complaint",
            why=("kind complaint", "topic delivery negative: 'Курьер опоздал'"),
        ),
    )


def test_round_robin_is_a_wish_on_the_plan_for_whoever_picks_the_teams_next_agent() -> None:
    item = feedback_item(kind="complaint").model_copy(
        update={"topics": (Topic(topic="delivery", polarity="negative", evidence="x", start=0, end=1),)}
    )

    plan = plan_ticket(item, CONFIG.routing, CONFIG.rules)

    assert plan is not None
    assert (plan.round_robin, plan.assignee) == (True, None)


def test_a_suppressing_rule_opens_no_ticket() -> None:
    assert late_complaint(account="test-shop") is None


def test_a_ticket_stored_before_the_rules_reads_with_empty_rule_fields() -> None:
    stored = {
        "id": "tk_1",
        "feedback_id": "fb_1",
        "source": "custom",
        "account": "default",
        "kind": "review",
        "team": "support",
        "priority": "high",
        "status": "open",
        "reasons": ["low_rating"],
        "created_at": NOW.isoformat(),
        "first_response_due_at": NOW.isoformat(),
        "tonality_label": "negative",
        "excerpt": "…",
        "history": [],
    }

    ticket = Ticket.model_validate(stored)

    assert (ticket.tags, ticket.assignee, ticket.sla_policy, ticket.matched_rules) == ((), None, None, ())
    assert (ticket.notify, ticket.draft_template) == ((), None)
