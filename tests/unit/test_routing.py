"""Routing rules: which feedback gets a ticket, for which team, with what priority and deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackKind, ModerationFlag, TonalityLabel
from otklik.domain.routing import RoutingPolicy, open_ticket, plan_ticket
from otklik.domain.sla.settings import SlaPolicy, SlaSettings, Target
from tests.unit.samples import NOW, RAW_EMAIL, RAW_PHONE, TEXT_WITH_CONTACTS, feedback_item

POLICY = RoutingPolicy()
# RECEIVED_AT is Sunday 2026-11-22 09:41 in Moscow: the default calendar's clock starts on Monday at 09:00,
# nine working hours a day. 24 of them end on Wednesday at 15:00 Moscow time, 12 on Tuesday at 12:00.
DUE_IN_24 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DUE_IN_12 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def sla_of(question_hours: float, other_hours: float) -> SlaSettings:
    """The default calendar, one policy: these first-response hours for questions and chats, and others."""
    targets = (
        Target(kinds=("question", "chat"), first_response_hours=question_hours),
        Target(first_response_hours=other_hours),
    )
    return SlaSettings(policies=(SlaPolicy(name="standard", targets=targets),))


@pytest.mark.parametrize(
    ("rating", "label", "compound"),
    [
        (5, "positive", 1.0),
        (4, "positive", 0.5),
        (3, "neutral", 0.0),
        (None, "positive", 0.7),
        (None, "neutral", 0.0),
    ],
)
def test_positive_or_neutral_reviews_with_good_ratings_need_no_ticket(
    rating: int | None, label: TonalityLabel, compound: float
) -> None:
    item = feedback_item(rating=rating, label=label, compound=compound)

    assert plan_ticket(item, POLICY) is None


def test_a_negative_review_goes_to_support_within_24_hours() -> None:
    item = feedback_item(label="negative", compound=-0.3)

    plan = plan_ticket(item, POLICY)

    assert plan is not None
    assert plan.team == "support"
    assert plan.first_response_due_at == DUE_IN_24
    assert "negative_tonality" in plan.reasons


@pytest.mark.parametrize("rating", [1, 2])
def test_a_low_rating_opens_a_ticket_even_when_the_text_reads_neutral(rating: int) -> None:
    item = feedback_item(rating=rating, label="neutral", compound=0.0)

    plan = plan_ticket(item, POLICY)

    assert plan is not None
    assert plan.team == "support"
    assert "low_rating" in plan.reasons
    assert plan.first_response_due_at == DUE_IN_24


def test_deadlines_follow_a_custom_sla_policy_in_business_hours() -> None:
    sla = sla_of(question_hours=2, other_hours=4)

    review = plan_ticket(feedback_item(rating=1), POLICY, sla=sla)
    question = plan_ticket(feedback_item(kind="question"), POLICY, sla=sla)

    # Monday 09:00 Moscow plus 4 and 2 working hours
    assert review is not None
    assert review.first_response_due_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert question is not None
    assert question.first_response_due_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_document_with_the_old_wall_clock_hours_is_refused_with_where_they_went() -> None:
    with pytest.raises(ValueError, match=r"sla\.policies\[\]\.targets"):
        RoutingPolicy.model_validate({"sla": {"first_response_hours": 24}})


def test_a_question_gets_the_question_deadline() -> None:
    plan = plan_ticket(feedback_item(kind="question", text="Есть ли размер L?"), POLICY)

    assert plan is not None
    assert plan.reasons == ("question",)
    assert plan.first_response_due_at == DUE_IN_12


def test_an_angry_question_is_answered_by_the_sooner_question_deadline() -> None:
    plan = plan_ticket(feedback_item(kind="question", label="negative", compound=-0.4), POLICY)

    assert plan is not None
    assert plan.first_response_due_at == DUE_IN_12


@pytest.mark.parametrize(("rating", "label", "compound"), [(5, "positive", 1.0), (None, "neutral", 0.0)])
def test_a_complaint_always_gets_a_ticket(rating: int | None, label: TonalityLabel, compound: float) -> None:
    item = feedback_item(kind="complaint", rating=rating, label=label, compound=compound)

    plan = plan_ticket(item, POLICY)

    assert plan is not None
    assert "complaint" in plan.reasons


@pytest.mark.parametrize(
    ("kind", "rating", "label", "compound", "priority"),
    [
        ("review", 1, "negative", -1.0, "high"),
        ("review", None, "negative", -0.85, "high"),
        ("review", None, "negative", -0.6, "high"),
        ("review", None, "negative", -0.3, "normal"),
        ("review", 2, "negative", -0.5, "normal"),
        ("complaint", None, "neutral", 0.0, "normal"),
        ("question", None, "positive", 0.6, "low"),
        ("question", None, "neutral", 0.0, "normal"),
    ],
    ids=[
        "one-star",
        "strongly-negative-text",
        "at-strongly-negative-threshold",
        "plainly-negative",
        "two-stars",
        "neutral-complaint",
        "positive-question",
        "neutral-question",
    ],
)
def test_priority_follows_how_bad_the_feedback_is(
    kind: FeedbackKind, rating: int | None, label: TonalityLabel, compound: float, priority: str
) -> None:
    item = feedback_item(kind=kind, rating=rating, label=label, compound=compound)

    plan = plan_ticket(item, POLICY)

    assert plan is not None
    assert plan.priority == priority


@pytest.mark.parametrize(
    ("tier", "kind", "rating", "label", "compound", "priority"),
    [
        ("vip", "review", None, "negative", -0.3, "high"),
        ("gold", "review", 1, "negative", -1.0, "urgent"),
        ("VIP", "review", 1, "negative", -1.0, "urgent"),
        ("premium", "question", None, "positive", 0.6, "normal"),
        ("regular", "review", 1, "negative", -1.0, "high"),
    ],
    ids=[
        "vip-normal-to-high",
        "gold-high-to-urgent",
        "tier-case-ignored",
        "premium-low-to-normal",
        "regular",
    ],
)
def test_an_escalated_customer_tier_raises_priority_one_level(
    tier: str, kind: FeedbackKind, rating: int | None, label: TonalityLabel, compound: float, priority: str
) -> None:
    item = feedback_item(kind=kind, rating=rating, label=label, compound=compound, tier=tier)

    plan = plan_ticket(item, POLICY)

    assert plan is not None
    assert plan.priority == priority


def test_urgent_is_the_top_priority() -> None:
    # Given the worst case: a one-star complaint from a VIP
    item = feedback_item(kind="complaint", rating=1, label="negative", compound=-1.0, tier="vip")

    plan = plan_ticket(item, POLICY)

    assert plan is not None
    assert plan.priority == "urgent"


def test_a_policy_without_escalated_tiers_treats_everyone_alike() -> None:
    item = feedback_item(rating=1, label="negative", compound=-1.0, tier="vip")

    plan = plan_ticket(item, RoutingPolicy(escalated_tiers=()))

    assert plan is not None
    assert plan.priority == "high"


def test_open_ticket_builds_an_open_ticket_with_its_history_and_a_masked_excerpt() -> None:
    # Given a one-star review whose text carries the customer's contacts
    item = feedback_item(text=TEXT_WITH_CONTACTS, rating=1, label="negative", compound=-1.0)
    plan = plan_ticket(item, POLICY)
    assert plan is not None

    # When the ticket is opened
    ticket = open_ticket(item, plan, NOW)

    # Then it is open, traceable to its feedback, and safe to show
    assert ticket.id == ticket_id(item.id)
    assert ticket.feedback_id == item.id
    assert ticket.status == "open"
    assert (ticket.team, ticket.priority) == ("support", "high")
    assert ticket.created_at == NOW
    assert ticket.first_response_due_at == plan.first_response_due_at
    assert (ticket.rating, ticket.tonality_label) == (1, "negative")
    assert [(h.status, h.at, h.by) for h in ticket.history] == [("open", NOW, "otklik")]
    assert "low_rating" in ticket.history[0].note
    assert RAW_EMAIL not in ticket.excerpt
    assert RAW_PHONE not in ticket.excerpt
    assert "[email]" in ticket.excerpt
    assert ticket.excerpt.startswith("Порвалось через день")


def test_opening_the_same_feedback_twice_gives_the_same_ticket_id() -> None:
    item = feedback_item(rating=1, label="negative", compound=-1.0)
    plan = plan_ticket(item, POLICY)
    assert plan is not None

    first = open_ticket(item, plan, NOW)
    again = open_ticket(item, plan, NOW + timedelta(minutes=5))

    assert first.id == again.id


def test_five_stars_over_an_angry_text_opens_a_ticket() -> None:
    # Given a five-star review whose text the engine found angry: positive overall, but flagged
    item = feedback_item(text="Ужасно, порвалось", rating=5, label="positive", compound=0.4)
    flagged = item.model_copy(
        update={
            "tonality": item.tonality.model_copy(update={"text_compound": -0.8, "rating_text_conflict": True})
        }
    )
    # When routed
    plan = plan_ticket(flagged, RoutingPolicy())
    # Then someone gets to read it, within the complaint deadline
    assert plan is not None
    assert plan.reasons == ("rating_text_conflict",)
    assert plan.first_response_due_at == DUE_IN_24
    # And the same review without the flag opens nothing
    assert plan_ticket(item, RoutingPolicy()) is None


def test_a_chat_message_gets_a_ticket_on_the_question_deadline() -> None:
    # Given a neutral chat message from a customer ("where is my order?")
    item = feedback_item(text="Где мой заказ?", kind="chat")
    # When routed
    plan = plan_ticket(item, RoutingPolicy(), sla=sla_of(question_hours=6, other_hours=24))
    # Then someone answers it within the question deadline: Monday 09:00 Moscow plus 6 working hours
    assert plan is not None
    assert plan.reasons == ("chat",)
    assert plan.first_response_due_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("flag", ["contacts", "profanity", "insult"])
def test_a_contact_or_abuse_in_an_otherwise_fine_review_is_a_reason_to_look(flag: ModerationFlag) -> None:
    # Given a five-star, positive review that carries a phone number, мат or an insult
    item = feedback_item(rating=5, label="positive", compound=0.8, flags=(flag,))
    # Then it gets a ticket for the team to look at, with the flag as its reason, and needs a reply
    plan = plan_ticket(item, POLICY)
    assert plan is not None and plan.reasons == (f"moderation:{flag}",)
    assert open_ticket(item, plan, NOW).reply_needed is True


def test_a_flag_adds_its_reason_beside_the_others() -> None:
    item = feedback_item(rating=1, label="negative", compound=-0.9, flags=("insult",))
    plan = plan_ticket(item, POLICY)
    assert plan is not None
    assert set(plan.reasons) == {"negative_tonality", "low_rating", "moderation:insult"}
    assert plan.priority == "high"


@pytest.mark.parametrize(
    "flags", [("advertising",), ("gibberish",), ("fake_signal",), ("advertising", "contacts")]
)
def test_spam_gets_a_low_ticket_that_needs_no_reply_whatever_its_stars_say(
    flags: tuple[ModerationFlag, ...],
) -> None:
    # Given spam with one star and an angry text (a spammer's stars and words)
    item = feedback_item(rating=1, label="negative", compound=-0.9, flags=flags)
    # When it is routed
    plan = plan_ticket(item, POLICY)
    assert plan is not None
    ticket = open_ticket(item, plan, NOW)
    # Then its reasons are its flags only, it is low, and it can be closed without a reply
    assert plan.reasons == tuple(f"moderation:{flag}" for flag in flags)
    assert ticket.priority == "low"
    assert ticket.reply_needed is False


def test_the_excerpt_is_the_items_masked_text_with_the_authors_name_masked() -> None:
    # Given an item whose masked text hid the author's name (score_feedback masks it from the fields)
    item = feedback_item(text="Снежана: вещь порвалась", rating=1, label="negative", compound=-0.7)
    item = item.model_copy(update={"text_masked": "[name]: вещь порвалась"})
    plan = plan_ticket(item, POLICY)
    assert plan is not None
    # Then the ticket's excerpt is made from it, not from the raw text
    assert open_ticket(item, plan, NOW).excerpt == "[name]: вещь порвалась"
