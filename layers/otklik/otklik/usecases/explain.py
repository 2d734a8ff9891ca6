"""GET /feedback/{id}/explain: why an item got its tonality, topics, moderation flags and ticket.

Tonality is scored again from the stored text with today's configuration and the learned layer that
scored it (the shipped one, none, or the account's own model by the version the item names), since the
item keeps its result and not the trail of words that led to it; `matches_stored` says whether that gives
the stored text score (it does not when the overrides, the engine or that model changed since). Topics and
moderation are shown as stored: each with the span of the text that caused it. The ticket's reasons are
those routing gave, and its matched rules each with why, as recorded when it was opened; `now` is what
the rules in force decide for the item today (a changed rule shows here before any ticket is routed
under it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from otklik.domain import tonality
from otklik.domain.errors import NotFound
from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackItem, Ticket
from otklik.domain.routing import RoutingPolicy, decide_routing, default_rule_set
from otklik.domain.rules.engine import Decision
from otklik.domain.rules.schema import Rule
from otklik.domain.tonality.learned import LEXICON, SHIPPED, Model, shipped_model
from otklik.domain.tonality.overrides import Overrides
from otklik.ports import AccountTonality, FeedbackReader, TicketReader
from otklik.usecases.ops import is_id


def _model_of(item: FeedbackItem, models: AccountTonality | None) -> Model | str:
    """The learned layer that scored the item: none, the shipped one, or the account's model of the
    version it names (the shipped one when that cannot be read: `matches_stored` then says so)."""
    version = item.tonality.model_version
    if version is None:
        return LEXICON
    shipped = shipped_model()
    if (shipped is not None and version == shipped.version) or models is None:
        return SHIPPED
    return models.resolve(item.account, version)


def _tonality(item: FeedbackItem, overrides: Overrides, models: AccountTonality | None) -> dict[str, Any]:
    model = _model_of(item, models)
    scored = tonality.score_text(item.full_text(), item.lang, overrides, model, item.kind)
    contributions = scored.russian.contributions if scored.russian is not None else ()
    stored = item.tonality
    return {
        "label": stored.label,
        "compound": stored.compound,
        "text_compound": stored.text_compound,
        "rating": item.rating,
        "rating_text_conflict": stored.rating_text_conflict,
        "engine": stored.engine,
        "matches_stored": scored.compound == stored.text_compound,
        # Both engines' versions as stored, and what the shipped learned layer says of the text now (an
        # account's own model, when one scored it, is named by model_version)
        "lexicon_version": stored.lexicon_version,
        "lexicon_compound": stored.lexicon_compound,
        "model_version": stored.model_version,
        "model_weight": stored.model_weight,
        "learned": tonality.learned_explanation(scored, model),
        "contributions": [
            {
                "words": unit.words,
                "source": unit.source,
                "base": unit.base,
                "value": unit.value,
                "steps": list(unit.steps),
            }
            for unit in contributions
        ],
        "note": (
            "VADER's own scoring (English): no per-word trail"
            if scored.russian is None
            else "compound = sum / sqrt(sum² + 15) of the contributions, then combined with the stars"
        ),
    }


def _why(reason: str, item: FeedbackItem, policy: RoutingPolicy) -> str:
    """A routing reason as a person reads it, with the item's own figures."""
    text_compound = item.tonality.text_compound
    text_score = (
        f"compound {text_compound:+.2f}" if text_compound is not None else "its own score was not kept"
    )
    texts = {
        "question": "a question: the customer waits for an answer",
        "chat": "a chat message: the customer waits for an answer",
        "complaint": "a complaint from the seller's own channel",
        "negative_tonality": f"tonality is negative (compound {item.tonality.compound:+.2f})",
        "low_rating": f"{item.rating} stars: a low rating (the matched rules say by what threshold)",
        "rating_text_conflict": (f"the stars ({item.rating}) and the text ({text_score}) disagree"),
    }
    if reason in texts:
        return texts[reason]
    flag = reason.removeprefix("moderation:")
    return f"moderation flagged {flag}" if flag != reason else reason


def _now(decision: Decision, rules: Sequence[Rule]) -> dict[str, Any]:
    """What the rules in force decide for the item, each matched rule with why and what it does."""
    actions = {rule.name: rule.then.shown() for rule in rules}
    return {
        "ticket": decision.opens_ticket,
        "team": decision.team,
        "priority": decision.priority,
        "reasons": list(decision.reasons),
        "tags": list(decision.tags),
        "sla_policy": decision.sla_policy,
        "assignee": decision.assignee,
        "round_robin": decision.round_robin,
        "notify": list(decision.notify),
        "suppressed": decision.suppressed,
        "reply_needed": decision.reply_needed,
        "draft_template": decision.draft_template,
        "matched_rules": [
            {"name": match.name, "why": list(match.why), "then": actions.get(match.name, {})}
            for match in decision.matched
        ],
        "note": "repeat_contact is taken as false here: explain does not look for earlier contacts",
    }


def _routing(
    item: FeedbackItem, ticket: Ticket | None, policy: RoutingPolicy, rules: Sequence[Rule] | None
) -> dict[str, Any]:
    in_force = default_rule_set(policy) if rules is None else rules
    now = _now(decide_routing(item, policy, in_force), in_force)
    if ticket is None:
        return {
            "ticket_id": None,
            "reasons": [],
            "matched_rules": [],
            "why": "no reason to open a ticket (or not routed yet)",
            "now": now,
        }
    return {
        "ticket_id": ticket.id,
        "team": ticket.team,
        "priority": ticket.priority,
        "status": ticket.status,
        "reasons": [{"reason": reason, "why": _why(reason, item, policy)} for reason in ticket.reasons],
        "tags": list(ticket.tags),
        "sla_policy": ticket.sla_policy,
        "assignee": ticket.assignee,
        # As recorded when the ticket was opened (none for a ticket opened before rules were recorded).
        "matched_rules": [{"name": match.name, "why": list(match.why)} for match in ticket.matched_rules],
        "now": now,
    }


def explain_feedback(
    feedback_id: str,
    feedback: FeedbackReader,
    tickets: TicketReader,
    overrides: Overrides,
    policy: RoutingPolicy,
    rules: Sequence[Rule] | None = None,
    models: AccountTonality | None = None,
) -> dict[str, Any]:
    """Why the item got what it got; `rules` are those in force (None: the default rules of policy);
    `models` reads the account models an item may name (None: the shipped layer stands in)."""
    if not is_id(feedback_id):
        raise NotFound("no feedback has an id like that")
    item = feedback.get_item(feedback_id)
    if item is None:
        raise NotFound(f"no feedback {feedback_id}")
    document = item.model_dump(mode="json")
    return {
        "id": item.id,
        "lang": item.lang,
        "engines": item.engines,
        "tonality": _tonality(item, overrides, models),
        "topics": document.get("topics", []),
        "moderation": document.get("moderation", {"flags": [], "reasons": []}),
        "routing": _routing(item, tickets.get_ticket(ticket_id(item.id)), policy, rules),
    }
