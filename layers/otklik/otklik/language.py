"""Language of a feedback text: Russian or English, by the script its letters are written in."""

import re

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """'ru' when Cyrillic letters make up at least a third of the letters, else 'en'.

    Marketplace reviews mix in Latin brand names and sizes ("XL", "Xiaomi"), so a Russian text
    with some Latin words is still Russian; a text without letters is called 'ru', the
    language most of our users' feedback is in.
    """
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == 0 and latin == 0:
        return "ru"
    return "ru" if cyrillic * 2 >= latin else "en"
