"""How long each platform takes a reply, as its API documentation states it, in one table.

A deadline past the window is a deadline nobody can meet: the platform no longer takes the reply. So
the SLA's deadlines for such feedback stop at the window's end (otklik.domain.sla.policy), and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from otklik.domain.models import FeedbackKind


@dataclass(frozen=True)
class ReplyWindow:
    length: timedelta  # from when the feedback was written on the platform
    closed_by: str  # what closes it, as a clamped deadline names it
    documented_in: str


REPLY_WINDOWS: dict[tuple[str, FeedbackKind], ReplyWindow] = {
    ("wildberries", "review"): ReplyWindow(
        timedelta(days=30),
        "wildberries_archive",
        "WB API GET /api/v1/feedbacks/archive: a review becomes archived when answered, "
        "or when unanswered for 30 days",
    ),
}


def reply_window(source: str, kind: FeedbackKind) -> ReplyWindow | None:
    """The window in which the platform takes a reply to this feedback; None when it sets none."""
    return REPLY_WINDOWS.get((source, kind))
