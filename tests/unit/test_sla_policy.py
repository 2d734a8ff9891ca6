"""SLA policies: targets by priority and kind, a ticket's deadlines and warnings, the Wildberries archive
window, next responses and the escalation chain."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.config import DEFAULT_CONFIG
from otklik.domain.models import FeedbackKind, Priority
from otklik.domain.sla import (
    SlaPolicy,
    Target,
    deadlines,
    escalations,
    next_response_due,
    reply_window_of,
)
from otklik.domain.sla.settings import EscalationStep

MOSCOW = ZoneInfo("Europe/Moscow")
STANDARD = DEFAULT_CONFIG.sla.policy()
CALENDAR = DEFAULT_CONFIG.sla.calendar(STANDARD.calendar)
FRIDAY_17 = datetime(2026, 11, 20, 17, tzinfo=MOSCOW)


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


TIERED = SlaPolicy(
    name="tiered",
    targets=(
        Target(priorities=("urgent",), first_response_hours=2),
        Target(kinds=("complaint",), priorities=("high",), first_response_hours=4),
        Target(kinds=("question", "chat"), first_response_hours=12),
        Target(first_response_hours=24),
    ),
)


# ------------------------------------------------------------------ which target applies


@pytest.mark.parametrize(
    ("priority", "kind", "hours"),
    [
        ("urgent", "question", 2),  # the first entry that matches wins, though questions come later
        ("urgent", "review", 2),
        ("high", "complaint", 4),
        ("normal", "complaint", 24),  # the complaint entry is for high ones only
        ("high", "review", 24),
        ("low", "chat", 12),
        ("normal", "survey", 24),
    ],
)
def test_the_first_target_matching_priority_and_kind_applies(
    priority: Priority, kind: FeedbackKind, hours: float
) -> None:
    target = TIERED.target_for(priority, kind)

    assert target is not None
    assert target.first_response_hours == hours


@pytest.mark.parametrize(
    ("kind", "first", "resolution"),
    [("review", 24, 45), ("complaint", 24, 45), ("survey", 24, 45), ("question", 12, 27), ("chat", 12, 27)],
)
def test_the_standard_policy_keeps_todays_hours_as_business_hours(
    kind: FeedbackKind, first: float, resolution: float
) -> None:
    for priority in ("urgent", "high", "normal", "low"):
        target = STANDARD.target_for(priority, kind)
        assert target is not None
        assert (target.first_response_hours, target.next_response_hours, target.resolution_hours) == (
            first,
            first,
            resolution,
        )


# ------------------------------------------------------------------ a ticket's deadlines


def test_a_reviews_deadlines_and_warnings_count_business_hours() -> None:
    # Given a normal review from Ozon on Friday 20 November 2026 at 17:00
    result = deadlines(STANDARD, CALENDAR, "normal", "review", FRIDAY_17, "ozon")

    # Then 24 business hours: Friday's 1, Monday's and Tuesday's 9, Wednesday's first 5
    assert result.first_response_due_at == msk(2026, 11, 25, 14)
    # and the warning at 0.8 of them (19.2 hours): Wednesday 09:12
    assert result.warn_at == msk(2026, 11, 25, 9, 12)
    # and resolution in 45 (a working week): Friday 27 at 17:00, warned at 36, Thursday 17:00
    assert result.resolution_due_at == msk(2026, 11, 27, 17)
    assert result.resolution_warn_at == msk(2026, 11, 26, 17)
    assert (result.next_response_hours, result.clamped_by, result.window_closes_at) == (24, None, None)
    assert (result.policy, result.calendar) == ("standard", "default")


def test_a_question_is_due_in_twelve_business_hours() -> None:
    result = deadlines(STANDARD, CALENDAR, "low", "question", FRIDAY_17, "wildberries")

    assert result.first_response_due_at == msk(2026, 11, 24, 11)
    assert result.warn_at == msk(2026, 11, 23, 17, 36)
    assert result.clamped_by is None  # a question has no archive window


def test_a_wildberries_review_is_never_due_after_its_archive() -> None:
    # Given a Wildberries review written on 26 November 2026 at 10:00 and received only on Friday
    # 25 December at 17:00 (a first sync): WB archives it 30 days after it was written
    written, received = msk(2026, 11, 26, 10), msk(2026, 12, 25, 17)

    result = deadlines(STANDARD, CALENDAR, "high", "review", received, "wildberries", created_at=written)

    # Then no deadline passes Saturday 26 December 10:00, and the result says why
    assert result.window_closes_at == msk(2026, 12, 26, 10)
    assert result.first_response_due_at == result.resolution_due_at == msk(2026, 12, 26, 10)
    assert result.clamped_by == "wildberries_archive"
    # and the warning comes at 0.8 of the one business hour left (Friday 17:00-18:00)
    assert result.warn_at == msk(2026, 12, 25, 17, 48)


def test_the_archive_window_counts_from_receipt_when_the_platform_gives_no_date() -> None:
    # Given a policy that gives reviews 720 business hours to be resolved, and a WB review
    patient = SlaPolicy(name="patient", targets=(Target(first_response_hours=24, resolution_hours=720),))
    received = msk(2026, 11, 2, 9)

    result = deadlines(patient, CALENDAR, "normal", "review", received, "wildberries")

    # Then the resolution stops at received + 30 days; the first response, well inside, is not cut
    assert result.resolution_due_at == received + timedelta(days=30)
    assert result.first_response_due_at == msk(2026, 11, 5, 15)  # 4 November is a holiday
    assert result.clamped_by == "wildberries_archive"


@pytest.mark.parametrize(
    ("source", "kind"), [("ozon", "review"), ("wildberries", "question"), ("site", "review")]
)
def test_other_sources_and_kinds_have_no_archive_window(source: str, kind: FeedbackKind) -> None:
    patient = SlaPolicy(name="patient", targets=(Target(resolution_hours=720),))

    result = deadlines(patient, CALENDAR, "normal", kind, msk(2026, 11, 2, 9), source)

    assert result.clamped_by is None
    assert result.resolution_due_at is not None
    assert result.resolution_due_at > msk(2026, 11, 2, 9) + timedelta(days=100)


def test_a_target_the_policy_does_not_set_has_no_deadline() -> None:
    # Given a policy whose surveys have no targets, and another that leaves chats out altogether
    quiet_surveys = SlaPolicy(
        name="quiet", targets=(Target(kinds=("survey",)), Target(first_response_hours=24))
    )
    reviews_only = SlaPolicy(name="reviews", targets=(Target(kinds=("review",), first_response_hours=24),))

    for result in (
        deadlines(quiet_surveys, CALENDAR, "normal", "survey", FRIDAY_17, "site"),
        deadlines(reviews_only, CALENDAR, "normal", "chat", FRIDAY_17, "ozon"),
    ):
        assert (result.first_response_due_at, result.warn_at, result.resolution_due_at) == (None, None, None)
        assert result.next_response_hours is None


def test_a_policy_without_a_warning_share_never_warns() -> None:
    silent = STANDARD.model_copy(update={"warn_share": None})

    result = deadlines(silent, CALENDAR, "normal", "review", FRIDAY_17, "ozon")

    assert result.first_response_due_at == msk(2026, 11, 25, 14)
    assert (result.warn_at, result.resolution_warn_at) == (None, None)


# ------------------------------------------------------------------ later replies and escalation


def test_a_next_response_is_due_its_target_after_the_customer_wrote() -> None:
    # Given a chat whose customer wrote again on Tuesday 24 November at 17:00
    due = next_response_due(STANDARD, CALENDAR, "normal", "chat", msk(2026, 11, 24, 17))

    # Then 12 business hours: Tuesday's 1, Wednesday's 9, Thursday's first 2
    assert due is not None
    assert (due.due_at, due.clamped_by) == (msk(2026, 11, 26, 11), None)


def test_a_next_response_stays_inside_the_reply_window() -> None:
    received = msk(2026, 11, 2, 9)
    window = reply_window_of("wildberries", "review", received)

    due = next_response_due(STANDARD, CALENDAR, "normal", "review", msk(2026, 12, 1, 17), window=window)

    assert due is not None
    assert (due.due_at, due.clamped_by) == (received + timedelta(days=30), "wildberries_archive")


def test_the_escalation_chain_fires_its_business_hours_after_the_breach() -> None:
    # Given a chain: the team lead at the breach, the head four business hours later
    chained = STANDARD.model_copy(
        update={
            "escalation": (
                EscalationStep(notify="team_lead", after_hours=0),
                EscalationStep(notify="head", after_hours=4),
            )
        }
    )

    # When a deadline passed on Friday 20 November at 16:00
    steps = escalations(chained, CALENDAR, msk(2026, 11, 20, 16))

    # Then the head hears on Monday at 11:00 (two hours on Friday, two on Monday)
    assert [(step.notify, step.at) for step in steps] == [
        ("team_lead", msk(2026, 11, 20, 16)),
        ("head", msk(2026, 11, 23, 11)),
    ]


def test_the_standard_policy_escalates_to_nobody() -> None:
    assert escalations(STANDARD, CALENDAR, FRIDAY_17) == ()
