"""The configuration document: the sample is the defaults but for its logistics team and rule and its
auto-reply policy, and every mistake is refused by its path."""

from __future__ import annotations

import pytest

from otklik.domain.config import DEFAULT_CONFIG, ConfigInvalid, parse_config
from otklik.domain.models import FeedbackKind, Ticket, Topic
from otklik.domain.notifications import sla_breached, ticket_opened
from otklik.domain.routing import open_ticket, plan_ticket
from tests.conftest import ROOT
from tests.unit.samples import NOW, feedback_item

SAMPLE = ROOT / "infra" / "config" / "otklik.yaml"


def refused(document: str | bytes) -> list[str]:
    """The problems parse_config names for document (the test fails if it is accepted)."""
    with pytest.raises(ConfigInvalid) as refusal:
        parse_config(document)
    return refusal.value.problems


def ticket(kind: FeedbackKind = "review", rating: int | None = 1) -> Ticket:
    item = feedback_item(kind=kind, rating=rating, label="negative", compound=-0.9)
    plan = plan_ticket(item, DEFAULT_CONFIG.routing)
    assert plan is not None
    return open_ticket(item, plan, NOW)


# ------------------------------------------------------------------ what a valid document means


def test_the_sample_file_is_valid_and_spells_out_the_defaults_but_its_teams_and_rules() -> None:
    sample = parse_config(SAMPLE.read_bytes())
    replies = sample.replies.model_copy(update={"auto_reply": DEFAULT_CONFIG.replies.auto_reply})

    # Every other setting is the default, spelt out
    assert (
        sample.model_copy(
            update={
                "teams": DEFAULT_CONFIG.teams,
                "rules": DEFAULT_CONFIG.rules,
                "replies": replies,
                # Who is told what, where: the sample's own people and channels.
                "channels": DEFAULT_CONFIG.channels,
                "recipients": DEFAULT_CONFIG.recipients,
                "subscriptions": DEFAULT_CONFIG.subscriptions,
            }
        )
        == DEFAULT_CONFIG
    )
    # And it answers five-star reviews on Wildberries and Ozon by itself (replies.auto_reply)
    assert [(p.name, p.marketplaces, p.rating.min) for p in sample.replies.auto_reply] == [
        ("five-stars", ("wildberries", "ozon"), 5)
    ]
    # And the sample's own additions are one team and one rule after the default rules
    assert [team.name for team in sample.teams] == ["support", "logistics"]
    assert sample.rules[:-1] == DEFAULT_CONFIG.rules
    assert sample.rules[-1].name == "delivery-to-logistics"


def test_the_sample_sends_a_negative_delivery_complaint_to_logistics_tagged() -> None:
    # Given the sample document, and a complaint whose text is negative about the delivery
    config = parse_config(SAMPLE.read_bytes())
    late = feedback_item(kind="complaint", text="Курьер опоздал", label="negative", compound=-0.5).model_copy(
        update={
            "topics": (
                Topic(topic="delivery", polarity="negative", evidence="Курьер опоздал", start=0, end=14),
            )
        }
    )

    # When it is routed
    plan = plan_ticket(late, config.routing, config.rules)

    # Then its ticket goes to the logistics team, tagged delivery, for the default rules' reasons
    assert plan is not None
    assert (plan.team, plan.tags) == ("logistics", ("delivery",))
    assert plan.reasons == ("complaint", "negative_tonality")


def test_the_sample_leaves_a_complaint_about_something_else_with_support() -> None:
    # Given the sample document, and a negative complaint about the quality, not the delivery
    config = parse_config(SAMPLE.read_bytes())
    torn = feedback_item(kind="complaint", text="Порвался шов", label="negative", compound=-0.5).model_copy(
        update={"topics": (Topic(topic="quality", polarity="negative", evidence="Порвался", start=0, end=8),)}
    )

    # When it is routed
    plan = plan_ticket(torn, config.routing, config.rules)

    # Then it stays with the routing team, untagged
    assert plan is not None
    assert (plan.team, plan.tags) == ("support", ())


@pytest.mark.parametrize("document", ["", "# every setting left out\n", "---\n", "{}\n"])
def test_an_empty_document_means_every_default(document: str) -> None:
    assert parse_config(document) == DEFAULT_CONFIG


def test_a_setting_left_out_keeps_its_default_beside_the_ones_given() -> None:
    config = parse_config("routing:\n  low_rating_max: 1\n")

    assert config.routing.low_rating_max == 1
    assert config.routing.strongly_negative_compound == DEFAULT_CONFIG.routing.strongly_negative_compound
    assert config.sla == DEFAULT_CONFIG.sla
    assert config.routing.team == DEFAULT_CONFIG.routing.team
    assert config.teams == DEFAULT_CONFIG.teams
    assert config.notifications == DEFAULT_CONFIG.notifications


def test_yaml_anchors_and_merge_keys_can_share_text_between_templates() -> None:
    # Given one notification text written once and merged into both events, one title overridden
    config = parse_config(
        "notifications:\n"
        "  templates:\n"
        "    ticket_opened: &opened\n"
        "      title: 'Новый тикет {{ ticket.id }}'\n"
        "      text: '{{ kind }}: {{ ticket.excerpt }}'\n"
        "    sla_breached:\n"
        "      <<: *opened\n"
        "      title: 'Просрочен {{ ticket.id }}'\n"
    )

    templates = config.notifications.templates
    assert (
        templates["sla_breached"].text
        == templates["ticket_opened"].text
        == "{{ kind }}: {{ ticket.excerpt }}"
    )
    assert templates["sla_breached"].title == "Просрочен {{ ticket.id }}"


# ------------------------------------------------------------------ each kind of mistake, by its path


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("routing:\n  low_ratng_max: 3\n", "routing.low_ratng_max: unknown setting"),
        ("colour: red\n", "colour: unknown setting"),
        (
            "routing:\n  low_rating_max: many\n",
            "routing.low_rating_max: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "routing:\n  low_rating_max: 6\n",
            "routing.low_rating_max: Input should be less than or equal to 5",
        ),
        (
            "routing:\n  low_rating_max: 6\n",
            "routing.low_rating_max: Input should be less than or equal to 5",
        ),
        ("version: 2\n", "version: Input should be 1"),
        ("teams:\n  - name: support\n  - name: support\n", "teams[1].name: team 'support' is defined twice"),
        ("teams: []\n", "teams: at least one team is needed"),
        ("routing:\n  team: x\n", "routing.team: unknown team 'x'; teams are support"),
        ("channels:\n  - name: slack\n    type: slack_webhook\n", "channels[0].url_parameter: required"),
        (
            "channels:\n  - {name: s, type: slack_webhook, url_parameter: a}\n"
            "  - {name: s, type: slack_webhook, url_parameter: b}\n",
            "channels[1].name: channel 's' is defined twice",
        ),
        (
            "channels:\n  - {name: s, type: slack_webhook, url_parameter: a, colour: red}\n",
            "channels[0].colour: unknown setting",
        ),
        (
            "channels:\n  - name: tg\n    type: pigeon\n    url_parameter: tg/token\n",
            "channels[0].type: unknown channel type 'pigeon'; types are email, slack_webhook, sms, telegram,"
            " webhook",
        ),
        (
            "channels:\n  - name: tg\n    url_parameter: tg/token\n",
            "channels[0].type: required; types are email, slack_webhook, sms, telegram, webhook",
        ),
        (
            "notifications:\n  kind_names:\n    rant: тирада\n",
            "notifications.kind_names.rant: Input should be"
            " 'review', 'question', 'chat', 'complaint' or 'survey'",
        ),
        (
            "notifications:\n  templates:\n    ticket_closed: {title: x, text: y}\n",
            "notifications.templates.ticket_closed: Input should be 'ticket_opened', 'sla_breached',"
            " 'sla_warning', 'sla_escalated', 'reply_rejected', 'spike_alert', 'report_ready' or"
            " 'dlq_not_empty'",
        ),
        (
            "notifications:\n  templates:\n    ticket_opened: {title: x}\n",
            "notifications.templates.ticket_opened.text: required",
        ),
        (
            "tonality:\n  overrides:\n    имба: 9\n",
            'tonality.overrides: bad tonality overrides: "имба": the valence 9 is outside -4..4',
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-top-level-key",
        "wrong-type",
        "below-range",
        "above-range",
        "unknown-version",
        "team-twice",
        "no-team",
        "unknown-team",
        "channel-without-its-parameter",
        "channel-twice",
        "channel-unknown-key",
        "unknown-channel-type",
        "channel-without-type",
        "unknown-kind",
        "unknown-event",
        "template-without-text",
        "override-out-of-range",
    ],
)
def test_a_mistake_is_refused_with_its_path(document: str, problem: str) -> None:
    assert refused(document) == [problem]


def test_a_template_with_a_syntax_error_is_refused_with_its_line() -> None:
    problems = refused(
        "notifications:\n  templates:\n    ticket_opened:\n"
        "      title: x\n      text: |-\n        {{ kind }}\n        {{ ticket.id \n"
    )

    assert len(problems) == 1
    assert problems[0].startswith("notifications.templates.ticket_opened.text: line 2: ")


def test_a_template_with_an_unknown_variable_is_refused() -> None:
    problems = refused("notifications:\n  templates:\n    sla_breached: {title: '{{ tiket.id }}', text: x}\n")

    assert problems == ["notifications.templates.sla_breached.title: unknown variable: 'tiket' is undefined"]


def test_a_template_that_fails_for_a_question_without_stars_is_refused_when_checked() -> None:
    # Given a title that multiplies by the rating, which a question does not have
    problems = refused(
        "notifications:\n  templates:\n    ticket_opened: {title: \"{{ '*' * ticket.rating }}\", text: x}\n"
    )

    # Then the check refuses it, instead of every question's notification failing later
    assert len(problems) == 1
    assert problems[0].startswith("notifications.templates.ticket_opened.title: TypeError: ")
    assert problems[0].endswith("(for a question without stars)")


def test_a_template_cannot_reach_python_internals() -> None:
    problems = refused(
        "notifications:\n  templates:\n"
        "    ticket_opened: {title: '{{ ticket.__class__.__mro__ }}', text: x}\n"
    )

    assert len(problems) == 1
    assert problems[0].startswith(
        "notifications.templates.ticket_opened.title: access to attribute '__class__'"
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            "routing:\n team: support\n  low_rating_max: 2\n",
            "line 3, column 17: mapping values are not allowed here",
        ),
        (
            "routing:\n\tteam: support\n",
            "line 2, column 1: found character '\\t' that cannot start any token",
        ),
        (
            "routing:\n  team: support\nteams: [{name: support}]\nrouting:\n  low_rating_max: 1\n",
            "line 4: 'routing' is given twice (first on line 1)",
        ),
        ("teams:\n  - name: a\n    name: b\n", "line 3: 'name' is given twice (first on line 2)"),
        ("? [teams, routing]\n: 1\n", "line 1: a key must be a plain value, not a list or mapping"),
        ("- teams\n- routing\n", "(document): must be a mapping of settings (teams, routing, ...)"),
        ("just some words\n", "(document): must be a mapping of settings (teams, routing, ...)"),
        (b"routing:\n  team: \xff\n", "position 17: not utf-8 text (invalid start byte)"),
    ],
    ids=[
        "bad-indentation",
        "tab",
        "key-twice",
        "nested-key-twice",
        "list-as-key",
        "a-list",
        "a-scalar",
        "not-utf-8",
    ],
)
def test_a_document_that_is_not_a_settings_mapping_is_refused_by_line(
    document: str | bytes, problem: str
) -> None:
    assert refused(document) == [problem]


def test_every_problem_of_a_document_is_reported_at_once() -> None:
    problems = refused(
        "version: 2\n"
        "teams:\n  - name: support\n  - name: support\n"
        "routing:\n  team: quality\n  low_rating_max: 9\n  escalated_tier: [vip]\n"
        "notifications:\n  templates:\n    ticket_opened: {title: '{{ tiket }}', text: x}\n"
    )

    assert sorted(problems) == sorted(
        [
            "version: Input should be 1",
            "teams[1].name: team 'support' is defined twice",
            "routing.team: unknown team 'quality'; teams are support",
            "routing.low_rating_max: Input should be less than or equal to 5",
            "routing.escalated_tier: unknown setting",
            "notifications.templates.ticket_opened.title: unknown variable: 'tiket' is undefined",
        ]
    )


# ------------------------------------------------------------------ what the seller's texts say


def test_a_custom_template_renders_what_the_seller_wrote() -> None:
    # Given a document with the seller's own title and text for a new ticket
    config = parse_config(
        "notifications:\n"
        "  templates:\n"
        "    ticket_opened:\n"
        "      title: 'Срочно: {{ ticket.id }} для {{ ticket.team }}'\n"
        "      text: '{{ kind }} {{ stars }}, до {{ due }}: {{ ticket.excerpt }}'\n"
    )
    one_star = ticket()

    # When a ticket is opened
    note = ticket_opened(one_star, NOW, config.notifications)

    # Then the notification says exactly that, filled in
    assert note.title == f"Срочно: {one_star.id} для support"
    assert note.text == f"отзыв ★☆☆☆☆, до 2026-11-25 12:00 UTC: {one_star.excerpt}"


def test_an_event_the_document_leaves_out_keeps_its_built_in_text() -> None:
    config = parse_config("notifications:\n  templates:\n    ticket_opened: {title: своё, text: своё}\n")
    one_star = ticket()

    note = sla_breached(one_star, NOW, config.notifications)

    assert note.title == f"[high] Просрочен первый ответ по тикету {one_star.id}"


def test_the_kind_names_come_from_the_document() -> None:
    config = parse_config("notifications:\n  kind_names:\n    review: Отзыв покупателя\n")

    note = ticket_opened(ticket(kind="review"), NOW, config.notifications)

    assert note.text.startswith("Отзыв покупателя · custom/default · ★☆☆☆☆")


def test_a_kind_the_document_leaves_out_keeps_its_built_in_name() -> None:
    # Given a document that renames reviews only
    config = parse_config("notifications:\n  kind_names:\n    review: Отзыв покупателя\n")

    # When a question's ticket is opened
    note = ticket_opened(ticket(kind="question", rating=None), NOW, config.notifications)

    # Then the question is still called by its built-in name, not by the code's word for it
    assert note.text.startswith("вопрос · custom/default · без оценки")


def test_a_section_left_empty_takes_its_defaults() -> None:
    # Given a document whose routing section has every line commented out, and an empty sla inside another
    config = parse_config("routing:\n  # team: quality\nnotifications:\n  templates:\n")

    # Then both are the defaults, not errors
    assert config.routing == DEFAULT_CONFIG.routing
    assert config.notifications == DEFAULT_CONFIG.notifications
