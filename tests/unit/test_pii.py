"""PII masking: e-mails, Russian phone numbers and card numbers never travel onward; ordinary text does."""

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
    text = "Анна, anna@example.com, +7 912 345-67-89, карта 4111 1111 1111 1111"

    assert mask_pii(text) == "Анна, [email], [phone], карта [card]"


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
