"""GET /feedback/{id}/explain: why an item got its tonality, topics, moderation flags and ticket.

Tonality is scored again from the stored text with today's configuration, since the item keeps its
result and not the trail of words that led to it; `matches_stored` says whether that gives the stored text
score (it does not when the overrides or the engine changed since). Topics and moderation are shown as
stored: each with the span of the text that caused it. The ticket's reasons are those routing gave.
"""

from __future__ import annotations

from typing import Any

from otklik.domain import tonality
from otklik.domain.errors import NotFound
from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackItem, Ticket
from otklik.domain.routing import RoutingPolicy
from otklik.domain.tonality.overrides import Overrides
from otklik.ports import FeedbackReader, TicketReader
from otklik.usecases.ops import is_id


def _tonality(item: FeedbackItem, overrides: Overrides) -> dict[str, Any]:
    scored = tonality.score_text(item.full_text(), item.lang, overrides)
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
    texts = {
        "question": "a question: the customer waits for an answer",
        "chat": "a chat message: the customer waits for an answer",
        "complaint": "a complaint from the seller's own channel",
        "negative_tonality": f"tonality is negative (compound {item.tonality.compound:+.2f})",
        "low_rating": f"{item.rating} stars, at most routing.low_rating_max ({policy.low_rating_max})",
        "rating_text_conflict": (
            f"the stars ({item.rating}) and the text (compound {item.tonality.text_compound:+.2f}) disagree"
        ),
    }
    if reason in texts:
        return texts[reason]
    flag = reason.removeprefix("moderation:")
    return f"moderation flagged {flag}" if flag != reason else reason


def _routing(item: FeedbackItem, ticket: Ticket | None, policy: RoutingPolicy) -> dict[str, Any]:
    if ticket is None:
        return {"ticket_id": None, "reasons": [], "why": "no reason to open a ticket (or not routed yet)"}
    return {
        "ticket_id": ticket.id,
        "team": ticket.team,
        "priority": ticket.priority,
        "status": ticket.status,
        "reasons": [{"reason": reason, "why": _why(reason, item, policy)} for reason in ticket.reasons],
    }


def explain_feedback(
    feedback_id: str,
    feedback: FeedbackReader,
    tickets: TicketReader,
    overrides: Overrides,
    policy: RoutingPolicy,
) -> dict[str, Any]:
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
        "tonality": _tonality(item, overrides),
        "topics": document.get("topics", []),
        "moderation": document.get("moderation", {"flags": [], "reasons": []}),
        "routing": _routing(item, tickets.get_ticket(ticket_id(item.id)), policy),
    }
