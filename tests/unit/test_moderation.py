"""Moderation: each flag on hand-written sentences, the span that raised it, and the strong but clean
complaints that must never be flagged (a false flag costs more than a miss)."""

from __future__ import annotations

import pytest

from otklik.domain.moderation import FLAGS, Moderation, SeenText, moderate, text_fingerprint


def spans(text: str, flag: str) -> list[str]:
    """The texts of the spans that raised `flag` on text."""
    result = moderate(text)
    found = [reason.text for reason in result.reasons if reason.flag == flag]
    assert (flag in result.flags) == bool(found)
    return found


# ------------------------------------------------------------------ the result itself


def test_a_reason_names_its_flag_its_span_and_why() -> None:
    # Given an advertisement
    text = "КУПИТЕ на сайте casino777.com!!!"

    # When it is moderated
    result = moderate(text)

    # Then the flag is advertising, and every reason's span is the very text it quotes
    assert result.flags == ("advertising",)
    assert [reason.text for reason in result.reasons] == ["КУПИТЕ на сайте", "casino777.com"]
    for reason in result.reasons:
        assert text[reason.start : reason.end] == reason.text
        assert reason.why
    assert result.reasons[1].why == "a link to a site"
    assert result.spans() == ((0, 15), (16, 29))


def test_flags_come_in_the_documented_order_and_reasons_in_the_order_of_the_text() -> None:
    # Given a text that insults, swears and leaves a contact
    result = moderate("пишите на @shop_msk, продавец дебил, бля")

    # Then flags follow FLAGS, reasons the text
    assert result.flags == ("contacts", "profanity", "insult")
    assert [reason.flag for reason in result.reasons] == ["contacts", "insult", "profanity"]
    assert list(result.flags) == [flag for flag in FLAGS if flag in result.flags]


def test_a_reason_reads_as_one_line_for_a_person() -> None:
    [reason] = moderate("продавец дебил").reasons
    assert reason.line() == "insult: 'дебил' (9-14): abuse aimed at a person: 'продавец'"


def test_spans_stay_right_after_characters_that_lowercase_to_two() -> None:
    # Given "İ", which lowercases to two characters, before the flagged word
    text = "İİİ продавец дебил"

    [reason] = moderate(text).reasons

    assert text[reason.start : reason.end] == reason.text == "дебил"


def test_a_clean_text_has_no_flags_and_no_reasons() -> None:
    assert moderate("Хорошая куртка, тёплая, размер в размер") == Moderation(flags=(), reasons=())


def test_the_text_passed_in_is_left_as_it_was() -> None:
    text = "Продавец дебил, пишите @shop_msk"
    moderate(text)
    assert text == "Продавец дебил, пишите @shop_msk"


# ------------------------------------------------------------------ clean complaints are never flagged


@pytest.mark.parametrize(
    "text",
    [
        "Кошмар, а не куртка!",
        "Отвратительно. Просто отвратительно.",
        "Блин, опять не тот размер",
        "Фигня полная, не берите",
        "Ужас ужасный, верните деньги",
        "Дерьмо, а не товар",
        "Говно качество, через день порвалось",
        "Хрен его знает, почему так воняет",
        "Нахер такое счастье, возврат оформила",
        "Херня, а не наушники",
        "Капец, пришло разбитое",
        "Жесть, а не упаковка",
        "Офигеть, как быстро порвалось",
        "Хреново сшито, нитки торчат",
        "Мерзость, запах химии на всю квартиру",
        "Позор такому бренду",
        "Вы меня оскорбляете своим ответом",
        "Это оскорбление для покупателя, а не товар",
        "Хамство сотрудников пункта выдачи",
        "Ужасный товар, ужасный продавец",
        "Тупой нож, не режет даже хлеб",
        "Ножницы тупые, продавец не ответил",
        "Продавец прислал тупые ножницы",
        "Я дура, что купила это",
        "Чувствую себя идиоткой, что заказала второй раз",
        "Вы меня за идиота держите?",
        "Курьер нормальный, не урод какой-нибудь",
        "Сука, опять порвалось",
        "Игрушка козёл для сына, рога мягкие",
        "Жопа, а не качество",
        "Мошенники! Прислали подделку",
        "Продавец обманщик, товар не соответствует",
        "Сабля пластмассовая, сломалась",
        "Стоит 990 рублей, за эти деньги нормально",
        "Не рекомендую употреблять этот чай",
        "Хлебать такой суп невозможно",
        "Долго колебалась, но купила",
        "Страховка на доставку не помогла",
        "Скипидар пахнет резко",
        "Психопат какой-то проектировал эту застёжку",
        "Хуже товара не видела",
        "Хулиганы во дворе порвали, а сам рюкзак хороший",
        "Телефон Huawei пришёл без зарядки",
        "Мудрое решение вернуть деньги",
        "Мандарины кислые",
        "Себестоимость такой вещи копейки",
        "Не покупайте в этом магазине",
        "Лучше купите на сайте производителя, там дешевле",
        "Заказывала на wildberries.ru, пришло быстро",
        "Вотсап продавца не отвечает",
        "Позвонила в поддержку по телефону, не помогли",
        "Промокод не сработал, скидку не дали",
        "Заработок мужа ушёл на этот диван",
        "Купила за баллы, отзыв пишу честный",
        "Пишу не ради баллов, а чтобы предупредить",
        "Спасибо за отзыв",
        "Очень очень очень довольна",
        "Ебург, доставка три дня",
        "ЕБЕЙ дешевле, но ждать месяц",
        "Размер 42-44, рост 170",
        "Номер обращения 181010-0984, ответа нет",
        "ок",
        "норм",
        "👍",
        "ааа",
        "Супер!!!",
        "5/5",
    ],
)
def test_strong_but_clean_complaints_and_ordinary_texts_are_not_flagged(text: str) -> None:
    # Given a text a marketplace publishes, When moderated, Then nothing is flagged
    assert moderate(text).flags == ()


# ------------------------------------------------------------------ advertising


@pytest.mark.parametrize(
    ("text", "span", "why"),
    [
        ("КУПИТЕ на сайте casino777.com!!!", "casino777.com", "a link to a site"),
        ("Смотрите тут https://best-shop.ru/sale?x=1.", "https://best-shop.ru/sale?x=1", "a link to a site"),
        ("Дешевле на www.kupi-tut.com", "www.kupi-tut.com", "a link to a site"),
        ("заходите в наш магазин", "заходите в наш магазин", "calls to buy or visit elsewhere"),
        ("Подписывайтесь на наш канал", "Подписывайтесь на наш канал", "calls to buy or visit elsewhere"),
        ("Переходите по ссылке в профиле", "Переходите по ссылке", "calls to buy or visit elsewhere"),
        ("Заказывайте у нас, дешевле", "Заказывайте у нас", "calls to buy or visit elsewhere"),
        ("промокод SALE20 на всё", "промокод SALE20", "a promo code"),
        ("По промокоду LETO скидка", "промокоду LETO", "a promo code"),
        ("заработок от 5000 в день", "заработок от 5000", "an offer of earnings"),
        ("Заработай 3000 в день не выходя", "Заработай 3000 в день", "an offer of earnings"),
        ("Работа на дому, пишите", "Работа на дому", "an offer of earnings"),
        ("Доход без вложений каждый день", "Доход без вложений", "an offer of earnings"),
    ],
)
def test_advertising_is_flagged_with_its_span(text: str, span: str, why: str) -> None:
    result = moderate(text)
    reasons = [(reason.text, reason.why) for reason in result.reasons if reason.flag == "advertising"]
    assert (span, why) in reasons


def test_a_link_to_the_marketplace_itself_is_not_advertising() -> None:
    assert spans("Нашла дешевле на ozon.ru и market.yandex.ru", "advertising") == []


# ------------------------------------------------------------------ contacts


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("пишите в телегу @shop_msk", "@shop_msk"),
        ("пишите в телегу @shop_msk", "пишите в телегу"),
        ("ватсап 8 912 ...", "ватсап 8 912"),
        ("Вотсап: 8 (912) 345-67-89", "Вотсап: 8 (912) 345-67-89"),
        ("наш vk.com/best_shop", "vk.com/best_shop"),
        ("инст shop_msk", "инст shop_msk"),
        ("канал t.me/shop_msk.", "t.me/shop_msk"),
        ("напишите на wa.me/79123456789", "напишите на wa.me/79123456789"),
        ("почта shop@mail.ru", "shop@mail.ru"),
        ("звоните +375 29 123-45-67", "+375 29 123-45-67"),
        ("Пишите в лс, отвечу", "Пишите в лс"),
        ("добавляйтесь в вк", "добавляйтесь в вк"),
    ],
)
def test_contacts_are_flagged_with_their_span(text: str, span: str) -> None:
    assert span in spans(text, "contacts")


def test_numbers_that_are_not_phones_are_not_contacts() -> None:
    # Given an appeal number, a tax number and an order number
    for text in ("обращение 181010-0984", "ИНН 4705055743", "заказ 123456789 не пришёл"):
        # Then none is a contact
        assert spans(text, "contacts") == []


# ------------------------------------------------------------------ profanity


@pytest.mark.parametrize(
    "word",
    [
        "хуй",
        "нахуй",
        "похуй",
        "охуенно",
        "хуйня",
        "хуёвый",
        "пиздец",
        "спиздили",
        "распиздяй",
        "ебать",
        "заебал",
        "ёбаный",
        "съебался",
        "выёбываться",
        "долбоёб",
        "блядь",
        "бля",
        "блять",
        "выблядок",
        "мудак",
        "пидорас",
        "залупа",
        "ХУЙНЯ",
    ],
)
def test_obscene_words_in_their_forms_are_profanity(word: str) -> None:
    assert spans(f"ну и {word} этот товар", "profanity") == [word]


@pytest.mark.parametrize(
    ("text", "span", "why"),
    [
        ("х*й знает", "х*й", "an obscene word, masked"),
        ("бл@, опять", "бл@", "an obscene word, masked"),
        ("полный п*здец", "п*здец", "an obscene word, masked"),
        ("п**дец полный", "п**дец", "an obscene word, masked"),
        ("з@ебали уже", "з@ебали", "an obscene word, masked"),
        ("*ля, порвалось", "*ля", "an obscene word, masked"),
        ("xуйня какая-то", "xуйня", "an obscene word, Latin letters or digits for Cyrillic ones"),
        ("6лять, опять", "6лять", "an obscene word, Latin letters or digits for Cyrillic ones"),
        ("х у й знает", "х у й", "an obscene word, letters spaced out"),
        ("б.л.я.т.ь", "б.л.я.т.ь", "an obscene word, letters spaced out"),
        ("blyat, slomalos", "blyat", "an obscene word in Latin letters"),
    ],
)
def test_masked_and_disguised_spellings_are_profanity(text: str, span: str, why: str) -> None:
    result = moderate(text)
    assert [(reason.text, reason.why) for reason in result.reasons if reason.flag == "profanity"] == [
        (span, why)
    ]


@pytest.mark.parametrize("text", ["бл*н, опять", "с*ка", "#билайн не ловит", "@bla_shop", "х**", "*Отлично*"])
def test_masks_that_hide_no_obscene_word_are_not_profanity(text: str) -> None:
    assert spans(text, "profanity") == []


# ------------------------------------------------------------------ insult


@pytest.mark.parametrize(
    ("text", "span", "why"),
    [
        ("продавец дебил", "дебил", "abuse aimed at a person: 'продавец'"),
        ("вы идиоты", "идиоты", "abuse aimed at the reader: 'вы'"),
        ("курьер урод", "урод", "abuse aimed at a person: 'курьер'"),
        ("Продавец, вы что, тупые?", "тупые", "abuse aimed at the reader: 'вы'"),
        ("тупой продавец, не отвечает", "тупой", "abuse aimed at a person: 'продавец'"),
        ("Криворукие упаковщики всё помяли", "Криворукие", "abuse aimed at a person: 'упаковщики'"),
        ("Какой дебил это упаковывал?", "дебил", "abuse aimed at a person: 'Какой'"),
        ("Дебилы, верните деньги", "Дебилы", "abuse aimed at the reader: 'верните'"),
        ("Уроды!!!", "Уроды", "abuse shouted at the reader"),
        ("Ну ты и сука", "сука", "abuse aimed at the reader: 'ты'"),
        ("Курьер козёл, бросил коробку", "козёл", "abuse aimed at a person: 'Курьер'"),
        ("Сотрудники склада — мрази", "мрази", "abuse aimed at a person: 'Сотрудники'"),
    ],
)
def test_abuse_aimed_at_a_person_is_an_insult(text: str, span: str, why: str) -> None:
    result = moderate(text)
    assert [(reason.text, reason.why) for reason in result.reasons if reason.flag == "insult"] == [
        (span, why)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "ужасный товар",
        "тупой нож",
        "Тупые ножницы, не режут",
        "Убогий дизайн, но работает",
        "Идиотская застёжка",
        "Товар урод какой-то",
        "Я полная дура, перепутала размер",
        "Мы дураки, что поверили фото",
        "Дура я, что не посмотрела отзывы",
        "Выгляжу в ней как дура",
        "Сама дура, не посмотрела размер",
        "Не будьте лохами, не берите",
    ],
)
def test_abuse_of_a_product_or_of_oneself_is_not_an_insult(text: str) -> None:
    assert spans(text, "insult") == []


def test_an_obscene_word_for_a_person_is_both_profanity_and_insult() -> None:
    result = moderate("Продавец мудак")
    assert result.flags == ("profanity", "insult")
    assert {reason.text for reason in result.reasons} == {"мудак"}


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("you idiots", ("insult",)),
        ("the seller is stupid", ("insult",)),
        ("fucking courier", ("profanity",)),
        ("stupid knife, does not cut", ()),
        ("I am an idiot for buying this", ()),
        ("Awful quality, terrible, a disaster", ()),
    ],
)
def test_english_texts_are_moderated_by_the_same_rules(text: str, flags: tuple[str, ...]) -> None:
    assert moderate(text).flags == flags


# ------------------------------------------------------------------ gibberish


@pytest.mark.parametrize(
    "text", ["ывапролдж", "asdfgh", "ааааааа", "йцукен фыва", "sdfsdf sdfsdf", "пзжцкмнр"]
)
def test_keyboard_mashing_without_words_is_gibberish(text: str) -> None:
    # Given mashing, Then the whole text is the span
    assert spans(text, "gibberish") == [text]


@pytest.mark.parametrize(
    "text",
    [
        "ок",
        "норм",
        "👍",
        "ыыы",
        "5",
        "Аааааа, восторг!",
        "ывапролдж, но товар хороший",
        "Ахахахаха",
        "Класс",
        "Xiaomi",
    ],
)
def test_short_real_texts_and_texts_with_words_are_not_gibberish(text: str) -> None:
    assert spans(text, "gibberish") == []


# ------------------------------------------------------------------ fake signals


@pytest.mark.parametrize(
    ("text", "span", "why"),
    [
        ("Отзыв за баллы", "Отзыв за баллы", "a review written for a reward"),
        ("пишу ради кэшбэка", "пишу ради кэшбэка", "a review written for a reward"),
        ("За баллы пишу отзыв, товар так себе", "За баллы пишу", "a review written for a reward"),
        ("за отзыв обещали 200 рублей", "за отзыв обещали", "a reward was promised for the review"),
        ("За отзыв начислят бонусы", "За отзыв начислят", "a reward was promised for the review"),
        (
            "Продавец попросил поставить 5 звезд",
            "попросил поставить 5 звезд",
            "the seller asked for a good review",
        ),
        (
            "Нас попросили оставить положительный отзыв за кэшбэк",
            "попросили оставить положительный отзыв",
            "the seller asked for a good review",
        ),
    ],
)
def test_a_review_written_for_a_reward_is_a_fake_signal(text: str, span: str, why: str) -> None:
    # Given a review tied to a reward, Then a fake signal's span holds the words that tie them
    result = moderate(text)
    assert result.flags == ("fake_signal",)
    assert any(span in reason.text and reason.why == why for reason in result.reasons)


def test_one_phrase_said_again_and_again_is_a_fake_signal() -> None:
    # Given a review padded with one phrase
    text = "Отличный товар! Всем советую! Отличный товар! Всем советую! Отличный товар! Всем советую!"

    # Then the run is the span and the reason names the phrase
    [reason] = moderate(text).reasons
    assert (reason.flag, reason.start, reason.end) == ("fake_signal", 0, len(text) - 1)
    assert reason.why == "one phrase said 3 times in a row: 'Отличный товар Всем советую'"


def test_one_word_six_times_is_repetition_and_three_times_is_emphasis() -> None:
    assert spans("рекомендую " * 6, "fake_signal") == [("рекомендую " * 6).strip()]
    assert spans("очень очень очень хорошо", "fake_signal") == []


LONG = "Куртка пришла быстро, ткань плотная, капюшон держится, размер соответствует таблице продавца"


def test_the_same_text_seen_before_from_another_author_is_a_fake_signal() -> None:
    # Given a long text whose fingerprint the store knows from another author
    seen = SeenText(author="author-1", product="p-1")

    # When another author posts it
    result = moderate(LONG, author="author-2", product="p-1", seen_before=seen)

    # Then it is flagged over the whole text
    [reason] = result.reasons
    assert (reason.flag, reason.text) == ("fake_signal", LONG)
    assert reason.why == "the same text was posted before by another author"


def test_the_same_text_from_the_same_author_about_another_product_is_a_fake_signal() -> None:
    result = moderate(
        LONG, author="author-1", product="p-2", seen_before=SeenText(author="author-1", product="p-1")
    )
    assert [reason.why for reason in result.reasons] == [
        "the same text was posted before about another product"
    ]


def test_the_same_author_on_the_same_product_is_not_a_fake_signal() -> None:
    # Given a redelivery or an edit: same author, same product
    result = moderate(
        LONG, author="author-1", product="p-1", seen_before=SeenText(author="author-1", product="p-1")
    )
    assert result.flags == ()


def test_a_short_common_text_seen_before_is_not_a_fake_signal() -> None:
    # Given "Всё отлично, спасибо!", which thousands of people write
    text = "Всё отлично, спасибо!"
    assert text_fingerprint(text) is None

    result = moderate(text, author="b", seen_before=SeenText(author="a"))

    assert result.flags == ()


def test_a_fingerprint_ignores_case_punctuation_digits_and_spacing_but_not_words() -> None:
    fingerprint = text_fingerprint(LONG)
    assert fingerprint is not None and len(fingerprint) == 64
    assert text_fingerprint("  " + LONG.upper().replace(",", " !!! ") + " 10/10 😊") == fingerprint
    assert text_fingerprint(LONG.replace("ё", "е")) == fingerprint
    assert text_fingerprint(LONG.replace("плотная", "тонкая")) != fingerprint


# ------------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    "text",
    [
        "а" * 20_000,
        "по" * 10_000,
        "х*" * 10_000,
        "а " * 10_000,
        "a." * 10_000,
        "x1" * 10_000,
        "@" * 20_000,
        "купите " * 3_000,
        "за отзыв " * 2_000,
    ],
    ids=["letters", "prefixes", "masks", "spaced", "dotted", "mixed", "ats", "calls", "rewards"],
)
def test_long_hostile_texts_come_back_with_spans_inside_the_text(text: str) -> None:
    # Given texts built to make patterns backtrack, When moderated, Then every span is in the text
    for reason in moderate(text).reasons:
        assert 0 <= reason.start <= reason.end <= len(text)
        assert text[reason.start : reason.end] == reason.text
