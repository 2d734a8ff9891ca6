"""Rules in the configuration document: the defaults as data, the sample spelling them out and adding one,
and every bad rule refused by its path."""

from __future__ import annotations

import pytest

from otklik.domain.config import DEFAULT_CONFIG, ConfigInvalid, parse_config
from otklik.domain.models import Topic
from otklik.domain.routing import RoutingPolicy, default_rule_set, plan_ticket
from otklik.domain.rules.defaults import default_rules
from tests.conftest import ROOT
from tests.unit.samples import feedback_item

SAMPLE = ROOT / "infra" / "config" / "otklik.yaml"
LOGISTICS = """
teams: [{name: support}, {name: logistics}]
rules:
  - name: delivery-to-logistics
    when:
      topic: {topic: delivery, polarity: negative}
    then: {team: logistics, tags: [delivery]}
"""


def refused(document: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as refusal:
        parse_config(document)
    return refusal.value.problems


def with_rule(rule: str, more: str = "") -> str:
    """A document whose rules are this one rule (YAML flow mapping), and more settings."""
    return f"{more}rules:\n  - {rule}\n"


# ------------------------------------------------------------------ the defaults


def test_a_document_without_rules_gets_the_default_rules_spelt_out() -> None:
    assert [rule.name for rule in DEFAULT_CONFIG.rules] == [
        "spam",
        "question",
        "chat",
        "complaint",
        "negative-tonality",
        "low-rating",
        "rating-text-conflict",
        "moderation",
        "strongly-negative",
        "positive-question",
        "escalated-tier",
    ]


def test_the_sample_spells_out_the_default_rules_then_adds_its_own() -> None:
    sample = parse_config(SAMPLE.read_bytes())

    # The default rules as they are, then the sample's one addition: delivery complaints to logistics
    assert sample.rules[:-1] == DEFAULT_CONFIG.rules == default_rule_set(RoutingPolicy())
    added = sample.rules[-1]
    assert added == parse_config(LOGISTICS).rules[0]
    assert (added.name, added.when, added.then.team, added.then.tags) == (
        "delivery-to-logistics",
        {"topic": {"topic": "delivery", "polarity": "negative"}},
        "logistics",
        ("delivery",),
    )


def test_the_routing_thresholds_shape_the_default_rules_of_a_document_without_rules() -> None:
    config = parse_config("routing:\n  low_rating_max: 3\n  escalated_tiers: []\n")

    low = next(rule for rule in config.rules if rule.name == "low-rating")
    assert low.when == {"rating": {"lte": 3}}
    assert "escalated-tier" not in [rule.name for rule in config.rules]
    assert plan_ticket(feedback_item(rating=3), config.routing, config.rules) is not None


def test_the_defaults_are_data_a_seller_can_read() -> None:
    documents = default_rules(2, -0.6, ("vip",))

    assert documents[0] == {
        "name": "spam",
        "when": {"flag": ["advertising", "gibberish", "fake_signal"]},
        "then": {"reason": "moderation:{flag}", "priority": "low", "reply_needed": False},
        "stop": True,
    }
    assert documents[-1] == {
        "name": "escalated-tier",
        "when": {"customer_tier": ["vip"]},
        "then": {"raise": 1},
    }


LATE = feedback_item(kind="complaint", text="Курьер опоздал").model_copy(
    update={
        "topics": (Topic(topic="delivery", polarity="negative", evidence="Курьер опоздал", start=0, end=14),)
    }
)


def test_rules_of_a_documents_own_replace_the_defaults() -> None:
    # Given a document whose only rule routes delivery complaints, and gives no reason for a ticket
    config = parse_config(LOGISTICS)

    # Then a complaint opens none: only the document's rules decide, and none of them gives a reason
    assert plan_ticket(LATE, config.routing, config.rules) is None


def test_the_samples_logistics_rule_comes_after_the_defaults() -> None:
    # Given the sample, whose last rule sends delivery complaints to its logistics team
    config = parse_config(SAMPLE.read_bytes())

    # When a complaint about a late courier is routed
    plan = plan_ticket(LATE, config.routing, config.rules)

    # Then the defaults open its ticket and the sample's rule sends it to logistics, tagged
    assert plan is not None
    assert (plan.team, plan.tags, plan.reasons) == ("logistics", ("delivery",), ("complaint",))
    assert [match.name for match in plan.matched_rules] == ["complaint", "delivery-to-logistics"]


# ------------------------------------------------------------------ each mistake, by its path


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            with_rule("{name: a, when: {topic: deliverry}, then: {tags: [x]}}"),
            "rules[0].when.topic: unknown topic 'deliverry'; topics are quality",
        ),
        (
            with_rule("{name: a, when: {topic: {topic: deliverry, polarity: negative}}, then: {tags: [x]}}"),
            "rules[0].when.topic.topic: unknown topic 'deliverry'",
        ),
        (
            with_rule(
                "{name: a, when: {any: [{kind: review}, {not: {topic: deliverry}}]}, then: {tags: [x]}}"
            ),
            "rules[0].when.any[1].not.topic: unknown topic 'deliverry'",
        ),
        (
            with_rule("{name: a, then: {team: logistic}}"),
            "rules[0].then.team: unknown team 'logistic'; teams are support",
        ),
        (
            with_rule("{name: a, then: {sla_policy: fast}}"),
            "rules[0].then.sla_policy: unknown policy 'fast'; policies are standard",
        ),
        (
            with_rule("{name: a, when: {rating: {lt3: 2}}, then: {tags: [x]}}"),
            "rules[0].when.rating.lt3: unknown operator 'lt3'; operators are eq, in, lt, lte, gt, gte,"
            " between",
        ),
        (
            with_rule("{name: a, when: {compound: {eq: 0}}, then: {tags: [x]}}"),
            "rules[0].when.compound.eq: unknown operator 'eq'; operators are lt, lte, gt, gte, between",
        ),
        (
            with_rule("{name: a, when: {rating: {between: [4, 2]}}, then: {tags: [x]}}"),
            "rules[0].when.rating.between: runs backwards: give [low, high]",
        ),
        (
            with_rule("{name: a, when: {rating: 7}, then: {tags: [x]}}"),
            "rules[0].when.rating.eq: must be from 0 to 5",
        ),
        (
            with_rule("{name: a, when: {flag: [contacts, adverts]}, then: {tags: [x]}}"),
            "rules[0].when.flag[1]: unknown flag 'adverts'; flags are advertising, contacts, profanity,"
            " insult, gibberish, fake_signal",
        ),
        (
            with_rule("{name: a, when: {kind: rant}, then: {tags: [x]}}"),
            "rules[0].when.kind: unknown kind 'rant'; kinds are review, question, chat, complaint, survey",
        ),
        (
            with_rule("{name: a, when: {colour: red}, then: {tags: [x]}}"),
            "rules[0].when.colour: unknown condition; conditions are source, account, kind, rating, tonality,"
            " compound, rating_text_conflict, topic, flag, product, customer_tier, text, lang,"
            " repeat_contact, all, any, not",
        ),
        (
            with_rule("{name: a, when: {text: {regex: '(a+)\\1'}}, then: {tags: [x]}}"),
            "rules[0].when.text.regex: not a supported pattern: backreferences (\\1) are not supported"
            " (at character 5)",
        ),
        (
            with_rule("{name: a, when: {text: {regex: '(?<=a)b'}}, then: {tags: [x]}}"),
            "rules[0].when.text.regex: not a supported pattern: only plain groups (…) and (?:…) are"
            " supported: no lookarounds, names or flags (at character 1)",
        ),
        (
            with_rule("{name: a, when: {text: {regex: '.*'}}, then: {tags: [x]}}"),
            "rules[0].when.text.regex: not a supported pattern: the pattern matches an empty text,"
            " so it would hold for every item",
        ),
        (
            with_rule("{name: a, when: {text: {like: курьер}}, then: {tags: [x]}}"),
            "rules[0].when.text.like: unknown setting; a text condition has contains and regex",
        ),
        (
            with_rule("{name: a, when: {all: []}, then: {tags: [x]}}"),
            "rules[0].when.all: must be a non-empty list of conditions (all: [{...}, {...}])",
        ),
        (
            with_rule("{name: a, when: {repeat_contact: yes please}, then: {tags: [x]}}"),
            "rules[0].when.repeat_contact: must be true or false (repeat_contact: true holds when it is so)",
        ),
        (
            with_rule("{name: a, when: [kind, review], then: {tags: [x]}}"),
            "rules[0].when: Input should be a valid dictionary",
        ),
        (with_rule("{when: {kind: review}, then: {tags: [x]}}"), "rules[0].name: required"),
        (
            with_rule("{name: a, then: {priority: asap}}"),
            "rules[0].then.priority: Input should be 'urgent', 'high', 'normal' or 'low'",
        ),
        (
            with_rule("{name: a, then: {priority: high, raise: 1}}"),
            "rules[0].then: give priority, or raise/lower, not both",
        ),
        (
            with_rule("{name: a, then: {raise: 4}}"),
            "rules[0].then.raise: Input should be less than or equal to 3",
        ),
        (
            with_rule("{name: a, then: {assign: round_robin, assignee: anna}}"),
            "rules[0].then: give assignee or assign: round_robin, not both",
        ),
        (with_rule("{name: a, then: {assign: anna}}"), "rules[0].then.assign: Input should be 'round_robin'"),
        (
            with_rule("{name: a, then: {suppress: true, reason: x}}"),
            "rules[0].then: a rule that suppresses the ticket gives it no reason",
        ),
        (
            with_rule("{name: a, then: {notify: [Team Leads]}}"),
            "rules[0].then.notify[0]: String should match pattern '^[a-z0-9][a-z0-9_-]{0,39}$'",
        ),
        (
            with_rule("{name: a, when: {kind: review}}"),
            "rules[0]: the rule does nothing: give it an action under then, or stop: true",
        ),
        (with_rule("{name: a, then: {colour: red}}"), "rules[0].then.colour: unknown setting"),
        (
            "rules:\n  - {name: a, then: {tags: [x]}}\n  - {name: a, then: {tags: [y]}}\n",
            "rules[1].name: rule 'a' is defined twice",
        ),
        (
            with_rule("{name: a, then: {tags: [x]}}", "routing:\n  low_rating_max: 3\n"),
            "routing.low_rating_max: shapes only the default rules, and this document has rules of its own;"
            " say it in a rule's when (e.g. rating: {lte: 2}) and leave this out",
        ),
    ],
    ids=[
        "unknown-topic",
        "unknown-topic-with-polarity",
        "unknown-topic-nested",
        "unknown-team",
        "unknown-sla-policy",
        "unknown-operator",
        "operator-compound-lacks",
        "between-backwards",
        "rating-out-of-range",
        "unknown-flag",
        "unknown-kind",
        "unknown-condition",
        "regex-backreference",
        "regex-lookbehind",
        "regex-matching-everything",
        "text-unknown-setting",
        "all-empty",
        "not-a-boolean",
        "when-not-a-mapping",
        "rule-without-name",
        "unknown-priority",
        "priority-and-raise",
        "raise-too-far",
        "assignee-and-round-robin",
        "assign-unknown",
        "suppress-with-reason",
        "bad-subscription-name",
        "rule-doing-nothing",
        "unknown-action",
        "rule-twice",
        "threshold-beside-rules",
    ],
)
def test_a_bad_rule_is_refused_with_its_path(document: str, problem: str) -> None:
    problems = refused(document)

    assert any(found.startswith(problem) for found in problems), problems


def test_every_problem_of_every_rule_is_reported_at_once() -> None:
    problems = refused(
        "rules:\n"
        "  - {name: a, when: {rating: {lt3: 2}, flag: adverts}, then: {tags: [x]}}\n"
        "  - {name: b, when: {topic: deliverry}, then: {team: logistic}}\n"
        "  - {name: c, when: {text: {regex: '(?=x)'}}, then: {priority: asap}}\n"
    )

    assert sorted(problem.split(":")[0] for problem in problems) == [
        "rules[0].when.flag",
        "rules[0].when.rating.lt3",
        "rules[1].then.team",
        "rules[1].when.topic",
        "rules[2].then.priority",
        "rules[2].when.text.regex",
    ]


def test_a_regex_that_would_backtrack_is_refused_and_a_plain_one_accepted() -> None:
    assert refused(with_rule("{name: a, when: {text: {regex: '(a|b)*a(a|b){20}'}}, then: {tags: [x]}}"))[
        0
    ].startswith("rules[0].when.text.regex: not a supported pattern: the pattern is too complex")
    config = parse_config(with_rule("{name: a, when: {text: {regex: '(\\w+)+!'}}, then: {tags: [x]}}"))
    assert config.rules[0].name == "a"


def test_rules_may_name_the_teams_policies_and_custom_topics_the_document_defines() -> None:
    config = parse_config(
        "teams: [{name: support}, {name: logistics}]\n"
        "topics:\n  custom: [{name: assembly, words: [сборка]}]\n"
        "rules:\n"
        "  - {name: a, when: {topic: assembly}, then: {team: logistics, sla_policy: standard}}\n"
    )

    assert config.rules[0].then.team == "logistics"


def test_an_empty_rules_list_opens_no_ticket_at_all() -> None:
    config = parse_config("rules: []\n")

    assert config.rules == ()
    assert plan_ticket(feedback_item(rating=1, label="negative"), config.routing, config.rules) is None


def test_a_document_that_expands_through_its_aliases_is_refused_before_it_is_walked() -> None:
    # Given a few lines whose aliases stand for a billion values ("a billion laughs")
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]

    assert refused("\n".join(levels) + "\n") == [
        "the document expands to over 200000 values through its aliases (*name)"
    ]
    assert refused("a: &a [*a]\n") == [
        "the document holds itself through an alias (*name inside its own &name)"
    ]


def test_aliases_within_reason_still_share_a_condition_between_rules() -> None:
    config = parse_config(
        "rules:\n"
        "  - {name: a, when: &late {topic: {topic: delivery, polarity: negative}}, then: {tags: [late]}}\n"
        "  - {name: b, when: {not: *late}, then: {tags: [on-time]}}\n"
    )

    assert config.rules[1].when == {"not": {"topic": {"topic": "delivery", "polarity": "negative"}}}


def test_a_dumped_document_reads_back_as_the_same_configuration() -> None:
    # `raise` is a Python keyword: the action is dumped by its name in the document, not its field's
    dumped = DEFAULT_CONFIG.model_dump(mode="json")

    assert dumped["rules"][-1]["then"]["raise"] == 1
    assert type(DEFAULT_CONFIG).model_validate(dumped) == DEFAULT_CONFIG
