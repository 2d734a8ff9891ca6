"""The default rules: otklik's routing before a seller writes any, as data (infra/config/otklik.yaml spells
them out; a test keeps the two equal).

A document without a `rules:` section gets these, shaped by three `routing:` thresholds (the stars that
are a low rating, the compound that is strongly negative, the tiers that get one priority step more).
In words:

1. spam (advertising, gibberish, a fake signal): a low ticket to report it, needing no reply, with every
   flag as a reason; its stars and words (a spammer's) decide nothing else, so the look stops here;
2. a question, a chat message, a complaint, a negative tonality, a low rating, stars that disagree with
   the text, a contact or abuse (flags contacts, profanity, insult): each a reason for a ticket;
3. priority: high when strongly negative (one star, or the compound at or below the threshold), unless
   the item is only a question or chat; low for a positive question or chat; normal otherwise; and one
   step more for an escalated customer tier.
"""

from __future__ import annotations

from typing import Any

SPAM_FLAGS = ("advertising", "gibberish", "fake_signal")
LOOK_FLAGS = ("contacts", "profanity", "insult")


def default_rules(
    low_rating_max: int, strongly_negative_compound: float, escalated_tiers: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The default rules in the document's form, for these thresholds."""
    low_rating = {"rating": {"lte": low_rating_max}}
    # Only waiting for an answer: a question or chat and no other reason for its ticket.
    only_waiting = {
        "kind": ["question", "chat"],
        "not": {
            "any": [
                {"tonality": "negative"},
                low_rating,
                {"rating_text_conflict": True},
                {"flag": list(LOOK_FLAGS)},
            ]
        },
    }
    rules: list[dict[str, Any]] = [
        {
            "name": "spam",
            "when": {"flag": list(SPAM_FLAGS)},
            "then": {"reason": "moderation:{flag}", "priority": "low", "reply_needed": False},
            "stop": True,
        },
        {"name": "question", "when": {"kind": "question"}, "then": {"reason": "question"}},
        {"name": "chat", "when": {"kind": "chat"}, "then": {"reason": "chat"}},
        {"name": "complaint", "when": {"kind": "complaint"}, "then": {"reason": "complaint"}},
        {
            "name": "negative-tonality",
            "when": {"tonality": "negative"},
            "then": {"reason": "negative_tonality"},
        },
        {"name": "low-rating", "when": low_rating, "then": {"reason": "low_rating"}},
        {
            "name": "rating-text-conflict",
            "when": {"rating_text_conflict": True},
            "then": {"reason": "rating_text_conflict"},
        },
        {"name": "moderation", "when": {"flag": list(LOOK_FLAGS)}, "then": {"reason": "moderation:{flag}"}},
        {
            "name": "strongly-negative",
            "when": {
                "any": [{"rating": 1}, {"compound": {"lte": strongly_negative_compound}}],
                "not": only_waiting,
            },
            "then": {"priority": "high"},
        },
        {
            "name": "positive-question",
            "when": {"all": [only_waiting, {"tonality": "positive"}]},
            "then": {"priority": "low"},
        },
    ]
    if escalated_tiers:
        rules.append(
            {"name": "escalated-tier", "when": {"customer_tier": list(escalated_tiers)}, "then": {"raise": 1}}
        )
    return rules
