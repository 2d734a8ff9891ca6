"""Topics with their own polarity: each topic, negation, contrast, the labeller's conventions, evidence."""

from __future__ import annotations

import pytest

from otklik.domain.tonality import score_text
from otklik.domain.topics import TOPICS, TopicMention, detect_topics, topics_of


def found(text: str, lang: str | None = None) -> dict[str, str]:
    return {mention.topic: mention.polarity for mention in topics_of(text, lang)}


def mention(text: str, topic: str) -> TopicMention:
    (only,) = [m for m in topics_of(text) if m.topic == topic]
    return only


# ------------------------------------------------------------------ each topic, in its usual words


@pytest.mark.parametrize(
    ("text", "topic", "polarity"),
    [
        ("Через неделю порвался шов", "quality", "negative"),
        ("Сломался на второй день", "quality", "negative"),
        ("Не работает, даже не включается", "quality", "negative"),
        ("Крем не держится на коже", "quality", "negative"),
        ("Эффекта ноль", "quality", "negative"),
        ("Брак, нитки торчат", "quality", "negative"),
        ("Очень вкусный чай", "quality", "positive"),
        ("Работает отлично", "quality", "positive"),
        ("Маломерит на размер", "size_fit", "negative"),
        ("Размер в размер", "size_fit", "positive"),
        ("Куртка великовата в плечах", "size_fit", "negative"),
        ("Цвет не соответствует описанию", "description_mismatch", "negative"),
        ("Всё как на фото", "description_mismatch", "positive"),
        ("Прислали не тот товар", "wrong_or_missing_item", "negative"),
        ("Пришёл синий вместо чёрного", "wrong_or_missing_item", "negative"),
        ("Не доложили одну банку", "wrong_or_missing_item", "negative"),
        ("В комплекте не было инструкции", "wrong_or_missing_item", "negative"),
        ("Доставка быстрая", "delivery", "positive"),
        ("Посылка шла целый месяц", "delivery", "negative"),
        ("Курьер опоздал на два дня", "delivery", "negative"),
        ("Упаковка порвана", "packaging", "negative"),
        ("Упаковано надёжно, в пупырку", "packaging", "positive"),
        ("Химический запах, воняет на всю квартиру", "smell", "negative"),
        ("Приятный аромат", "smell", "positive"),
        ("Цена кусается", "price_value", "negative"),
        ("За такие деньги просто отлично", "price_value", "positive"),
        ("Брала по скидке", "price_value", "positive"),
        ("Продавец не отвечает на сообщения", "seller_service", "negative"),
        ("Спасибо продавцу за быструю отправку", "seller_service", "positive"),
        ("Оформила возврат", "returns_refunds", "neutral"),
        ("Отказалась на пункте выдачи", "returns_refunds", "neutral"),
        ("Возврат не принимают", "returns_refunds", "negative"),
        ("Явная подделка", "counterfeit", "negative"),
        ("Не оригинал, проверила по коду", "counterfeit", "negative"),
        ("Оригинал, проверено", "counterfeit", "positive"),
    ],
)
def test_each_topic_is_found_with_the_polarity_its_words_give(text: str, topic: str, polarity: str) -> None:
    # Given a review naming one topic, When its topics are found, Then that topic has that polarity
    assert found(text).get(topic) == polarity, topics_of(text)


def test_the_eleven_topics_are_named_as_in_topics_md() -> None:
    assert TOPICS == (
        "quality",
        "size_fit",
        "description_mismatch",
        "wrong_or_missing_item",
        "delivery",
        "packaging",
        "smell",
        "price_value",
        "seller_service",
        "returns_refunds",
        "counterfeit",
    )


# ------------------------------------------------------------------ contrast: each clause its own polarity


def test_delivery_and_quality_on_two_sides_of_but_keep_their_own_polarity() -> None:
    # Given the example of TOPICS.md
    topics = found("Доставка быстрая, но качество ужасное")

    # Then each topic has the polarity of its own clause
    assert topics == {"delivery": "positive", "quality": "negative"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Упаковка целая, а вот сам чехол треснул", {"packaging": "positive", "quality": "negative"}),
        ("Пахнет ужасно, зато размер подошёл", {"smell": "negative", "size_fit": "positive"}),
        ("Дорого, однако качество отличное", {"price_value": "negative", "quality": "positive"}),
    ],
)
def test_contrast_words_separate_the_topics_they_join(text: str, expected: dict[str, str]) -> None:
    assert found(text) == expected


# ------------------------------------------------------------------ negation and absence


@pytest.mark.parametrize(
    ("text", "topic", "polarity"),
    [
        ("Не маломерит", "size_fit", "positive"),
        ("Ничего не порвалось, шов не разошёлся", "quality", "positive"),
        ("Запаха нет", "smell", "positive"),
        ("Совсем без запаха", "smell", "positive"),
        ("Аромата нет совсем", "smell", "negative"),
        ("Коробки не было, пришло в пакете", "packaging", "negative"),
        ("Пришло без упаковки", "packaging", "negative"),
        ("Эффекта не заметила", "quality", "negative"),
        ("Никакого эффекта", "quality", "negative"),
        ("Не подделка", "counterfeit", "positive"),
    ],
)
def test_a_negated_or_absent_cue_takes_the_polarity_its_absence_means(
    text: str, topic: str, polarity: str
) -> None:
    assert found(text).get(topic) == polarity, topics_of(text)


def test_a_comparison_is_negated_across_its_comma() -> None:
    # "как на фото" alone is praise; after "не такой," it is the complaint
    assert found("Флакон совсем не такой, как на фото") == {"description_mismatch": "negative"}


# ------------------------------------------------------------------ the labeller's conventions


@pytest.mark.parametrize(
    "text", ["Рекомендую!", "Всё отлично, спасибо", "Всё супер", "Не впечатлил", "Нравится", "Спасибо!"]
)
def test_general_praise_or_a_verdict_with_nothing_specific_names_no_topic(text: str) -> None:
    assert found(text) == {}


def test_a_bare_thanks_is_not_seller_service_but_thanks_to_the_seller_is() -> None:
    assert "seller_service" not in found("Спасибо, всё пришло")
    assert found("Спасибо продавцу!") == {"seller_service": "positive"}


def test_a_functional_failure_outweighs_minor_praise() -> None:
    # Given praise and a failure of the product in one review (TOPICS.md's convention)
    assert found("Крем хороший, но не держится") == {"quality": "negative"}


def test_a_wrong_size_arriving_is_a_wrong_item_not_a_fit_problem() -> None:
    topics = found("Пришёл другой размер")

    assert topics == {"wrong_or_missing_item": "negative"}


def test_a_plain_refusal_is_neutral_and_a_blocked_return_negative() -> None:
    assert found("Отказ") == {"returns_refunds": "neutral"}
    assert found("Продавец отказал в возврате")["returns_refunds"] == "negative"


def test_arriving_whole_is_delivery_praise() -> None:
    assert found("Всё пришло целое") == {"delivery": "positive"}


def test_large_things_said_in_passing_are_no_remarks_on_size() -> None:
    # "большое спасибо" thanks, "больше не куплю" refuses: neither speaks of the size
    assert "size_fit" not in found("Большое спасибо, больше не куплю")


# ------------------------------------------------------------------ evidence


def test_the_evidence_is_the_span_of_the_text_that_names_the_topic() -> None:
    text = "Доставка быстрая, но качество ужасное"

    delivery, quality = topics_of(text)

    assert (delivery.evidence, quality.evidence) == ("Доставка быстрая", "качество ужасное")
    for found_mention in (delivery, quality):
        assert text[found_mention.start : found_mention.end] == found_mention.evidence


def test_the_evidence_keeps_the_texts_own_spelling_and_shows_the_negation() -> None:
    text = "Пришло БЕЗ КОРОБКИ, а запаха нет."

    assert mention(text, "packaging").evidence == "БЕЗ КОРОБКИ"
    assert mention(text, "smell").evidence == "запаха нет"


def test_quality_found_by_what_happened_points_at_those_words() -> None:
    text = "Купила дочке рюкзак. Через неделю порвалась лямка"

    assert mention(text, "quality").evidence == "порвалась"


def test_mentions_come_in_the_order_of_the_text() -> None:
    topics = topics_of("Качество хорошее. Упаковка мятая. Доставка долгая")

    assert [m.topic for m in topics] == ["quality", "packaging", "delivery"]
    assert [m.start for m in topics] == sorted(m.start for m in topics)


def test_a_text_without_words_has_no_topics() -> None:
    assert topics_of("") == ()
    assert topics_of("!!! ))) 5/5") == ()


# ------------------------------------------------------------------ the API the pipeline uses


def test_detect_topics_uses_the_tonality_computed_for_the_item() -> None:
    # Given the tonality engine's result, computed once for the item
    text = "Доставка быстрая, но качество ужасное"
    scored = score_text(text, "ru")
    assert scored.russian is not None

    # When topics are detected from it, Then they are what topics_of finds in one call
    assert detect_topics(text, "ru", scored.russian.contributions) == topics_of(text)


def test_the_polarity_comes_from_the_contributions_passed_in() -> None:
    # Given no evaluative contribution at all for a text whose only topic cue takes its clause's word
    mentions = detect_topics("Доставка быстрая", "ru", ())

    # Then the topic is named, but nothing judged it
    assert [(m.topic, m.polarity) for m in mentions] == [("delivery", "neutral")]


# ------------------------------------------------------------------ English, by the same design


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The fabric ripped after a week, but delivery was fast",
            {"quality": "negative", "delivery": "positive"},
        ),
        ("Runs small, order one size up", {"size_fit": "negative"}),
        ("Smells awful", {"smell": "negative"}),
        (
            "Not as described, and a part is missing",
            {"description_mismatch": "negative", "wrong_or_missing_item": "negative"},
        ),
        ("It is a fake, not genuine", {"counterfeit": "negative"}),
        ("Great value for money", {"price_value": "positive"}),
        ("The packaging was damaged", {"packaging": "negative"}),
        ("I returned it and got a refund", {"returns_refunds": "neutral"}),
        ("Great, love it!", {}),
    ],
)
def test_english_reviews_get_topics_by_the_same_rules(text: str, expected: dict[str, str]) -> None:
    assert found(text, "en") == expected
