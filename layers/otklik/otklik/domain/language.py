"""Language of a feedback text: Russian or English, by the script its letters are written in."""

import re

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
# Addresses and handles are not language: a tweet's t.co link must not make Russian text English.
_NOT_LANGUAGE = re.compile(r"(?:https?://|www\.)\S+|[@#][\w.]+|&\w+;")


def strip_addresses(text: str) -> str:
    """The text without URLs, @handles, #tags and HTML entities."""
    return _NOT_LANGUAGE.sub(" ", text)


def detect_language(text: str) -> str:
    """'ru' when Cyrillic letters make up at least a third of the letters, else 'en'.

    Marketplace reviews mix in Latin brand names and sizes ("XL", "Xiaomi"), so a Russian text
    with some Latin words is still Russian; a text without letters is called 'ru', the
    language most of our users' feedback is in.
    """
    text = strip_addresses(text)
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == 0 and latin == 0:
        return "ru"
    return "ru" if cyrillic * 2 >= latin else "en"
