"""The rules engine: every condition, all/any/not, first match or continue, each action, and the whys."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from otklik.domain.models import (
    Author,
    FeedbackItem,
    Moderation,
    ModerationReason,
    ProductRef,
    Topic,
)
from otklik.domain.rules.engine import Decision, decide
from otklik.domain.rules.schema import Rule
from tests.unit.samples import feedback_item

TEXT = "Курьер опоздал на два дня, коробка мятая. Звоните +7 912 345-67-89"


def rules(document: str) -> list[Rule]:
    """Rules as a document's `rules:` section writes them."""
    return [Rule.model_validate(rule) for rule in yaml.safe_load(document)]


def item(**changes: Any) -> FeedbackItem:
    """A one-star negative review about a late courier, from Wildberries, with whatever changes given."""
    base = feedback_item(text=TEXT, rating=1, label="negative", compound=-0.8, source="wildberries")
    start = TEXT.index("Курьер опоздал")
    topics = (
        Topic(topic="delivery", polarity="negative", evidence="Курьер опоздал", start=start, end=start + 14),
    )
    return base.model_copy(update={"topics": topics, **changes})


def run(document: str, subject: FeedbackItem | None = None, **options: Any) -> Decision:
    return decide(subject or item(), rules(document), team="support", **options)


def matches(document: str, subject: FeedbackItem | None = None, **options: Any) -> bool:
    """Whether a single rule `when: <document>` matches the subject."""
    decision = run(f"- name: probe\n  when: {document}\n  then: {{tags: [hit]}}\n", subject, **options)
    return decision.tags == ("hit",)


def why(document: str, subject: FeedbackItem | None = None, **options: Any) -> tuple[str, ...]:
    decision = run(f"- name: probe\n  when: {document}\n  then: {{tags: [hit]}}\n", subject, **options)
    (match,) = decision.matched
    return match.why


# ------------------------------------------------------------------ each condition


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("{source: wildberries}", True),
        ("{source: [ozon, wildberries]}", True),
        ("{source: ozon}", False),
        ("{account: default}", True),
        ("{account: [shop-2]}", False),
        ("{kind: review}", True),
        ("{kind: [question, chat]}", False),
        ("{lang: ru}", True),
        ("{lang: en}", False),
        ("{tonality: negative}", True),
        ("{tonality: [neutral, positive]}", False),
    ],
)
def test_a_value_condition_holds_when_the_item_has_one_of_its_values(condition: str, held: bool) -> None:
    assert matches(condition) is held


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("{rating: 1}", True),
        ("{rating: {eq: 2}}", False),
        ("{rating: [1, 2]}", True),
        ("{rating: {in: [4, 5]}}", False),
        ("{rating: {lte: 2}}", True),
        ("{rating: {lte: 0}}", False),
        ("{rating: {lt: 1}}", False),
        ("{rating: {gte: 1}}", True),
        ("{rating: {gt: 1}}", False),
        ("{rating: {between: [1, 3]}}", True),
        ("{rating: {between: [2, 5]}}", False),
        ("{rating: {gte: 1, lte: 2}}", True),
        ("{rating: {gte: 2, lte: 5}}", False),
        ("{compound: {lte: -0.6}}", True),
        ("{compound: {lt: -0.8}}", False),
        ("{compound: {gt: -0.9}}", True),
        ("{compound: {gte: 0}}", False),
        ("{compound: {between: [-1, -0.5]}}", True),
    ],
)
def test_a_number_condition_compares_the_rating_or_compound(condition: str, held: bool) -> None:
    # Given one star and a compound of -0.8
    assert matches(condition) is held


def test_an_item_without_stars_meets_no_rating_comparison() -> None:
    unrated = item(rating=None)

    assert not matches("{rating: {lte: 5}}", unrated)
    assert matches("{not: {rating: {gte: 1}}}", unrated)
    assert why("{not: {rating: {lte: 2}}}", unrated) == ("no rating, so not <= 2",)


def test_the_rating_text_conflict_condition_reads_tonalitys_flag() -> None:
    conflicted = item(
        rating=5,
        tonality=item().tonality.model_copy(update={"rating_text_conflict": True, "text_compound": -0.7}),
    )

    assert matches("{rating_text_conflict: true}", conflicted)
    assert not matches("{rating_text_conflict: true}")
    assert matches("{rating_text_conflict: false}")
    assert why("{rating_text_conflict: true}", conflicted) == (
        "the stars (5) and the text (compound -0.7) disagree",
    )


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("{topic: delivery}", True),
        ("{topic: {topic: delivery, polarity: negative}}", True),
        ("{topic: {topic: delivery, polarity: positive}}", False),
        ("{topic: {topic: delivery, polarity: [neutral, positive]}}", False),
        ("{topic: [quality, delivery]}", True),
        ("{topic: [quality, {topic: delivery, polarity: negative}]}", True),
        ("{topic: packaging}", False),
    ],
)
def test_a_topic_condition_reads_the_items_topics_with_their_polarity(condition: str, held: bool) -> None:
    assert matches(condition) is held


def test_a_topics_why_quotes_its_evidence() -> None:
    assert why("{topic: {topic: delivery, polarity: negative}}") == (
        "topic delivery negative: 'Курьер опоздал'",
    )


def test_a_topic_that_does_not_hold_says_which_topics_the_item_has() -> None:
    decision = run(
        "- name: probe\n  when: {not: {topic: {topic: delivery, polarity: positive}}}\n  then: {tags: [x]}\n"
    )

    assert decision.matched[0].why == ("no topic delivery positive (topics: delivery negative)",)


def test_a_flag_condition_reads_moderation_and_quotes_the_span_masked() -> None:
    flagged = item(
        moderation=Moderation(
            flags=("contacts",),
            reasons=(
                ModerationReason(flag="contacts", text="+7 912 345-67-89", start=50, end=66, why="phone"),
            ),
        )
    )

    assert matches("{flag: [advertising, contacts]}", flagged)
    assert not matches("{flag: insult}", flagged)
    assert not matches("{flag: contacts}")
    # The why names the flag; the phone number itself never reaches a ticket
    assert why("{flag: contacts}", flagged) == ("flag contacts: '[phone]'",)


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("{product: {id: nm-1}}", True),
        ("{product: {id: [nm-2, nm-3]}}", False),
        ("{product: {sku: BP-01}}", True),
        ("{product: {name_contains: рюкзак}}", True),
        ("{product: {name_contains: [сумка, кошелёк]}}", False),
        ("{product: {id: nm-1, sku: OTHER}}", False),
    ],
)
def test_a_product_condition_reads_its_id_sku_and_name(condition: str, held: bool) -> None:
    with_product = item(product=ProductRef(id="nm-1", sku="BP-01", name="Городской Рюкзак 20 л"))

    assert matches(condition, with_product) is held


def test_an_item_without_a_product_meets_no_product_condition() -> None:
    assert not matches("{product: {id: nm-1}}")
    assert not matches("{product: {name_contains: рюкзак}}")


@pytest.mark.parametrize(
    ("tier", "held"), [("vip", True), ("VIP", True), ("Gold", True), ("regular", False), (None, False)]
)
def test_a_customer_tier_condition_ignores_case(tier: str | None, held: bool) -> None:
    author = Author(id="c-1", tier=tier) if tier is not None else None

    assert matches("{customer_tier: [vip, gold]}", item(author=author)) is held


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("{text: {contains: курьер}}", True),  # whatever the case
        ("{text: {contains: [возврат, коробка]}}", True),
        ("{text: {contains: возврат}}", False),
        ("{text: {regex: 'опозда\\w+ на \\w+ дн'}}", True),
        ("{text: {regex: '^курьер'}}", True),
        ("{text: {regex: 'курьер$'}}", False),
        ("{text: {contains: курьер, regex: 'мят(ая|ый)'}}", True),
        ("{text: {contains: курьер, regex: 'порвал'}}", False),
    ],
)
def test_a_text_condition_finds_words_or_a_pattern(condition: str, held: bool) -> None:
    assert matches(condition) is held


def test_a_text_condition_reads_the_pros_and_cons_too() -> None:
    with_cons = item(text="Нормально", cons="Курьер нахамил")

    assert matches("{text: {contains: нахамил}}", with_cons)


def test_a_patterns_why_quotes_the_match_masked() -> None:
    assert why("{text: {regex: 'опозда\\w*'}}") == ("text matches /опозда\\w*/: 'опоздал'",)
    assert why("{text: {regex: '\\+7[0-9 -]+'}}") == ("text matches /\\+7[0-9 -]+/: '[phone]'",)
    assert why("{text: {contains: КОРОБКА}}") == ("text contains 'КОРОБКА'",)


@pytest.mark.parametrize(
    ("repeat", "condition", "held"), [(True, "true", True), (False, "true", False), (False, "false", True)]
)
def test_repeat_contact_is_what_the_caller_found(repeat: bool, condition: str, held: bool) -> None:
    assert matches(f"{{repeat_contact: {condition}}}", repeat_contact=repeat) is held


def test_an_empty_when_matches_every_item() -> None:
    decision = run("- name: everything\n  then: {tags: [seen]}\n")

    assert decision.tags == ("seen",)
    assert decision.matched[0].why == ("always",)


# ------------------------------------------------------------------ all, any, not


def test_several_conditions_in_one_mapping_must_all_hold() -> None:
    assert matches("{kind: review, rating: 1, topic: delivery}")
    assert not matches("{kind: review, rating: 2}")


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("{all: [{kind: review}, {rating: 1}]}", True),
        ("{all: [{kind: review}, {rating: 5}]}", False),
        ("{any: [{rating: 5}, {topic: delivery}]}", True),
        ("{any: [{rating: 5}, {kind: question}]}", False),
        ("{not: {kind: question}}", True),
        ("{not: {kind: review}}", False),
        ("{all: [{any: [{rating: 5}, {tonality: negative}]}, {not: {source: ozon}}]}", True),
    ],
)
def test_all_any_and_not_combine_conditions(condition: str, held: bool) -> None:
    assert matches(condition) is held


def test_the_why_of_a_match_lists_each_condition_with_the_items_value() -> None:
    # Given a rule that holds by its kind, its stars, a topic, and not being a question
    held = why("{kind: [review, complaint], rating: {lte: 2}, topic: delivery, not: {kind: question}}")

    assert held == (
        "kind review, one of review, complaint",
        "rating 1 <= 2",
        "topic delivery negative: 'Курьер опоздал'",
        "kind review, not question",
    )


def test_the_why_of_any_is_the_condition_that_held() -> None:
    assert why("{any: [{rating: 5}, {compound: {lte: -0.6}}]}") == ("compound -0.8 <= -0.6",)


# ------------------------------------------------------------------ order: first match or continue


ORDERED = """
- name: delivery
  when: {topic: delivery}
  then: {team: logistics, reason: delivery}
  stop: {stop}
- name: one-star
  when: {rating: 1}
  then: {priority: high, reason: low_rating}
"""


def test_rules_continue_by_default_and_every_match_is_recorded_in_order() -> None:
    decision = run(ORDERED.replace("{stop}", "false"))

    assert [match.name for match in decision.matched] == ["delivery", "one-star"]
    assert (decision.team, decision.priority, decision.reasons) == (
        "logistics",
        "high",
        ("delivery", "low_rating"),
    )


def test_a_rule_with_stop_ends_the_look_once_it_matched() -> None:
    decision = run(ORDERED.replace("{stop}", "true"))

    assert [match.name for match in decision.matched] == ["delivery"]
    assert (decision.team, decision.priority, decision.reasons) == ("logistics", "normal", ("delivery",))


def test_a_stop_rule_that_does_not_match_stops_nothing() -> None:
    decision = run(ORDERED.replace("{stop}", "true"), item(topics=()))

    assert [match.name for match in decision.matched] == ["one-star"]


def test_a_later_match_wins_a_single_value_and_adds_to_the_lists() -> None:
    decision = run(
        """
- name: a
  then: {team: logistics, tags: [delivery], notify: [leads], sla_policy: fast, draft_template: sorry}
- name: b
  then: {team: quality, tags: [delivery, late], notify: [heads], draft_template: late}
"""
    )

    assert decision.team == "quality"
    assert decision.tags == ("delivery", "late")
    assert decision.notify == ("leads", "heads")
    assert decision.sla_policy == "fast"
    assert decision.draft_template == "late"


# ------------------------------------------------------------------ actions


@pytest.mark.parametrize(
    ("actions", "priority"),
    [
        ("{priority: urgent}", "urgent"),
        ("{priority: low}", "low"),
        ("{raise: 1}", "high"),
        ("{raise: 3}", "urgent"),  # never past the top
        ("{lower: 1}", "low"),
        ("{lower: 2}", "low"),  # never below the bottom
    ],
)
def test_priority_is_set_or_moved_a_step_at_a_time(actions: str, priority: str) -> None:
    # Given a ticket that starts at normal
    decision = run(f"- name: p\n  then: {actions}\n")

    assert decision.priority == priority


def test_raise_moves_from_where_the_earlier_rules_left_the_priority() -> None:
    decision = run("- {name: a, then: {priority: high}}\n- {name: b, then: {raise: 1}}\n")

    assert decision.priority == "urgent"


def test_a_reason_opens_a_ticket_and_without_one_no_ticket_opens() -> None:
    assert run("- {name: a, then: {reason: delivery}}\n").opens_ticket
    assert not run("- {name: a, then: {team: logistics}}\n").opens_ticket


def test_suppress_closes_the_ticket_whatever_the_reasons_say() -> None:
    decision = run(
        "- {name: reasons, then: {reason: low_rating}}\n"
        "- {name: test-account, when: {account: default}, then: {suppress: true}}\n"
    )

    assert decision.reasons == ("low_rating",)
    assert decision.suppressed
    assert not decision.opens_ticket


def test_round_robin_is_a_wish_on_the_decision_and_an_assignee_replaces_it() -> None:
    wish = run("- {name: a, then: {reason: x, assign: round_robin}}\n")
    named = run("- {name: a, then: {reason: x, assign: round_robin}}\n- {name: b, then: {assignee: anna}}\n")

    assert (wish.round_robin, wish.assignee) == (True, None)
    assert (named.round_robin, named.assignee) == (False, "anna")


def test_a_flag_reason_gives_one_reason_per_moderation_flag_of_the_item() -> None:
    flagged = item(moderation=Moderation(flags=("advertising", "contacts")))

    decision = run("- {name: spam, then: {reason: 'moderation:{flag}', reply_needed: false}}\n", flagged)

    assert decision.reasons == ("moderation:advertising", "moderation:contacts")
    assert decision.reply_needed is False


def test_a_decision_starts_in_the_given_team_at_normal_with_nothing_matched() -> None:
    decision = decide(item(), [], team="support")

    assert decision == Decision(team="support")
    assert not decision.opens_ticket
