"""The auto-reply policy (`replies.auto_reply`): which items are answered without a person, and how soon.

Decisions, so that the policy and its callers agree:
- A policy names marketplaces, kinds (reviews by default) and a band of stars; the first policy that
  holds for an item applies. An item without stars is never answered automatically.
- Only low-risk items are: no negative topic, no moderation flag, no rating-text conflict, a tonality
  that is not negative, and not already answered on the platform. `risks()` says what stands in the way,
  so an item refused is explained, not silently left.
- The draft must pass the reply check as it is (the caller drafts against the product's recent
  replies): a draft with any problem waits for a person.
- The delay is SQS's own delivery delay, so it is at most 15 minutes (SQS's limit); an operator who
  wants longer should not auto-reply.
"""

from __future__ import annotations

from pydantic import Field

from otklik.domain.marketplaces.models import Marketplace
from otklik.domain.models import FeedbackItem, FeedbackKind, Frozen
from otklik.domain.replies.templates import TEMPLATE_NAME, RatingBand

# SQS's longest delivery delay (DelaySeconds 900).
MAX_DELAY_MINUTES = 15
# Who an automatic reply is approved by, as the ticket and the outbox record it: "auto:<policy name>".
AUTO_APPROVER = "auto:"


class AutoReplyPolicy(Frozen):
    """Publish a drafted reply without a person for low-risk items of these marketplaces, kinds and stars."""

    name: str = Field(pattern=TEMPLATE_NAME)
    marketplaces: tuple[Marketplace, ...] = Field(min_length=1)
    kinds: tuple[FeedbackKind, ...] = Field(default=("review",), min_length=1)
    rating: RatingBand = Field(description="the stars the item must have, e.g. {min: 4} or {min: 5, max: 5}")
    delay_minutes: int = Field(
        default=0, ge=0, le=MAX_DELAY_MINUTES, description="wait this long before publishing (at most 15)"
    )
    template: str | None = Field(
        default=None,
        pattern=TEMPLATE_NAME,
        description="draft from this template (default: as drafts choose)",
    )

    def holds(self, item: FeedbackItem) -> bool:
        return item.source in self.marketplaces and item.kind in self.kinds and self.rating.holds(item.rating)

    def approver(self) -> str:
        return AUTO_APPROVER + self.name


def risks(item: FeedbackItem) -> tuple[str, ...]:
    """Why the item needs a person before any reply (empty: low risk)."""
    found: list[str] = []
    if item.answered:
        found.append("already answered on the platform")
    if item.tonality.label == "negative":
        found.append("negative tonality")
    if item.tonality.rating_text_conflict:
        found.append("the text disagrees with the stars")
    negative = sorted({topic.topic for topic in item.topics if topic.polarity == "negative"})
    if negative:
        found.append("negative topics: " + ", ".join(negative))
    if item.moderation.flags:
        found.append("moderation flags: " + ", ".join(item.moderation.flags))
    return tuple(found)


def auto_reply_policy(item: FeedbackItem, policies: tuple[AutoReplyPolicy, ...]) -> AutoReplyPolicy | None:
    """The first policy that holds for the item, whatever its risk (None: replies to it wait for a person)."""
    return next((policy for policy in policies if policy.holds(item)), None)
