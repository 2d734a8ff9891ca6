"""Language detection: Russian or English, by the script the letters are written in."""

from __future__ import annotations

import pytest

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
