"""Drafting a reply: which template an item gets, which variant of each block, and that a draft says nothing
of the customer's own words, promises nothing not allowed and does not repeat the last replies."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from otklik.domain.models import Author, FeedbackItem, OrderRef, ProductRef, Topic, TopicPolarity
from otklik.domain.moderation import moderate
from otklik.domain.replies import draft as draft_module
from otklik.domain.replies.check import ReplyProblem, check_reply
from otklik.domain.replies.draft import MAX_TRIED, Draft, choose_template, draft_reply, first_name
from otklik.domain.replies.settings import NO_REPLY_SETTINGS, ReplySettings
from tests.unit.samples import feedback_item

# A seller's own templates, each a single variant a block, so that what a test asks for is what it gets.
CHOICE = """
- name: ozon-only
  lang: ru
  when: {marketplaces: [ozon]}
  thanks: ["Спасибо, что покупаете на Ozon."]
- name: vip
  lang: ru
  when: {kinds: [review], segments: [VIP]}
  thanks: ["Спасибо, что вы с нами так давно."]
- name: delivery
  lang: ru
  when: {kinds: [review], topics: [{topic: delivery, polarity: negative}]}
  apology: ["Простите за доставку."]
- name: low
  lang: ru
  when: {kinds: [review], rating: {max: 2}}
  apology: ["Простите, что не понравилось."]
- name: question
  lang: ru
  when: {kinds: [question]}
  thanks: ["Спасибо за вопрос."]
- name: english
  lang: en
  when: {kinds: [review]}
  thanks: ["Thank you for your review."]
- name: any-review
  lang: ru
  when: {kinds: [review]}
  thanks: ["Спасибо за отзыв."]
"""


def settings(templates: str = CHOICE, **more: Any) -> ReplySettings:
    return ReplySettings.model_validate({"templates": yaml.safe_load(templates), **more})


def topic(name: str, polarity: TopicPolarity) -> Topic:
    return Topic(topic=name, polarity=polarity, evidence=name, start=0, end=len(name))


def review(
    *,
    text: str = "Рюкзак пришёл, в целом нормально",
    source: str = "wildberries",
    rating: int | None = 4,
    topics: tuple[Topic, ...] = (),
    author: str | None = "Анна",
    tier: str | None = None,
    lang: str = "ru",
    external_id: str = "wb-1001",
    **fields: Any,
) -> FeedbackItem:
    item = feedback_item(text=text, source=source, rating=rating, external_id=external_id, **fields)
    return item.model_copy(
        update={
            "topics": topics,
            "lang": lang,
            "author": Author(id="c-1", name=author, tier=tier),
            "product": ProductRef(id="p-1", name="Рюкзак городской"),
            "order": OrderRef(id="4815162342"),
        }
    )


def drafted(item: FeedbackItem, given: ReplySettings = NO_REPLY_SETTINGS, **options: Any) -> Draft:
    draft = draft_reply(item, given, **options)
    assert draft is not None
    return draft


def chosen(item: FeedbackItem, given: ReplySettings, **options: Any) -> str | None:
    template = choose_template(item, given, **options)
    return template.name if template is not None else None


def negative(**fields: Any) -> FeedbackItem:
    given: dict[str, Any] = {"rating": 1, "label": "negative", "compound": -0.7, **fields}
    return review(**given)


# ------------------------------------------------------------------ which template


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (review(source="ozon"), "ozon-only"),
        (review(tier="vip"), "vip"),
        (review(tier="Vip", source="custom"), "vip"),
        (review(topics=(topic("delivery", "negative"),)), "delivery"),
        (review(topics=(topic("delivery", "positive"),)), "any-review"),
        (review(rating=2), "low"),
        (review(rating=None), "any-review"),
        (review(kind="question", rating=None), "question"),
        (review(lang="en"), "english"),
        (review(lang="kk"), "any-review"),
        (review(lang="en", kind="question", rating=None), "question"),
    ],
    ids=[
        "marketplace",
        "segment",
        "segment-case-aside",
        "topic-and-polarity",
        "topic-other-polarity",
        "rating-band",
        "no-stars-no-band",
        "kind",
        "lang",
        "unknown-lang-russian",
        "english-falls-back-to-russian",
    ],
)
def test_the_first_template_whose_when_holds_is_chosen(item: FeedbackItem, expected: str) -> None:
    # Given the seller's templates in their order, When one is chosen for the item
    chosen = choose_template(item, settings())

    # Then it is the first whose conditions all hold, in the item's language or else in Russian
    assert chosen is not None and chosen.name == expected


def test_a_segment_given_by_the_caller_wins_over_the_authors_tier() -> None:
    item = review(tier="regular")

    chosen = choose_template(item, settings(), segment="vip")

    assert chosen is not None and chosen.name == "vip"


def test_a_template_named_by_a_rule_is_chosen_whatever_its_when_says() -> None:
    # Given an item the `question` template's when does not hold for
    item = review(source="ozon")

    # When a rule names it, Then it is the one; a name no template has falls back to the conditions
    assert chosen(item, settings(), name="question") == "question"
    assert chosen(item, settings(), name="nope") == "ozon-only"


def test_no_template_for_an_item_none_is_for_and_then_no_draft() -> None:
    item = review(kind="chat", rating=None, source="ozon")
    only_reviews = settings(CHOICE.replace("when: {marketplaces: [ozon]}", "when: {kinds: [review]}"))

    assert choose_template(item, only_reviews) is None
    assert draft_reply(item, only_reviews) is None


def test_a_kind_the_platform_takes_no_replies_to_gets_no_draft() -> None:
    # Given a Wildberries chat (Wildberries takes no replies to chats) and a template for any item
    item = review(kind="chat", rating=None)
    anything = settings("- {name: any, lang: ru, thanks: ['Спасибо за сообщение.']}")

    assert draft_reply(item, anything) is None


# ------------------------------------------------------------------ the built-in templates


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (negative(tier="vip"), "vip-apology"),
        (negative(topics=(topic("delivery", "negative"),)), "delivery-apology"),
        (negative(), "apology"),
        (review(rating=2), "low-rating"),
        (review(rating=5, label="positive", compound=0.8), "thanks"),
        (review(kind="question", rating=None), "question"),
        (negative(lang="en"), "apology-en"),
        (review(lang="en", rating=5), "thanks-en"),
        (review(lang="en", kind="question", rating=None), "question-en"),
    ],
    ids=["vip", "delivery", "apology", "low-rating", "thanks", "question", "en-apology", "en-thanks", "en-q"],
)
def test_the_built_in_templates_answer_each_common_case(item: FeedbackItem, expected: str) -> None:
    draft = draft_reply(item, NO_REPLY_SETTINGS)

    assert draft is not None
    assert (draft.template, draft.problems) == (expected, ())


# ------------------------------------------------------------------ which variant

ROTATING = """
- name: rotating
  lang: ru
  greeting: ["Здравствуйте!", "Добрый день!", "Приветствуем вас!"]
  thanks: ["Спасибо за отзыв о нашем рюкзаке.", "Благодарим, что поделились мнением о покупке."]
  body:
    default:
      - "Нам важно знать, что покупатели думают о товаре."
      - "Мы передадим ваши слова команде, которая делает этот товар."
      - "Каждый такой отзыв помогает другим с выбором."
  next_steps: ["Ждём вас снова.", "Заглядывайте к нам ещё, впереди новинки."]
  sign_off: ["С уважением, команда магазина.", "Всего доброго, ваш магазин «Уют»."]
"""


def test_a_fixed_item_always_gets_the_same_draft() -> None:
    # Given one item and the seller's templates
    item = review()

    # When it is drafted twice
    first, again = draft_reply(item, settings(ROTATING)), draft_reply(item, settings(ROTATING))

    # Then the same combination, named block by block, comes both times: no chance, no clock
    assert first is not None
    assert first.variant == "greeting.1 thanks.0 body.default.2 next_steps.0 sign_off.1"
    assert first.text == (
        "Добрый день! Спасибо за отзыв о нашем рюкзаке. Каждый такой отзыв помогает другим с выбором. "
        "Ждём вас снова. Всего доброго, ваш магазин «Уют»."
    )
    assert again == first


def test_another_seed_gives_another_combination() -> None:
    item = review()

    drafts = {drafted(item, settings(ROTATING), seed=f"seed-{number}").variant for number in range(8)}

    assert len(drafts) > 1


def test_the_next_draft_on_a_product_differs_from_the_last_reply_there() -> None:
    # Given the draft of one item, published as the last reply on the product
    item = review()
    last = draft_reply(item, settings(ROTATING))
    assert last is not None

    # When the same item is drafted again with that reply as recent
    following = draft_reply(item, settings(ROTATING), recent=[last.text])

    # Then another text comes, one the duplicate check passes
    assert following is not None
    assert following.text != last.text
    assert following.problems == ()
    assert check_reply(following.text, marketplace="wildberries", kind="review", recent=[last.text]) == ()


@pytest.mark.parametrize(
    ("given", "item"),
    [(settings(ROTATING), review()), (NO_REPLY_SETTINGS, negative())],
    ids=["own", "built-in"],
)
def test_ten_consecutive_drafts_on_one_product_are_pairwise_different(
    given: ReplySettings, item: FeedbackItem
) -> None:
    # Given ten drafts on one product, each with the replies before it as recent, and one seed for all (so
    # that only the history tells them apart)
    recent: list[str] = []
    for _ in range(10):
        draft = drafted(item, given, recent=recent, seed="product p-1")
        # Then each passes the check, the duplicate check against every earlier one included
        assert draft.problems == ()
        recent.insert(0, draft.text)

    # And no two are the same, nor near-duplicates of each other
    assert len(set(recent)) == 10
    for number, text in enumerate(recent):
        others = recent[:number] + recent[number + 1 :]
        assert check_reply(text, marketplace="wildberries", kind="review", recent=others) == ()


def test_when_every_combination_fails_the_check_the_fewest_problems_come_back() -> None:
    # Given a seller whose stop-word stands in every sign-off, and one sign-off that also names a site
    templates = """
- name: signed
  lang: ru
  thanks: ["Спасибо за отзыв.", "Благодарим за оценку."]
  sign_off: ["Команда магазина Уют.", "Команда магазина Уют, uyut-shop.ru."]
"""
    # When the item is drafted
    draft = draft_reply(review(), settings(templates, stop_words=["уют"]))

    # Then the draft comes with what is wrong in it, and the one with fewer problems is chosen
    assert draft is not None
    assert [problem.check for problem in draft.problems] == ["stop_word"]
    assert "uyut-shop" not in draft.text


def test_the_combinations_tried_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a template of far more combinations than are tried (10**3), every one failing the check
    blocks = ("greeting", "thanks", "next_steps")
    many = {
        "name": "many",
        "lang": "ru",
        **{block: [f"Уют, {block} {number}." for number in range(10)] for block in blocks},
    }
    checked: list[str] = []

    def counting(text: str, **given: Any) -> tuple[ReplyProblem, ...]:
        checked.append(text)
        return check_reply(text, **given)

    monkeypatch.setattr(draft_module, "check_reply", counting)

    # When the item is drafted
    draft = draft_reply(review(), ReplySettings.model_validate({"templates": [many], "stop_words": ["уют"]}))

    # Then MAX_TRIED different combinations were checked, and the best of them comes back with problems
    assert len(checked) == len(set(checked)) == MAX_TRIED < 10**3
    assert draft is not None and draft.problems


# ------------------------------------------------------------------ the body says the item's topics

TOPICAL = """
- name: topical
  lang: ru
  apology: ["Простите нас."]
  body:
    delivery:
      negative: ["Доставку разберём со службой логистики."]
      positive: ["Рады, что доставка была быстрой."]
    quality: ["О качестве мы поговорим с производителем."]
    packaging: {negative: ["Упаковку сделаем надёжнее."]}
    default: ["Мы разберёмся."]
"""


def test_the_body_says_negative_topics_first_then_positive_at_most_two() -> None:
    item = negative(
        topics=(
            topic("delivery", "positive"),
            topic("quality", "negative"),
            topic("packaging", "negative"),
        )
    )

    draft = draft_reply(item, settings(TOPICAL))

    assert draft is not None
    assert draft.variant == "apology.0 body.quality.0 body.packaging.negative.0"
    assert "доставка" not in draft.text.lower()


def test_a_topic_is_answered_in_the_polarity_the_item_gives_it() -> None:
    praised = draft_reply(review(topics=(topic("delivery", "positive"),)), settings(TOPICAL))
    blamed = draft_reply(negative(topics=(topic("delivery", "negative"),)), settings(TOPICAL))

    assert praised is not None and "Рады, что доставка была быстрой." in praised.text
    assert blamed is not None and "Доставку разберём" in blamed.text


def test_a_topic_the_template_does_not_answer_in_that_polarity_gives_the_default() -> None:
    # Given praise of the packaging, which the template only answers when blamed
    draft = draft_reply(
        review(topics=(topic("packaging", "positive"), topic("smell", "negative"))), settings(TOPICAL)
    )

    assert draft is not None and draft.variant == "apology.0 body.default.0"


# ------------------------------------------------------------------ promises

PROMISING = """
- name: promising
  lang: ru
  apology: ["Простите, что товар не подошёл."]
  next_steps:
    - {text: "Мы вернём деньги сразу после проверки товара.", promises: [refund]}
    - "Напишите нам в чат заказа, и мы поможем."
  sign_off:
    - {text: "Обменяем товар по первому слову.", promises: [exchange]}
"""


def _next_steps(draft: Draft | None) -> set[str]:
    assert draft is not None
    return {label for label in draft.variant.split() if label.startswith(("next_steps", "sign_off"))}


def test_a_variant_that_promises_is_never_used_unless_its_promise_is_allowed() -> None:
    # Given a template whose refund and exchange variants are declared as promises
    items = [review(external_id=f"wb-{number}") for number in range(12)]

    # When drafted without any promise allowed
    used = set().union(*(_next_steps(draft_reply(item, settings(PROMISING))) for item in items))

    # Then neither promise is made, and the block of promises only is left out
    assert used == {"next_steps.1"}


def test_a_promise_allowed_by_the_settings_or_the_rule_may_be_made() -> None:
    items = [review(external_id=f"wb-{number}") for number in range(12)]

    by_settings = set().union(
        *(_next_steps(draft_reply(item, settings(PROMISING, may_promise=["refund"]))) for item in items)
    )
    by_rule = set().union(
        *(
            _next_steps(draft_reply(item, settings(PROMISING), allowed_promises=["exchange", "refund"]))
            for item in items
        )
    )

    assert by_settings == {"next_steps.0", "next_steps.1"}
    assert by_rule == {"next_steps.0", "next_steps.1", "sign_off.0"}


def test_the_built_in_templates_promise_no_refund_unless_allowed() -> None:
    texts = [drafted(negative(external_id=f"wb-{number}")).text for number in range(30)]

    assert not any("вернём деньги" in text for text in texts)


# ------------------------------------------------------------------ the customer's name, never their words


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Анна", "Анна"),
        ("анна", "Анна"),
        ("Иванова Анна", "Анна"),
        ("Анна П.", "Анна"),
        ("Артём", "Артём"),
        ("Иванов", None),
        ("anna@example.com", None),
        ("Покупатель", None),
        ("user_4815", None),
        ("Анна 89123456789", None),
        (None, None),
    ],
)
def test_a_first_name_is_taken_only_when_the_name_is_a_known_first_name(
    name: str | None, expected: str | None
) -> None:
    assert first_name(Author(name=name)) == expected


def test_the_draft_greets_by_first_name_only_when_allowed_and_known() -> None:
    greeting = settings(
        "- name: hello\n  lang: ru\n"
        "  greeting: ['Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!']"
    )

    assert drafted(review(author="Анна"), greeting).text == "Здравствуйте, Анна!"
    assert drafted(review(author="Иванов"), greeting).text == "Здравствуйте!"
    assert drafted(review(author="anna@example.com"), greeting).text == "Здравствуйте!"
    not_by_name = greeting.model_copy(update={"address_by_name": False})
    assert drafted(review(author="Анна"), not_by_name).text == "Здравствуйте!"


def test_a_draft_never_quotes_the_customer() -> None:
    # Given a negative review holding a phone number, a link and an insult, about the delivery and quality
    text = (
        "Курьер хамло, опоздал на неделю, качество ужасное. "
        "Звоните +7 912 345-67-89 или смотрите shop-fake.ru"
    )
    item = negative(text=text, topics=(topic("delivery", "negative"), topic("quality", "negative")))
    flagged = moderate(text)
    assert {"contacts", "insult", "advertising"} <= set(flagged.flags)

    # When every built-in template that could answer it drafts a reply, with any promise allowed
    drafts = [
        draft_reply(item, NO_REPLY_SETTINGS, template=name, allowed_promises=["refund", "exchange"])
        for name in ("vip-apology", "delivery-apology", "apology", "low-rating")
    ]

    # Then no draft holds any span moderation flagged, nor any other word of the customer's
    for draft in drafts:
        assert draft is not None and draft.problems == ()
        for reason in flagged.reasons:
            assert reason.text.lower() not in draft.text.lower()
        for word in ("хамло", "912", "345-67-89", "shop-fake", "неделю", "ужасное"):
            assert word not in draft.text


# ------------------------------------------------------------------ whitespace


def test_blocks_are_joined_without_doubled_spaces_or_empty_blocks() -> None:
    # Given a template joined by line breaks, whose thanks renders empty for an item without a product
    templates = """
- name: lines
  lang: ru
  joiner: "\\n"
  greeting: ["  Здравствуйте!   "]
  thanks: ["{% if product %}Спасибо за {{ product }}.{% endif %}"]
  body: {default: ["Мы   рады   вашему отзыву."]}
  sign_off: ["Команда\\n\\n\\n\\nмагазина"]
"""
    item = review().model_copy(update={"product": None})

    draft = draft_reply(item, settings(templates))

    assert draft is not None
    assert draft.text == "Здравствуйте!\nМы рады вашему отзыву.\nКоманда\n\nмагазина"
    assert draft.variant == "greeting.0 body.default.0 sign_off.0"
