"""Reading back a published reply: what each look at the platform decides (otklik.usecases.read_back).

Decisions:
- The first look is on the next poll after publishing (the platforms show an accepted reply at
  once, or put it under their moderation); later looks every LOOK_AGAIN while it is pending, until
  WATCH_FOR after publishing: then it stays recorded as pending and is looked at no more.
- Rejected (WB answer.state rejected, YM BANNED) is final at the first look that says it.
- Missing (not shown at all) is told only when MISSING_LOOKS looks in a row say it, so a platform slow
  to list a reply is not taken for one that dropped it; WB accepts an answer to an unknown review id
  silently, and that reply is missing at every look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from otklik.domain.marketplaces.models import ApprovedReply, ReplyReadBack
from otklik.domain.models import Frozen

FIRST_LOOK = timedelta(0)
LOOK_AGAIN = timedelta(minutes=30)
WATCH_FOR = timedelta(days=7)
MISSING_LOOKS = 2

PLATFORM_TITLES = {"wildberries": "Wildberries", "ozon": "Ozon", "yandex_market": "Яндекс Маркет"}


class ReadBackDue(Frozen):
    """A published reply to look at on its platform at due_at."""

    reply: ApprovedReply
    platform_answer_id: str | None = None
    published_at: datetime
    due_at: datetime
    looks: int = Field(default=0, ge=0)
    missing: int = Field(default=0, ge=0)  # looks in a row that found it missing


def first_look(reply: ApprovedReply, platform_answer_id: str | None, published_at: datetime) -> ReadBackDue:
    return ReadBackDue(
        reply=reply,
        platform_answer_id=platform_answer_id,
        published_at=published_at,
        due_at=published_at + FIRST_LOOK,
    )


Outcome = Literal["published", "pending", "refused", "look_again"]


@dataclass(frozen=True)
class Look:
    """What one look decided: the state to record, and the next look (None: the reply is watched no more)."""

    outcome: Outcome
    state: Literal["published", "pending", "rejected", "missing"]
    reason: str | None
    again: ReadBackDue | None


def looked(due: ReadBackDue, read: ReplyReadBack, now: datetime) -> Look:
    title = PLATFORM_TITLES.get(due.reply.marketplace, due.reply.marketplace)
    seen = due.model_copy(update={"looks": due.looks + 1, "due_at": now + LOOK_AGAIN})
    if read.state == "published":
        return Look("published", "published", None, None)
    if read.state == "rejected":
        reason = read.reason or f"{title} rejected the reply"
        return Look("refused", "rejected", f"{title}: {reason}" if read.reason else reason, None)
    watched_out = now >= due.published_at + WATCH_FOR
    if read.state == "missing":
        missing = due.missing + 1
        if missing >= MISSING_LOOKS:
            reason = read.reason or f"{title} accepted the reply but does not show it"
            return Look("refused", "missing", reason, None)
        return Look("look_again", "missing", read.reason, seen.model_copy(update={"missing": missing}))
    # pending: under the platform's moderation
    if watched_out:
        return Look("pending", "pending", read.reason, None)
    return Look("look_again", "pending", read.reason, seen.model_copy(update={"missing": 0}))
