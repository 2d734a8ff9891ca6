"""PII masking: e-mails, phone numbers, card numbers, handles and names never travel onward; ordinary
text does. Names are pinned in test_pii_names.py."""

from __future__ import annotations

import pytest

from otklik.domain.pii import excerpt, mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("пишите на anna@example.com", "пишите на [email]"),
        ("Ivan.Petrov+shop@Mail.RU ответьте", "[email] ответьте"),
        ("(копия: a_b-c@sub.example.co.uk)", "(копия: [email])"),
    ],
)
def test_email_addresses_are_masked(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "phone",
    [
        "+7 912 345-67-89",
        "8 (912) 345-67-89",
        "89123456789",
        "+79123456789",
        "+7 (912) 345 67 89",
        "8-912-345-67-89",
        "8(912)345-67-89",
    ],
)
def test_russian_phone_numbers_in_common_formats_are_masked(phone: str) -> None:
    # Given a phone number inside a sentence
    text = f"звоните {phone}, после 18"

    # Then the number is replaced and the words around it stay
    assert mask_pii(text) == "звоните [phone], после 18"


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5469 3800 1234 5678"],
)
def test_card_numbers_are_masked(card: str) -> None:
    assert mask_pii(f"списали с карты {card}, дважды") == "списали с карты [card], дважды"


def test_a_masked_card_number_keeps_the_space_before_the_next_word() -> None:
    assert mask_pii("списали с карты 4111 1111 1111 1111 дважды") == "списали с карты [card] дважды"


@pytest.mark.parametrize(
    "text",
    [
        "размер 42",
        "через 2 дня",
        "заказ 123456 пришёл",
        "цена 1 990 руб, скидка 15%",
        "доставили 2026-11-22 в 14:30",
        "Great product, 10/10",
        "",
    ],
)
def test_ordinary_text_and_short_numbers_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_several_kinds_of_personal_data_in_one_text_are_all_masked() -> None:
    text = "Анна, anna@example.com, +7 912 345-67-89, карта 4111 1111 1111 1111, @anna_shop"

    assert mask_pii(text) == "[name], [email], [phone], карта [card], [handle]"


def test_masking_returns_a_new_text_and_leaves_the_raw_one_as_it_was() -> None:
    # Given a raw text as the store keeps it
    raw = "Меня зовут Анна, пишите anna@example.com или +7 912 345-67-89"

    # When it is masked for sending onward
    masked = mask_pii(raw, names=["Анна Петрова"])

    # Then the copy is masked and the raw text is unchanged
    assert masked == "Меня зовут [name], пишите [email] или [phone]"
    assert raw == "Меня зовут Анна, пишите anna@example.com или +7 912 345-67-89"


@pytest.mark.parametrize(
    "phone",
    [
        "+7 912 345-67-89",  # Russia
        "+7 (701) 123-45-67",  # Kazakhstan, mobile
        "+77011234567",  # Kazakhstan, as +77...
        "+375 29 123-45-67",  # Belarus
        "+380 67 123 45 67",  # Ukraine
        "+998 90 123 45 67",  # Uzbekistan
        "+996 555 123 456",  # Kyrgyzstan
        "+992 93 123 4567",  # Tajikistan
        "+993 65 123456",  # Turkmenistan
        "+994 50 123 45 67",  # Azerbaijan
        "+374 10 123456",  # Armenia
        "+995 555 12 34 56",  # Georgia
        "+373 69 123 456",  # Moldova
        "375291234567",  # Belarus without "+"
        "998 90 123 45 67",  # Uzbekistan without "+"
        "380671234567",  # Ukraine without "+"
        "8 029 123 45 67",  # Belarus, national
        "067 123 45 67",  # Ukraine, national
        "90 123 45 67",  # Uzbekistan, local
        "(93) 123-45-67",  # Tajikistan, local
    ],
)
def test_phone_numbers_of_russia_and_the_cis_in_every_format_are_masked(phone: str) -> None:
    assert mask_pii(f"звоните {phone}, после 18") == "звоните [phone], после 18"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("пишите в телегу @shop_msk", "пишите в телегу [handle]"),
        ("канал t.me/shop_msk.", "канал [handle]."),
        ("https://t.me/joinchat/AAAA-bbb", "[handle]"),
        ("напишите на wa.me/79123456789", "напишите на [handle]"),
        ("группа vk.com/best_shop, заходите", "группа [handle], заходите"),
        ("https://www.instagram.com/anna.shop/", "[handle]"),
        ("инст shop_msk", "инст [handle]"),
        ("в инстаграме: anna_shop", "в инстаграме: [handle]"),
        ("инста anna_shop", "инста [handle]"),
        # a word that only starts like one is not a messenger's name: "https" after it is no handle
        ("Инструкция: https://myshop.ru/manual", "Инструкция: https://myshop.ru/manual"),
        ("тг: anna_shop", "тг: [handle]"),
        ("в вк vasya1990 напишите", "в вк [handle] напишите"),
        ("как в инсте Zara", "как в инсте Zara"),
        ("почта anna@mail.ru", "почта [email]"),
    ],
)
def test_messenger_handles_and_links_are_masked(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


def test_the_keyword_arguments_keep_the_old_call_working() -> None:
    assert mask_pii("звоните +7 912 345-67-89") == mask_pii("звоните +7 912 345-67-89", names=())


def test_an_excerpt_is_masked_and_on_one_line() -> None:
    text = "Порвалось!\n\n  Пишите   anna@example.com\tили +7 912 345-67-89  "

    assert excerpt(text) == "Порвалось! Пишите [email] или [phone]"


def test_a_long_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    text = "очень " * 100

    short = excerpt(text, limit=40)

    assert len(short) <= 40
    assert short.endswith("…")
    assert short.startswith("очень очень")


def test_a_text_exactly_at_the_limit_is_not_cut() -> None:
    text = "а" * 280

    assert excerpt(text) == text
    assert excerpt(text + "б").endswith("…")
    assert len(excerpt(text + "б")) == 280


def test_an_email_on_a_cyrillic_domain_is_masked() -> None:
    # Given a customer who writes from an address on a .рф domain
    text = "пишите мне на покупатель@пример.рф, жду ответа"
    # When it is masked
    masked = mask_pii(text)
    # Then the address is gone and the words around it stay
    assert masked == "пишите мне на [email], жду ответа"
