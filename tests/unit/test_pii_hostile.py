"""PII masking against what a hostile or simply foreign text holds: numbers of other countries, long runs
of digits or address characters, and the ordinary numbers of a review that must stay readable.

How fast masking is is not asserted here (the suite has no timed tests): domain/pii.py says why each
pattern reads a character a bounded number of times, and `python -m tests.bench.bench_pii` shows
the figures. These tests hold what those same inputs must come out as.
"""

from __future__ import annotations

import pytest

from otklik.domain.pii import excerpt, mask_pii


@pytest.mark.parametrize(
    "phone",
    [
        "+375 29 123 45 67",  # Belarus, as issue 8 found it in Slack
        "+375 (29) 123-45-67",
        "+375291234567",
        "+7 727 123 45 67",  # Kazakhstan, Almaty
        "+7 (701) 123-45-67",  # Kazakhstan, mobile
        "+380 44 123 4567",  # Ukraine
        "+380.44.123.45.67",
        "+380-44-123-45-67",
        "+44 (0) 20 7946 0958",
        "+49 30 901820",
        "+86 138 0013 8000",
        "8.912.345.67.89",
        "8 800 555 35 35",
        "7 912 345 67 89",
    ],
)
def test_phone_numbers_of_other_countries_and_separators_are_masked(phone: str) -> None:
    # Given a customer who leaves a number in a sentence
    text = f"звоните {phone}, после 18"

    # Then the number is gone and the words around it stay
    assert mask_pii(text) == "звоните [phone], после 18"


def test_a_bracketed_number_keeps_its_own_brackets() -> None:
    assert mask_pii("мой номер (+375 29 123-45-67) до вечера") == "мой номер ([phone]) до вечера"


def test_a_belarusian_number_does_not_reach_the_excerpt() -> None:
    assert excerpt("Перезвоните: +375 29 123 45 67\nЖду") == "Перезвоните: [phone] Жду"


@pytest.mark.parametrize(
    "text",
    [
        "заказ 123456 пришёл без чехла",
        "стоит 1 299 ₽, а в магазине 1 499 ₽",
        "цена 12 990 руб.",
        "доставили 2026-11-22, обещали 2026-11-20",
        "размер 42-44 маломерит",
        "рост 170-175, вес 65",
        "+10 баллов, +15% к скидке",
        "артикул 4411-02",
        "оценка 5/5, 10 из 10",
        "с 9:00 до 18:00",
    ],
)
def test_order_numbers_prices_dates_and_sizes_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("x@y@example.com", "x@[email]"),
        ("a@example.com.123", "[email].123"),
        ("пишите anna@example.com.", "пишите [email]."),
        ("Ivan.Petrov+shop@Mail.RU и ivan@mail.ru", "[email] и [email]"),
    ],
)
def test_an_address_is_masked_up_to_its_top_level_domain(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("1" * 20_000, "1" * 20_000),
        ("1 " * 10_000, "[card] " * 526 + "1 " * 6),
        ("+7(" * 5_000, "+7(" * 5_000),
        ("a" * 20_000, "a" * 20_000),
        ("a." * 10_000, "a." * 10_000),
        ("a@" * 10_000, "a@" * 10_000),
        ("a@b." * 5_000, "a@b." * 5_000),
        ("x" * 20_000 + "@example.com", "[email]"),
        ("x@" + "sub." * 5_000 + "ru", "[email]"),
    ],
    ids=[
        "digits",
        "spaced-digits",
        "phone-openings",
        "letters",
        "dotted",
        "ats",
        "address-stubs",
        "long-local",
        "deep-domain",
    ],
)
def test_long_runs_of_digits_and_address_characters_are_masked_as_what_they_are(
    text: str, masked: str
) -> None:
    # Given texts that made the old patterns backtrack (3.6 s for 20,000 digits), When masked,
    # Then what is an address or a card is masked and the rest comes back unchanged
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("@ab " * 5_000, "@ab " * 5_000),
        ("@abc " * 4_000, "[handle] " * 4_000),
        ("t.me/ " * 4_000, "t.me/ " * 4_000),
        ("инст " * 4_000, "инст " * 4_000),
        ("Анна " * 4_000, "[name] "),
        ("А. " * 6_000, "А. " * 6_000),
        ("Вера, " * 3_000, "Вера, " * 3_000),
        ("Петрова " * 2_500, "Петрова " * 2_500),
    ],
    ids=[
        "short-ats",
        "handles",
        "link-stubs",
        "messenger-words",
        "names",
        "initials",
        "ordinary-names",
        "surnames",
    ],
)
def test_long_runs_of_handles_messenger_words_and_name_parts_are_masked_as_what_they_are(
    text: str, masked: str
) -> None:
    # Given runs of what the handle, link and name rules look for, When masked, Then each is what it is
    # (names side by side are one name: one placeholder)
    assert mask_pii(text) == masked
