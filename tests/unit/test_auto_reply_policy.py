"""The auto-reply policy: which items it holds for, what makes an item too risky to answer without a person,
and what the document refuses in `replies.auto_reply`."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from otklik.domain.config import ConfigInvalid, validate_config
from otklik.domain.models import (
    FeedbackItem,
    FeedbackKind,
    Moderation,
    ModerationFlag,
    Tonality,
    TonalityLabel,
    Topic,
    TopicPolarity,
)
from otklik.domain.replies.auto import AutoReplyPolicy, auto_reply_policy, risks
from otklik.domain.replies.settings import ReplySettings
from tests.unit.samples import feedback_item


def policy(**fields: Any) -> AutoReplyPolicy:
    document: dict[str, Any] = {"name": "five-stars", "marketplaces": ["wildberries"], "rating": {"min": 5}}
    return AutoReplyPolicy.model_validate({**document, **fields})


def topic(name: str, polarity: TopicPolarity) -> Topic:
    return Topic(topic=name, polarity=polarity, evidence=name, start=0, end=len(name))


def item(
    *,
    source: str = "wildberries",
    kind: FeedbackKind = "review",
    rating: int | None = 5,
    label: TonalityLabel = "positive",
    conflict: bool = False,
    topics: tuple[Topic, ...] = (),
    flags: tuple[ModerationFlag, ...] = (),
    answered: bool = False,
) -> FeedbackItem:
    base = feedback_item(text="Отличный рюкзак", source=source, kind=kind, rating=rating, label=label)
    return base.model_copy(
        update={
            "tonality": Tonality(
                label=label, compound=0.8, lang="ru", engine="test", rating_text_conflict=conflict
            ),
            "topics": topics,
            "moderation": Moderation(flags=flags),
            "answered": answered,
        }
    )


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "fields",
    [
        {"marketplaces": []},
        {"marketplaces": ["avito"]},
        {"delay_minutes": -1},
        {"delay_minutes": 16},
        {"name": "Five Stars"},
        {"name": "-five"},
        {"kinds": []},
        {"rating": {"min": 5, "max": 4}},
    ],
    ids=[
        "no-marketplace",
        "unknown-marketplace",
        "negative-delay",
        "delay-over-sqs-limit",
        "name-with-capitals-and-space",
        "name-starting-with-dash",
        "no-kind",
        "band-upside-down",
    ],
)
def test_a_policy_the_document_cannot_keep_is_refused(fields: dict[str, Any]) -> None:
    # Given a policy with one setting out of bounds
    # When it is read / Then it is refused
    with pytest.raises(ValidationError):
        policy(**fields)


def test_a_policy_without_marketplaces_is_refused() -> None:
    # Given a policy that names no marketplaces at all
    # When it is read / Then marketplaces are required
    with pytest.raises(ValidationError, match="marketplaces"):
        AutoReplyPolicy.model_validate({"name": "five-stars", "rating": {"min": 5}})


@pytest.mark.parametrize("minutes", [0, 15])
def test_a_delay_from_none_to_fifteen_minutes_is_kept(minutes: int) -> None:
    # Given a policy at either end of SQS's delivery delay
    # When it is read
    read = policy(delay_minutes=minutes)
    # Then the delay is kept as given
    assert read.delay_minutes == minutes


def test_a_policy_answers_reviews_after_no_delay_unless_told() -> None:
    # Given a policy that says neither kinds nor delay
    read = policy()
    # Then it answers reviews, at once, approved in its own name
    assert read.kinds == ("review",)
    assert read.delay_minutes == 0
    assert read.approver() == "auto:five-stars"


def test_two_policies_of_one_name_are_refused() -> None:
    # Given two policies named alike
    twice = [
        {"name": "five-stars", "marketplaces": ["wildberries"], "rating": {"min": 5}},
        {"name": "five-stars", "marketplaces": ["ozon"], "rating": {"min": 5}},
    ]
    # When the replies section is read / Then the second one is named as defined twice
    with pytest.raises(ValidationError, match=r"\[1\] 'five-stars' is defined twice"):
        ReplySettings.model_validate({"auto_reply": twice})


def test_a_policy_naming_an_unknown_template_is_refused_at_its_path() -> None:
    # Given a document whose auto-reply policy drafts from a template it does not define
    document = {
        "replies": {
            "auto_reply": [
                {
                    "name": "five-stars",
                    "marketplaces": ["wildberries"],
                    "rating": {"min": 5},
                    "template": "no-such-template",
                }
            ]
        }
    }
    # When the document is validated
    with pytest.raises(ConfigInvalid) as refused:
        validate_config(document)
    # Then the problem names the policy's template by its path, and the unknown name
    problems = [p for p in refused.value.problems if p.startswith("replies.auto_reply[0].template:")]
    assert len(problems) == 1
    assert "'no-such-template'" in problems[0]


def test_a_policy_naming_a_defined_template_is_kept() -> None:
    # Given a document whose policy names one of the built-in templates
    document = {
        "replies": {
            "auto_reply": [
                {
                    "name": "five-stars",
                    "marketplaces": ["wildberries"],
                    "rating": {"min": 5},
                    "template": "thanks",
                }
            ]
        }
    }
    # When the document is validated
    config = validate_config(document)
    # Then the policy is in force with its template
    assert [(p.name, p.template) for p in config.replies.auto_reply] == [("five-stars", "thanks")]


# ---------------------------------------------------------------- holds


def test_a_policy_holds_for_an_item_of_its_marketplace_kind_and_stars() -> None:
    # Given a policy for four- and five-star Wildberries and Ozon reviews and questions
    wide = policy(marketplaces=["wildberries", "ozon"], kinds=["review", "question"], rating={"min": 4})
    # Then it holds for each combination inside the band
    assert wide.holds(item(source="wildberries", rating=5))
    assert wide.holds(item(source="ozon", rating=4))
    assert wide.holds(item(source="ozon", kind="question", rating=4))


@pytest.mark.parametrize(
    ("other", "why"),
    [
        ({"source": "ozon"}, "another marketplace"),
        ({"source": "custom"}, "the seller's own channel"),
        ({"kind": "question"}, "another kind"),
        ({"rating": 4}, "below the band"),
    ],
    ids=["marketplace", "own-channel", "kind", "stars"],
)
def test_a_policy_does_not_hold_outside_its_marketplaces_kinds_or_stars(
    other: dict[str, Any], why: str
) -> None:
    # Given a policy for five-star Wildberries reviews
    five = policy()
    # When the item differs in one way only
    # Then it does not hold
    assert five.holds(item()), "the item as it is must hold, or the test says nothing"
    assert not five.holds(item(**other)), why


def test_a_band_with_a_ceiling_refuses_stars_above_it() -> None:
    # Given a policy for reviews of three or four stars
    middle = policy(rating={"min": 3, "max": 4})
    # Then five stars are above it, three and four inside
    assert [middle.holds(item(rating=stars)) for stars in (2, 3, 4, 5)] == [False, True, True, False]


@pytest.mark.parametrize("band", [{}, {"min": 1}, {"max": 5}])
def test_an_item_without_stars_is_never_answered_automatically(band: dict[str, int]) -> None:
    # Given a policy whose band would take any stars at all
    any_stars = policy(rating=band)
    # When the item has no stars
    # Then the policy does not hold for it (though it does for a one-star one)
    assert any_stars.holds(item(rating=1))
    assert not any_stars.holds(item(rating=None))


# ---------------------------------------------------------------- risks


def test_a_clean_five_star_positive_review_has_no_risk() -> None:
    # Given a five-star review, positive, with a positive topic, no flags, not answered yet
    clean = item(topics=(topic("quality", "positive"), topic("delivery", "neutral")))
    # Then nothing stands in the way of an automatic reply
    assert risks(clean) == ()


@pytest.mark.parametrize(
    ("risky", "reason"),
    [
        (item(answered=True), "already answered on the platform"),
        (item(label="negative"), "negative tonality"),
        (item(conflict=True), "the text disagrees with the stars"),
        (
            item(
                topics=(
                    topic("quality", "negative"),
                    topic("delivery", "negative"),
                    topic("quality", "negative"),
                )
            ),
            "negative topics: delivery, quality",
        ),
        (item(flags=("contacts", "insult")), "moderation flags: contacts, insult"),
    ],
    ids=["answered", "negative-tonality", "rating-text-conflict", "negative-topics", "moderation-flags"],
)
def test_each_risk_is_told_in_its_own_words(risky: FeedbackItem, reason: str) -> None:
    # Given an item with exactly one thing that needs a person
    # When its risks are told
    # Then that one reason is given, naming what was found
    assert risks(risky) == (reason,)


def test_a_neutral_tonality_and_positive_topics_are_no_risk_but_a_negative_topic_among_them_is() -> None:
    # Given a neutral review praising one thing and blaming another
    mixed = item(label="neutral", topics=(topic("quality", "positive"), topic("packaging", "negative")))
    # Then only the blamed topic is a risk
    assert risks(mixed) == ("negative topics: packaging",)


def test_every_risk_of_an_item_is_told_together() -> None:
    # Given an item that is risky in every way at once
    worst = item(
        answered=True,
        label="negative",
        conflict=True,
        topics=(topic("delivery", "negative"),),
        flags=("profanity",),
    )
    # Then each reason is told, none hides another
    assert risks(worst) == (
        "already answered on the platform",
        "negative tonality",
        "the text disagrees with the stars",
        "negative topics: delivery",
        "moderation flags: profanity",
    )


# ---------------------------------------------------------------- which policy


def test_the_first_policy_that_holds_applies() -> None:
    # Given three policies: Ozon only, then any four or five stars, then five stars
    ozon = policy(name="ozon-only", marketplaces=["ozon"])
    four_up = policy(name="four-up", marketplaces=["wildberries", "ozon"], rating={"min": 4}, delay_minutes=5)
    five = policy(name="five", marketplaces=["wildberries"], rating={"min": 5})
    # When a five-star Wildberries review comes (which the second and the third both hold for)
    chosen = auto_reply_policy(item(), (ozon, four_up, five))
    # Then the second, the first in order that holds, applies
    assert chosen is four_up


def test_no_policy_applies_when_none_holds() -> None:
    # Given policies for Ozon only
    ozon = policy(name="ozon-only", marketplaces=["ozon"])
    # Then a Wildberries review, and anything without policies, waits for a person
    assert auto_reply_policy(item(), (ozon,)) is None
    assert auto_reply_policy(item(), ()) is None


def test_a_policy_applies_whatever_the_risk_so_the_refusal_can_be_explained() -> None:
    # Given a policy for five-star Wildberries reviews, and a risky one among them
    five = policy()
    risky = item(label="negative")
    # When the policy is looked for
    # Then it still applies (risks() is what refuses, with its reasons)
    assert auto_reply_policy(risky, (five,)) is five
    assert risks(risky) == ("negative tonality",)
