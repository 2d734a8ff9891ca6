"""Profanity: Russian obscene vocabulary (мат) in its forms, derivations and masked spellings.

Obscene words are built from a handful of roots with Russian prefixes (на-хуй, с-пизд-ить, за-еб-ал,
вы-бляд-ок), so a word is matched by its structure, never by a substring: at most two prefixes of the
root's own list, then the root at the start of what remains, then any ending. "оскорбление",
"употреблять", "сабля", "рубля", "хлебать", "колебаться", "себе", "небо", "страховка", "скипидар"
hold the same letters, but not at a word's start after prefixes, so they never match. The few real
words that do have that shape ("сухую" is с-у-хую) are listed in CLEAN_WORDS.

Rude words that are not мат are not profanity: блин, фиг, фигня, хрен, хер, херня, капец, писец,
звездец, трындец, жесть, дерьмо, говно, жопа, задница, сука (an insult when aimed at a person, see
insult.py). docs/moderation.md gives the reasons.

Spellings that hide a word are read as the word: capitals and ё (ЁБАНЫЙ), Latin letters that look
like Cyrillic ones (xyй, бляdь), a digit for a letter (6ля, 3аебал), masking characters standing for
one letter each (х*й, бл@, п**дец) and letters spaced out (х у й, б.л.я.т.ь).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

MASKS = "*@#$%"
_LETTER = r"[^\W\d_]"

# Prefixes a root may follow (at most two of them: "по-на-еб-али" is the most a real word needs).
_PREFIXES = (
    "недо",
    "пере",
    "раз",
    "рас",
    "под",
    "над",
    "при",
    "про",
    "от",
    "об",
    "из",
    "ис",
    "вы",
    "до",
    "за",
    "на",
    "по",
    "ни",
    "не",
    "у",
    "о",
    "с",
    "в",
)
# Before a root that starts with a vowel a consonant prefix takes ъ (съебаться, подъебнуть): without
# it the same letters are ordinary words (себе, веб, объем is об-ъем only with the sign).
_VOWEL_ROOT_PREFIXES = (
    "недо",
    "пере",
    "разъ",
    "подъ",
    "надъ",
    "отъ",
    "объ",
    "изъ",
    "въ",
    "съ",
    "при",
    "про",
    "вы",
    "до",
    "за",
    "на",
    "по",
    "ни",
    "не",
    "у",
    "долбо",
    "зло",
)

# (prefixes the root may follow, its spellings, whether any letters may follow it). A spelling may hold
# a character class in brackets: ху[йяеюи] is хуй, хуя, хуе, хую, хуи but not хуже or хулиган.
_ROOTS: tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...] = (
    ((*_PREFIXES, "а"), ("ху[йяеюи]",), True),  # ахуеть: spelt as it is said
    ((), ("хули",), False),
    (_PREFIXES, ("пизд", "пезд"), True),
    (_VOWEL_ROOT_PREFIXES, ("еб",), True),
    (("вы",), ("бляд", "блят"), True),
    ((), ("бля",), False),
    ((), ("мудак", "мудач", "мудил", "мудозвон"), True),
    ((), ("манда", "манды", "манде", "манду", "мандой", "мандою"), False),
    ((), ("мандавош",), True),
    ((), ("пидор", "пидар", "пидр"), True),
    ((), ("залуп",), True),
)

# Real words of the roots' shape: each one checked in the full word list of pymorphy3's dictionary.
CLEAN_WORDS = frozenset(
    {
        # с-у-хую
        "сухую",
        # еб- at a word's start: Екатеринбург, and eBay as Russians spell it
        "ебург",
        "ебурге",
        "ебурга",
        "ебей",
        "ебея",
        "ебее",
        "ебею",
        "ебеем",
        "ебэй",
        "ебэя",
        "ебэе",
        "ебэю",
    }
)


def _masked(spelling: str) -> str:
    """The spelling with every letter also matched by a masking character (х -> [х*@#$%])."""
    out: list[str] = []
    index = 0
    while index < len(spelling):
        char = spelling[index]
        if char == "[":
            close = spelling.index("]", index)
            out.append(spelling[index:close] + re.escape(MASKS) + "]")
            index = close + 1
            continue
        out.append(f"[{char}{re.escape(MASKS)}]")
        index += 1
    return "".join(out)


def _alternatives(masked: bool) -> str:
    letter = f"(?:{_LETTER}|[{re.escape(MASKS)}])" if masked else _LETTER
    spell = _masked if masked else (lambda spelling: spelling)
    branches = []
    for prefixes, spellings, open_end in _ROOTS:
        head = f"(?:{'|'.join(map(spell, prefixes))}){{0,2}}" if prefixes else ""
        tail = f"{letter}*" if open_end else ""
        branches.append(f"{head}(?:{'|'.join(map(spell, spellings))}){tail}")
    return "|".join(branches)


# Whole words of the text (lowercased, ё as е) that are obscene.
_IN_TEXT = re.compile(rf"(?<!{_LETTER})(?:{_alternatives(masked=False)})(?!{_LETTER})")
_WORD = re.compile(f"(?:{_alternatives(masked=False)})")


@cache
def _masked_word() -> re.Pattern[str]:
    """The roots with a mask allowed for every letter: long to compile (tens of ms), and needed only
    for a text that has a masked word, so compiled on first use rather than on every cold start."""
    return re.compile(f"(?:{_alternatives(masked=True)})")


# Latin letters and digits that stand for the Cyrillic letters they look like.
LOOK_ALIKES = str.maketrans("aeopcxykmthbu0346", "аеорсхукмтнвиозчб")
# A word with a masking character inside or at its start: "х*й", "бл@", "*ля", "п**дец".
# Only "*" may open one: "#билайн" is a hashtag, "@shop" a handle.
_HIDDEN = re.compile(
    rf"(?<![\w{re.escape(MASKS)}])(?=\*{{0,2}}{_LETTER})"
    rf"(?:{_LETTER}|[{re.escape(MASKS)}]){{2,30}}+(?![\w{re.escape(MASKS)}])"
)
# Single letters with one separator between them: "х у й", "б.л.я.т.ь", "п-и-з-д-а".
_SPACED = re.compile(
    rf"(?<!{_LETTER})(?<!{_LETTER}[ .\-_])"
    rf"{_LETTER}(?:[ .\-_*]{_LETTER}(?!{_LETTER})){{2,15}}"
)
# A word that mixes Cyrillic with Latin letters or digits (x as х, 6 as б): read through LOOK_ALIKES.
_MIXED_WORD = re.compile(r"(?<![а-я0-9a-z])[а-я0-9a-z]*(?:[а-я][a-z0-9]|[a-z0-9][а-я])[а-я0-9a-z]*")

# Latin spellings of the same words, looked up whole (an English word never has these shapes), and
# English obscenities.
LATIN_WORDS = frozenset(
    {
        "hui",
        "huy",
        "huj",
        "xuy",
        "xui",
        "nahui",
        "nahuy",
        "nahuj",
        "pohui",
        "pohuy",
        "pohuj",
        "ohuet",
        "ahuet",
        "huinya",
        "huynya",
        "pizda",
        "pizdec",
        "pizdets",
        "pizdez",
        "pizdato",
        "blyat",
        "blyad",
        "blya",
        "bliat",
        "bliad",
        "blja",
        "bljad",
        "bljat",
        "ebat",
        "ebal",
        "eban",
        "ebanyi",
        "ebanyy",
        "eblan",
        "zaebal",
        "zaebis",
        "uebok",
        "mudak",
        "pidor",
        "pidoras",
        "pidaras",
        # and English
        "fuck",
        "fucks",
        "fucking",
        "fucked",
        "fucker",
        "fuckers",
        "motherfucker",
        "motherfuckers",
        "cunt",
        "cunts",
    }
)


def is_obscene(word: str) -> bool:
    """Whether one word, lowercased with ё as е and in Cyrillic letters, is an obscene word."""
    return word not in CLEAN_WORDS and _WORD.fullmatch(word) is not None


def _is_obscene_hidden(word: str) -> bool:
    letters = sum(char.isalpha() for char in word)
    masks = len(word) - letters
    if letters < 2 or masks > letters:
        return False
    return _masked_word().fullmatch(word) is not None


# Letters every obscene word holds: a text without any of them needs no further look.
_ROOT_HINTS = ("ху", "пизд", "пезд", "еб", "бля", "муд", "манд", "пид", "пидр", "залуп")
_MIX_PAIR = re.compile(r"[а-я][a-z0-9]|[a-z0-9][а-я]")
_LATIN_OR_DIGIT = re.compile(r"[a-z0-9]")
# One look for any of the roots' letters or a mask: most texts have none and need no other.
_ANY_HINT = re.compile("|".join((*_ROOT_HINTS, *(re.escape(mask) for mask in MASKS))))


def _has_spaced_letters(tokens: list[str]) -> bool:
    """Whether three one-letter words stand in a row (dots between allowed): "х у й", "б.л.я"."""
    run = 0
    for token in tokens:
        if len(token) != 1:
            run = 0
        elif token.isalpha():
            run += 1
            if run == 3:
                return True
        elif token != ".":
            run = 0
    return False


def find_obscene(folded: str, tokens: list[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, why) of every obscene word of a text lowercased with ё as е (as long as the text),
    given its tokens (words and marks, as otklik.domain.moderation.text cuts them)."""
    if _ANY_HINT.search(folded):
        if any(hint in folded for hint in _ROOT_HINTS):
            for match in _IN_TEXT.finditer(folded):
                if match.group() not in CLEAN_WORDS:
                    yield *match.span(), "an obscene word"
        if any(mask in folded for mask in MASKS):
            for match in _HIDDEN.finditer(folded):
                word = match.group()
                if any(mask in word for mask in MASKS) and _is_obscene_hidden(word):
                    yield *match.span(), "an obscene word, masked"
    if _LATIN_OR_DIGIT.search(folded) and _MIX_PAIR.search(folded):
        for match in _MIXED_WORD.finditer(folded):
            if is_obscene(match.group().translate(LOOK_ALIKES)):
                yield *match.span(), "an obscene word, Latin letters or digits for Cyrillic ones"
    if _has_spaced_letters(tokens):
        for match in _SPACED.finditer(folded):
            if is_obscene("".join(char for char in match.group() if char.isalpha()).translate(LOOK_ALIKES)):
                yield *match.span(), "an obscene word, letters spaced out"
