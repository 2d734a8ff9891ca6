"""Language of a feedback text: Russian or English, by the script its letters are written in."""

import re

_CYRILLIC = re.compile(r"[А-Яа-яЁё]+")
# The ASCII characters that are not Latin letters: what is left of a text's ASCII once they are
# deleted is its Latin letters (counted in C, with no string made per letter).
_ASCII_NOT_LATIN = bytes(code for code in range(128) if not (65 <= code <= 90 or 97 <= code <= 122))
# Addresses and handles are not language: a tweet's t.co link must not make Russian text English.
_NOT_LANGUAGE = re.compile(r"(?:https?://|www\.)\S+|[@#][\w.]+|&\w+;")


def strip_addresses(text: str) -> str:
    """The text without URLs, @handles, #tags and HTML entities."""
    # _NOT_LANGUAGE matches only where one of these is: a text with none is left as it is (substring
    # tests cost far less than a search).
    if "@" in text or "#" in text or "&" in text or "http" in text or "www." in text:
        return _NOT_LANGUAGE.sub(" ", text)
    return text


def detect_language(text: str) -> str:
    """'ru' when Cyrillic letters make up at least a third of the letters, else 'en'.

    Marketplace reviews mix in Latin brand names and sizes ("XL", "Xiaomi"), so a Russian text
    with some Latin words is still Russian; a text without letters is called 'ru', the
    language most of our users' feedback is in.
    """
    text = strip_addresses(text)
    latin = len(text.encode("ascii", "ignore").translate(None, _ASCII_NOT_LATIN))
    if latin == 0:  # Russian whatever its Cyrillic count (none at all included)
        return "ru"
    # Letters counted as what a run-by-run deletion takes away: no string is made per letter.
    cyrillic = len(text) - len(_CYRILLIC.sub("", text))
    return "ru" if cyrillic * 2 >= latin else "en"
