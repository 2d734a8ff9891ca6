"""Where a published reply takes a ticket: the approver's word, else its rules', else tickets.after_reply."""

from __future__ import annotations

import pytest

from otklik.domain.config import ConfigInvalid, parse_config
from otklik.domain.lifecycle import TicketSettings, after_reply_of
from otklik.domain.routing import open_ticket, plan_ticket
from tests.unit.samples import NOW, feedback_item, stored_ticket

RESOLVE_QUESTIONS = """
rules:
  - name: question
    when: {kind: question}
    then: {reason: question, after_reply: resolved, after_reply_root_cause: question_answered}
"""


def test_a_rule_says_a_question_is_resolved_by_its_answer() -> None:
    # Given a document whose rule resolves questions once answered
    config = parse_config(RESOLVE_QUESTIONS)
    item = feedback_item(kind="question", text="Есть размер M?")
    # When a question is routed
    plan = plan_ticket(item, config.routing, config.rules, sla=config.sla)
    assert plan is not None
    ticket = open_ticket(item, plan, NOW)
    # Then the ticket carries the rule's wish
    assert (ticket.after_reply, ticket.after_reply_root_cause) == ("resolved", "question_answered")
    assert after_reply_of(ticket, config.tickets, None, None) == ("resolved", "question_answered")


@pytest.mark.parametrize(
    ("ticket_says", "agent_says", "expected"),
    [
        ((None, None), (None, None), ("waiting_customer", None)),
        (("resolved", "question_answered"), (None, None), ("resolved", "question_answered")),
        (("resolved", "question_answered"), ("waiting_customer", None), ("waiting_customer", None)),
        ((None, None), ("resolved", "delivery"), ("resolved", "delivery")),
        # resolving needs a root cause: with none anywhere, the ticket waits for the customer instead
        (("resolved", None), (None, None), ("waiting_customer", None)),
    ],
    ids=["default", "rule", "agent-over-rule", "agent", "no-cause-anywhere"],
)
def test_the_agent_wins_over_the_rule_and_the_rule_over_the_setting(
    ticket_says: tuple[str | None, str | None],
    agent_says: tuple[str | None, str | None],
    expected: tuple[str, str | None],
) -> None:
    ticket = stored_ticket(after_reply=ticket_says[0], after_reply_root_cause=ticket_says[1])
    assert after_reply_of(ticket, TicketSettings(), *agent_says) == expected  # type: ignore[arg-type]


def test_the_settings_root_cause_serves_a_rule_that_names_none() -> None:
    settings = TicketSettings(after_reply="resolved", after_reply_root_cause="other")
    ticket = stored_ticket(after_reply="resolved")
    assert after_reply_of(ticket, settings, None, None) == ("resolved", "other")


@pytest.mark.parametrize(
    ("then", "problem"),
    [
        (
            "{reason: question, after_reply: resolved}",
            "rules[0].then.after_reply_root_cause: after_reply resolved needs a root cause",
        ),
        (
            "{reason: question, after_reply: resolved, after_reply_root_cause: nope}",
            "rules[0].then.after_reply_root_cause: 'nope' is not one of tickets.root_causes",
        ),
        (
            "{reason: question, after_reply_root_cause: other}",
            "rules[0].then: after_reply_root_cause goes with after_reply: resolved",
        ),
    ],
    ids=["no-cause", "unknown-cause", "cause-without-resolving"],
)
def test_a_rule_that_cannot_resolve_is_refused_by_its_path(then: str, problem: str) -> None:
    document = f"rules:\n  - name: question\n    when: {{kind: question}}\n    then: {then}\n"
    with pytest.raises(ConfigInvalid) as refused:
        parse_config(document)
    assert any(line.startswith(problem) for line in refused.value.problems), refused.value.problems
