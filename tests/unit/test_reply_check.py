"""The reply check: each platform's lengths, links, contacts, profanity and insults, the seller's stop-words,
near-duplicates of recent replies and leftover template markup, each refusal naming its check and span."""

from __future__ import annotations

import pytest

from otklik.domain.marketplaces.limits import REPLY_LIMITS
from otklik.domain.marketplaces.models import Marketplace, PermanentRejection
from otklik.domain.models import FeedbackKind
from otklik.domain.moderation import ModerationSettings
from otklik.domain.replies.check import ReplyProblem, check_reply

POLITE = (
    "Здравствуйте! Спасибо, что выбрали нас и нашли время написать отзыв. Нам очень приятно, что "
    "покупка вам понравилась. Ждём вас снова в нашем магазине!"
)


def problems(text: str, marketplace: Marketplace | None = "ozon", **given: object) -> list[ReplyProblem]:
    kind = given.pop("kind", "review")
    return list(check_reply(text, marketplace=marketplace, kind=kind, **given))  # type: ignore[arg-type]


def found(text: str, check: str, marketplace: Marketplace | None = "ozon", **given: object) -> list[str]:
    """The texts of the spans `check` refused in text."""
    return [
        text[problem.start : problem.end]
        for problem in problems(text, marketplace, **given)
        if problem.check == check and problem.start is not None and problem.end is not None
    ]


# ------------------------------------------------------------------ a clean reply


@pytest.mark.parametrize(("marketplace", "kind"), sorted(REPLY_LIMITS))
def test_a_polite_reply_passes_on_every_platform_and_kind_it_takes(
    marketplace: Marketplace, kind: FeedbackKind
) -> None:
    # Given a polite reply that names the seller's store on the marketplace
    # When it is checked for the platform
    result = check_reply(POLITE, marketplace=marketplace, kind=kind, recent=["Спасибо за покупку!"])

    # Then nothing is refused
    assert result == ()


def test_a_polite_reply_passes_on_an_own_channel() -> None:
    assert check_reply(POLITE, marketplace=None, kind="complaint") == ()


# ------------------------------------------------------------------ empty


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_reply_is_refused_as_empty_and_nothing_else(text: str) -> None:
    # Given a draft of spaces only, When it is checked for Ozon
    result = problems(text, kind="question")

    # Then the one problem is that it is empty (not also Ozon's minimum length)
    assert [(problem.check, problem.start) for problem in result] == [("empty", None)]
    assert result[0].message.startswith("empty:")


# ------------------------------------------------------------------ length


@pytest.mark.parametrize(
    ("marketplace", "kind", "limit"),
    [
        ("wildberries", "review", 5000),
        ("ozon", "question", 3000),
        ("ozon", "chat", 1000),
        ("yandex_market", "review", 4096),
    ],
)
def test_a_reply_over_the_platforms_limit_is_refused_from_where_it_runs_over(
    marketplace: Marketplace, kind: FeedbackKind, limit: int
) -> None:
    # Given a reply one sentence too long for the platform's documented limit
    assert REPLY_LIMITS[marketplace, kind].max_chars == limit
    text = "Спасибо за отзыв. " * (limit // 18) + "Ждём вас снова!" * 2

    # When it is checked
    result = [problem for problem in problems(text, marketplace, kind=kind) if problem.check == "length"]

    # Then the length check refuses it, at the characters past the limit, and says so
    assert len(text) > limit
    assert [(problem.start, problem.end) for problem in result] == [(limit, len(text))]
    assert f"at most {limit}" in result[0].message


def test_a_reply_of_exactly_the_limit_passes() -> None:
    text = ("Спасибо! " * 600)[:5000]
    assert "length" not in [problem.check for problem in problems(text, "wildberries")]


def test_a_reply_under_the_platforms_minimum_is_refused_as_a_whole() -> None:
    # Given a one-character answer to an Ozon question (Ozon takes 2 to 3000)
    # When it is checked
    result = problems("Да", kind="question") + problems("!", kind="question")

    # Then only the one-character one is refused, for its length
    assert [(problem.check, problem.start) for problem in result] == [("length", None)]
    assert "at least 2" in result[0].message


def test_an_own_channel_has_no_marketplace_limit() -> None:
    assert problems("Спасибо! " * 700, None) == []


def test_a_kind_the_platform_takes_no_replies_to_is_not_a_text_problem() -> None:
    with pytest.raises(PermanentRejection, match="takes no replies to a chat"):
        check_reply(POLITE, marketplace="wildberries", kind="chat")


# ------------------------------------------------------------------ contacts and links


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("Позвоните нам: +7 912 345-67-89, поможем.", "+7 912 345-67-89"),
        ("Наш номер 8 (912) 345 67 89, звоните.", "8 (912) 345 67 89"),
        ("Напишите на help@myshop.ru, разберёмся.", "help@myshop.ru"),
        ("Мы в телеграме: t.me/myshop_msk", "t.me/myshop_msk"),
        ("Пишите @myshop_msk, ответим быстро.", "@myshop_msk"),
        ("Напишите нам в whatsapp", "Напишите нам в whatsapp"),
    ],
)
def test_a_contact_is_refused_at_its_span(text: str, contact: str) -> None:
    # Given a reply that leaves a contact, When it is checked for Ozon
    result = [problem for problem in problems(text) if problem.check == "contact"]

    # Then the contact check refuses one span holding the contact (with the messenger's name before it,
    # when one is), and the message says where
    assert len(result) == 1
    start, end = result[0].start, result[0].end
    assert start is not None and end is not None
    assert contact in text[start:end]
    assert text[start:end].endswith(contact)
    assert result[0].message.endswith(f"at {start}-{end}")


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Все размеры на myshop.ru, заходите.", "myshop.ru"),
        ("Смотрите https://myshop.ru/manual?id=7", "https://myshop.ru/manual?id=7"),
    ],
)
def test_a_link_to_a_site_is_refused_at_its_span(text: str, link: str) -> None:
    assert found(text, "link") == [link]
    assert found(text, "link", "yandex_market") == [link]


def test_a_link_to_the_marketplace_itself_and_a_call_to_the_store_are_not_refused() -> None:
    # Given a reply pointing to another product on Ozon and inviting to the seller's store there
    text = "Посмотрите также https://www.ozon.ru/product/123 — заходите в наш магазин!"

    # Then nothing is refused
    assert problems(text) == []


def test_a_messengers_link_is_one_contact_not_also_a_link() -> None:
    text = "Мы в телеграме: t.me/myshop_msk"
    assert [problem.check for problem in problems(text)] == ["contact"]


def test_the_sellers_allowed_site_passes_on_an_own_channel_but_never_on_a_marketplace() -> None:
    # Given a seller who allows their own site and turned contact flags off for incoming feedback
    settings = ModerationSettings(allow_words=("myshop.ru",), disabled_flags=("contacts", "advertising"))
    text = "Подробности на myshop.ru или по телефону +7 912 345-67-89"

    # When the same reply is checked for their own channel and for Ozon and Yandex Market
    own = [problem.check for problem in problems(text, None, moderation=settings)]
    ozon = [problem.check for problem in problems(text, "ozon", moderation=settings)]
    market = [problem.check for problem in problems(text, "yandex_market", moderation=settings)]

    # Then the site passes on their own channel only, and the phone is refused everywhere
    assert own == ["contact"]
    assert ozon == market == ["link", "contact"]


def test_every_link_of_a_reply_is_refused_at_its_own_span() -> None:
    text = "Подробности на myshop.ru и https://example.com/sale"
    assert found(text, "link") == ["myshop.ru", "https://example.com/sale"]


# ------------------------------------------------------------------ profanity and insults


@pytest.mark.parametrize(
    ("text", "word"), [("Блять, опять курьер опоздал", "Блять"), ("Это пиздец, простите", "пиздец")]
)
def test_an_obscene_word_is_refused_at_its_span(text: str, word: str) -> None:
    assert found(text, "profanity") == [word]
    assert problems(text)[0].message.startswith("profanity:")


def test_an_insult_of_the_buyer_is_refused_at_its_span() -> None:
    text = "Вы идиоты, раз не прочитали описание"
    assert found(text, "insult") == ["идиоты"]


def test_a_seller_who_allows_a_word_is_not_refused_for_it() -> None:
    # Given a brand that moderation reads as an insult, allowed by the seller
    text = "Вы идиоты, раз не прочитали описание"
    settings = ModerationSettings(allow_words=("идиоты",))

    # Then the reply is not refused for it
    assert found(text, "insult", moderation=settings) == []


# ------------------------------------------------------------------ stop-words


def test_a_stop_word_matches_the_whole_word_in_any_case() -> None:
    # Given the seller's stop-word "возврат"
    text = "Оформите ВОЗВРАТ через кабинет. Товар невозвратный, без возврата денег."

    # When the reply is checked
    result = found(text, "stop_word", stop_words=["возврат"])

    # Then "ВОЗВРАТ" is refused, other words holding it are not
    assert result == ["ВОЗВРАТ"]
    assert "the seller's stop-word 'возврат' at 9-16" in problems(text, stop_words=["возврат"])[0].message


def test_a_stop_word_ending_in_a_star_matches_every_ending_and_folds_yo() -> None:
    text = "Без возврата денег. Товар невозвратный. Ещё раз"
    assert found(text, "stop_word", stop_words=["возврат*", "еще"]) == ["возврата", "Ещё"]


def test_a_stop_phrase_matches_its_words_in_order_whatever_the_punctuation() -> None:
    text = "Мы не несём ответственности, курьер — ответственность службы доставки."
    assert found(text, "stop_word", stop_words=["служба доставки", "службы, доставки"]) == ["службы доставки"]


def test_no_stop_words_refuse_nothing() -> None:
    assert problems("Оформите возврат через кабинет.") == []


# ------------------------------------------------------------------ near-duplicates


RECENT = "Здравствуйте! Спасибо за ваш отзыв, нам очень приятно, что товар вам понравился."


def test_a_reply_differing_from_a_recent_one_by_a_word_and_punctuation_is_a_near_duplicate() -> None:
    # Given the last replies on the product, and a draft with one word changed and other punctuation
    draft = "Здравствуйте, спасибо за ваш отзыв! Нам очень приятно, что товар вам подошёл"

    # When it is checked
    result = problems(draft, recent=["Благодарим за покупку.", RECENT])

    # Then it is refused as a near-duplicate of the second recent reply, as a whole
    assert [(problem.check, problem.start, problem.end) for problem in result] == [("duplicate", None, None)]
    assert "recent reply 2 of 2" in result[0].message


def test_an_exact_duplicate_after_normalising_is_refused_whatever_the_similarity() -> None:
    draft = "ЗДРАВСТВУЙТЕ  спасибо за ВАШ отзыв нам очень приятно что товар вам понравился!!!"
    result = problems(draft, recent=[RECENT], similarity=1.0)
    assert [problem.check for problem in result] == ["duplicate"]
    assert "the same words as recent reply 1" in result[0].message


def test_yo_and_ye_are_the_same_letter_for_duplicates() -> None:
    assert [problem.check for problem in problems("Ждём вас снова!", recent=["ждем вас снова"])] == [
        "duplicate"
    ]


def test_a_different_reply_or_a_looser_draft_is_not_a_duplicate() -> None:
    # Given a reply that shares its greeting only, and the near-duplicate at a stricter threshold
    different = "Здравствуйте! Жаль, что размер не подошёл: оформите обмен в личном кабинете."
    near = "Здравствуйте, спасибо за ваш отзыв! Нам очень приятно, что товар вам подошёл"

    # Then neither is refused
    assert problems(different, recent=[RECENT]) == []
    assert problems(near, recent=[RECENT], similarity=0.99) == []


def test_a_similarity_outside_zero_to_one_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="similarity"):
        problems(POLITE, similarity=0)


# ------------------------------------------------------------------ template markup


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("Здравствуйте, {{ name }}! Спасибо за отзыв.", "{{ name }}"),
        ("Здравствуйте, [имя]! Спасибо за отзыв.", "[имя]"),
        ("Dear [name], thank you.", "[name]"),
        ("Здравствуйте, <ИМЯ>! Спасибо за отзыв.", "<ИМЯ>"),
        ("Здравствуйте, %name%! Спасибо за отзыв.", "%name%"),
        ("Спасибо!{% if rating > 4 %} Рады!", "{% if rating > 4 %}"),
        ("Спасибо за отзыв, Анна}}", "}}"),
        ("Спасибо {# заменить #} за отзыв", "{# заменить #}"),
    ],
)
def test_leftover_template_markup_is_refused_at_its_span(text: str, markup: str) -> None:
    assert found(text, "template_markup") == [markup]


def test_percent_signs_and_comparisons_are_not_markup() -> None:
    assert problems("Скидка 10% и ещё 20% до 5 мая; размер 3 < 5 > 2.") == []


# ------------------------------------------------------------------ several problems


def test_every_problem_is_listed_in_the_order_of_the_text_whole_text_ones_first() -> None:
    # Given a reply with markup, a stop-word and a phone, a near-duplicate of a recent reply
    text = "Здравствуйте, [имя]! Оформите возврат или звоните +7 912 345-67-89"

    # When it is checked
    result = problems(text, recent=[text.upper()], stop_words=["возврат"])

    # Then each check is named once, in the order of the text
    assert [problem.check for problem in result] == ["duplicate", "template_markup", "stop_word", "contact"]
    assert all(problem.message.startswith(f"{problem.check}:") for problem in result)


def test_a_link_after_a_word_starting_like_a_messenger_is_a_link() -> None:
    text = "Инструкция: https://myshop.ru/manual?id=7"
    assert [problem.check for problem in problems(text)] == ["link"]
