"""Language detection: Russian or English, by the script the letters are written in."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otklik.domain.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "Ужасное качество, порвалось через день",
        "Всё пришло вовремя, спасибо!",
        "ЁЖИК В ТУМАНЕ",
    ],
)
def test_russian_text_is_russian(text: str) -> None:
    assert detect_language(text) == "ru"


@pytest.mark.parametrize(
    "text",
    [
        "Terrible quality, it broke after a day",
        "Great backpack, fast delivery!",
    ],
)
def test_english_text_is_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Кроссовки Nike Air Max, размер XL, всё отлично",
        "Телефон Xiaomi пришёл с царапиной",
        "Заказывала S и M, обе малы",
    ],
)
def test_russian_with_latin_brand_names_and_sizes_is_still_russian(text: str) -> None:
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", ["", "   ", "👍🔥", "5/5 !!!", "12345"], ids=repr)
def test_text_without_letters_defaults_to_russian(text: str) -> None:
    assert detect_language(text) == "ru"


def letter_by_letter(text: str) -> str:
    """The rule as first written: addresses out, then one string a letter found, counted."""
    text = re.sub(r"(?:https?://|www\.)\S+|[@#][\w.]+|&\w+;", " ", text)
    cyrillic = len(re.findall(r"[А-Яа-яЁё]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if cyrillic == 0 and latin == 0:
        return "ru"
    return "ru" if cyrillic * 2 >= latin else "en"


@pytest.mark.parametrize(
    "text",
    [
        "ab я",  # two Latin to one Cyrillic: Russian, just
        "abc я",
        "ёЁ abcd",
        "https://t.co/abcdef хорошо",
        "HTTP://EXAMPLE.COM хорошо",  # an address only in lowercase
        "www.example.com да",
        "@shop_support @x.y да",
        "#sale #распродажа ok",
        "&amp;&quot; да",
        "& amp ; да",
        "ﬁ ﬂ K İ ı Ａ Ｂ я",  # letters that are not ASCII though they read as Latin
        "\ud800abc\udfff я",  # lone surrogates, as a JSON text may hold
        "Ӧ Ѓ І ї abc",  # Cyrillic letters outside Russian's alphabet do not count
        "abc\x00я\x00",
        "\n\t",
    ],
    ids=repr,
)
def test_counting_letters_in_runs_says_what_counting_them_one_by_one_says(text: str) -> None:
    assert detect_language(text) == letter_by_letter(text)


PIECES = st.sampled_from([*"aZzбЯёЁ@#&;.:/_ 1ﬁK\u212aİ", "http://", "https://", "www.", "&amp;"])


@given(st.lists(PIECES).map("".join))
def test_counting_letters_in_runs_agrees_on_any_mix_of_scripts_and_addresses(text: str) -> None:
    assert detect_language(text) == letter_by_letter(text)
