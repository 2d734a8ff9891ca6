"""Each platform's reply length limits, as its API documentation states them, in one table.

A reply outside them is refused before it is sent (PermanentRejection), never cut short:
a truncated apology reads worse than none, and the operator can shorten it knowingly.
Lengths are counted in characters (Unicode code points), as the platforms describe them.
"""

from __future__ import annotations

from dataclasses import dataclass

from otklik.domain.marketplaces.models import Marketplace, PermanentRejection
from otklik.domain.models import FeedbackKind

# The status a refusal carries when the reply was never sent: nothing the platform said, our own check.
NOT_SENT_STATUS = 422


@dataclass(frozen=True)
class ReplyLimit:
    min_chars: int
    max_chars: int | None  # None: the documentation names no maximum; the platform's own 4xx decides
    documented_in: str


REPLY_LIMITS: dict[tuple[Marketplace, FeedbackKind], ReplyLimit] = {
    ("wildberries", "review"): ReplyLimit(2, 5000, "WB API POST /api/v1/feedbacks/answer: text 2..5000"),
    ("wildberries", "question"): ReplyLimit(
        1, None, "WB API PATCH /api/v1/questions: answer.text required, no length given"
    ),
    ("ozon", "review"): ReplyLimit(
        1, None, "Ozon POST /v1/review/comment/create: text required, no length given"
    ),
    ("ozon", "question"): ReplyLimit(2, 3000, "Ozon POST /v1/question/answer/create: text 2..3000"),
    ("ozon", "chat"): ReplyLimit(1, 1000, "Ozon POST /v1/chat/send/message: plain text 1..1000"),
    ("yandex_market", "review"): ReplyLimit(
        1, 4096, "YM POST v2/businesses/{businessId}/goods-feedback/comments/update: comment.text 1..4096"
    ),
    ("yandex_market", "chat"): ReplyLimit(
        1, 4096, "YM POST v2/businesses/{businessId}/chats/message: message 1..4096"
    ),
}

_NAMES: dict[str, str] = {"wildberries": "Wildberries", "ozon": "Ozon", "yandex_market": "Yandex Market"}


def reply_limit(marketplace: Marketplace, kind: FeedbackKind) -> ReplyLimit:
    """The limit for replies of this kind, or PermanentRejection when the platform takes no such replies."""
    limit = REPLY_LIMITS.get((marketplace, kind))
    if limit is None:
        raise PermanentRejection(NOT_SENT_STATUS, f"{_NAMES[marketplace]} takes no replies to a {kind}")
    return limit


def enforce_reply_limit(marketplace: Marketplace, kind: FeedbackKind, text: str) -> None:
    """Refuse (PermanentRejection, nothing sent) a reply the platform's documented limits would not take."""
    limit = reply_limit(marketplace, kind)
    length = len(text)
    name = _NAMES[marketplace]
    if length < limit.min_chars:
        raise PermanentRejection(
            NOT_SENT_STATUS,
            f"not sent: the reply has {length} characters, "
            f"{name} needs at least {limit.min_chars} for a {kind}",
        )
    if limit.max_chars is not None and length > limit.max_chars:
        raise PermanentRejection(
            NOT_SENT_STATUS,
            f"not sent: the reply has {length} characters, {name} takes at most {limit.max_chars} "
            f"for a {kind}; shorten it and approve again",
        )


@dataclass(frozen=True)
class RequestRate:
    """How fast one seller account may call a platform: a token bucket's rate and burst."""

    per_second: float
    burst: int


# Wildberries documents its feedbacks API as about three requests a second per account with a
# small burst; we stay a little under its burst. Ozon and Yandex Market answer 429/420 with
# Retry-After instead, which the HTTP client honours.
REQUEST_RATES: dict[Marketplace, RequestRate] = {"wildberries": RequestRate(per_second=3.0, burst=5)}
