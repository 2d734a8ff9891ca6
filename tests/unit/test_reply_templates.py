"""Reply templates in the configuration document: what the sample ships, and what a document is refused for,
each problem named by its path."""

from __future__ import annotations

import pytest

from otklik.domain.config import ConfigInvalid, parse_config
from otklik.domain.replies.settings import NO_REPLY_SETTINGS
from otklik.domain.replies.templates import BUILT_IN_TEMPLATES, reply_template_problems
from tests.conftest import ROOT

SAMPLE = ROOT / "infra" / "config" / "otklik.yaml"


def problems(document: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as refused:
        parse_config(document)
    return refused.value.problems


def one_template(**blocks: str) -> str:
    """A document of one template whose blocks are given as YAML flow values."""
    lines = "".join(f"\n      {block}: {value}" for block, value in blocks.items())
    return f"replies:\n  templates:\n    - name: mine\n      lang: ru{lines}\n"


# ------------------------------------------------------------------ the sample


def test_the_sample_spells_out_the_built_in_templates_and_each_renders() -> None:
    # Given the sample document, When it is read
    replies = parse_config(SAMPLE.read_bytes()).replies

    # Then its templates are the built-in ones, in their order, and every variant renders
    assert replies.templates == BUILT_IN_TEMPLATES
    assert [template.name for template in BUILT_IN_TEMPLATES] == [
        "vip-apology",
        "delivery-apology",
        "apology",
        "low-rating",
        "thanks",
        "question",
        "apology-en",
        "thanks-en",
        "question-en",
    ]
    # (a document of the built-ins alone skips rendering them at load: reordered, each is rendered here)
    reordered = NO_REPLY_SETTINGS.model_copy(update={"templates": BUILT_IN_TEMPLATES[::-1]})
    assert list(reply_template_problems(reordered)) == []


def test_every_built_in_block_has_two_to_four_variants() -> None:
    for template in BUILT_IN_TEMPLATES:
        for where, variants in template.blocks():
            assert not variants or 2 <= len(variants) <= 4, f"{template.name}.{where}"


def test_a_seller_may_set_a_signature_and_what_drafts_may_promise() -> None:
    document = """
replies:
  signature: Команда магазина «Уют»
  may_promise: [refund, exchange]
  address_by_name: false
"""
    replies = parse_config(document).replies

    assert (replies.signature, replies.may_promise, replies.address_by_name) == (
        "Команда магазина «Уют»",
        ("refund", "exchange"),
        False,
    )
    assert replies.templates == BUILT_IN_TEMPLATES


# ------------------------------------------------------------------ templates that do not render


def test_a_misspelt_variable_is_refused_by_its_path() -> None:
    # Given a greeting whose second variant misspells first_name
    document = one_template(greeting="['Здравствуйте!', 'Здравствуйте, {{ frist_name }}!']")

    # When the document is checked, Then the variant is named and the typo said
    assert problems(document) == [
        "replies.templates[0].greeting[1]: unknown variable: 'frist_name' is undefined"
    ]


def test_a_variant_that_does_not_compile_is_refused_by_its_path() -> None:
    document = one_template(body="{delivery: {negative: ['Простите {% if order %}за заказ {{ order }}']}}")

    found = problems(document)

    # (Jinja lists the tags it looked for in no fixed order.)
    assert len(found) == 1
    assert found[0].startswith(
        "replies.templates[0].body.delivery.negative[0]: line 1: Unexpected end of template."
    )
    assert "'endif'" in found[0]


def test_a_variant_that_only_renders_when_every_variable_is_set_is_refused() -> None:
    # Given a thank-you that assumes every item names its product
    document = one_template(thanks="['Спасибо за {{ product.lower() }}.']")

    # Then it is refused, saying for which items it would fail
    assert problems(document) == [
        "replies.templates[0].thanks[0]: unknown variable: 'None' has no attribute 'lower'"
        " (without a name, product, order, stars, marketplace or signature)"
    ]


@pytest.mark.parametrize("name", ["text", "author", "item", "pros"])
def test_the_customers_words_are_not_a_variable(name: str) -> None:
    # Given a variant that would quote the feedback back
    document = one_template(body=f"{{default: ['Вы написали: {{{{ {name} }}}}']}}")

    # Then it is refused: a template sees nothing of the customer's text
    assert problems(document) == [
        f"replies.templates[0].body.default[0]: unknown variable: '{name}' is undefined"
    ]


def test_a_template_problem_is_reported_beside_the_documents_other_problems() -> None:
    document = "routing: {team: suport}\n" + one_template(sign_off="['{{ signatur }}']")

    found = problems(document)

    assert "routing.team: unknown team 'suport'; teams are support" in found
    assert "replies.templates[0].sign_off[0]: unknown variable: 'signatur' is undefined" in found


# ------------------------------------------------------------------ references


def test_a_template_name_is_defined_once() -> None:
    document = """
replies:
  templates:
    - {name: thanks, lang: ru, thanks: ["Спасибо!"]}
    - {name: thanks, lang: en, thanks: ["Thank you!"]}
"""
    assert problems(document) == ["replies.templates[1].name: template 'thanks' is defined twice"]


def test_a_rule_must_name_a_template_that_exists() -> None:
    # Given a rule whose draft_template misspells the built-in delivery-apology
    document = """
rules:
  - name: late
    when: {topic: {topic: delivery, polarity: negative}}
    then: {reason: late_delivery, draft_template: delivery-apolgy}
"""
    found = problems(document)

    assert len(found) == 1
    assert found[0].startswith(
        "rules[0].then.draft_template: unknown reply template 'delivery-apolgy'; templates are vip-apology,"
    )
    # And the name spelt right is taken
    fixed = parse_config(document.replace("delivery-apolgy", "delivery-apology"))
    assert fixed.rules[0].then.draft_template == "delivery-apology"


def test_a_rule_naming_a_template_when_there_are_none() -> None:
    document = """
replies: {templates: []}
rules:
  - {name: any, then: {reason: any, draft_template: thanks}}
"""
    assert problems(document) == [
        "rules[0].then.draft_template: unknown reply template 'thanks'; templates are none"
        " (replies.templates is empty)"
    ]


def test_a_template_names_topics_that_exist_and_may_name_a_sellers_own() -> None:
    document = """
topics:
  custom: [{name: assembly, words: [сборка]}]
replies:
  templates:
    - name: mine
      lang: ru
      when: {topics: [assembly, {topic: deliverry, polarity: negative}]}
      body:
        assembly: ["Мы дополним инструкцию по сборке."]
        qualty: ["..."]
        default: ["Мы разберёмся."]
"""
    found = problems(document)

    assert len(found) == 2
    assert found[0].startswith(
        "replies.templates[0].body.qualty: unknown topic 'qualty'; topics are quality,"
    )
    assert found[0].endswith("counterfeit, assembly (or default)")
    assert found[1].startswith("replies.templates[0].when.topics[1]: unknown topic 'deliverry'")


# ------------------------------------------------------------------ shape


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            one_template(next_steps="[{promises: [refund]}]"),
            "replies.templates[0].next_steps[0].text: required",
        ),
        (
            one_template(next_steps="[{text: 'Вернём деньги.', promises: [Refund]}]"),
            "replies.templates[0].next_steps[0].promises[0]: String should match pattern"
            " '^[a-z][a-z0-9_]{0,39}$'",
        ),
        (
            one_template(thanks="['Спасибо!']", when="{rating: {min: 4, max: 2}}"),
            "replies.templates[0].when.rating: min 4 is above max 2",
        ),
        (
            one_template(body="{default: {negative: ['Простите.']}}"),
            "replies.templates[0]: body.default: a list of variants, said for any topic none of the"
            " others fits",
        ),
        (
            one_template(body="{quality: {}}"),
            "replies.templates[0].body.quality: a topic needs variants: a list, or a mapping by polarity"
            " (negative, positive...)",
        ),
        (
            one_template(greeting="[]"),
            "replies.templates[0]: a template needs variants in at least one block (greeting ... sign_off)",
        ),
        (
            one_template(thanks="['Спасибо!']", joiner="', '"),
            "replies.templates[0].joiner: Input should be ' ', '\\n' or '\\n\\n'",
        ),
    ],
    ids=["variant-text", "promise-name", "rating-band", "default-body", "empty-topic", "empty", "joiner"],
)
def test_a_template_of_the_wrong_shape_is_refused_by_its_path(document: str, expected: str) -> None:
    assert problems(document) == [expected]


def test_a_template_needs_a_name_and_a_language_of_ours() -> None:
    document = "replies:\n  templates:\n    - {lang: de, thanks: ['Danke!']}\n"

    assert problems(document) == [
        "replies.templates[0].name: required",
        "replies.templates[0].lang: Input should be 'ru' or 'en'",
    ]
