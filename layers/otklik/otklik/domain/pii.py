"""Masking of personal data (e-mails, phone numbers, card numbers, messenger handles and links, people's
names) in text sent onward; the stored raw text is never changed.

Masking runs on every feedback text, whatever a sender puts in it, so it must stay linear in the
text's length. Python's re backtracks, so each pattern here is written so that no character is read
more than a bounded number of times:

- Phones and cards are bounded: every quantifier has an upper bound (at most 15 digits, one
  separator between two digits), so a match attempt reads at most a few dozen characters before it
  succeeds or fails, and the attempts over a text cost a constant per position.
- E-mails are not bounded (a local part or a domain may be any length), so their pattern may start
  only where a run of local-part characters starts (the lookbehind), and reads each run with
  possessive quantifiers, which never give back what they took. A run is then read once from its
  start, and a failed attempt inside it is refused by the lookbehind at once. Which end of the
  domain is a real top-level domain is decided in Python afterwards, on the matched text alone,
  instead of by backtracking over the labels.
- Handles and messenger links are bounded (at most 32 characters of a handle, 100 of a link's path);
  the messenger word before a bare handle ("инст shop_msk") starts only where a word starts and is
  read once.
- Names are looked up word by word (otklik.domain.person_names): one pass over the words, each
  compared with its neighbours only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from otklik.domain.person_names import name_spans

# A local part, "@", then a domain of at least two dot-separated labels.
_EMAIL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]++@[\w\-]++(?:\.[\w\-]++)++")
# The top-level domain: the first two or more letters of a label.
_TLD = re.compile(r"[^\W\d_]{2,}")
# 13 to 19 digits, single spaces or dashes between them.
_CARD = re.compile(r"\b\d(?:[ \-]?\d){12,18}\b")
# What may stand between two digits of a phone number: one space, dot or dash, or a bracket with
# an optional separator on its outer side. A closing bracket counts only when a digit follows, so
# "(+7 912 345-67-89)" keeps its own closing bracket.
_BETWEEN_DIGITS = r"(?:[ .\-]|\)[ .\-]?|[ .\-]?\()?"
# International (E.164): "+", then 8 to 15 digits in all, e.g. +375 29 123-45-67, +7 (727) 123 45 67,
# +998 90 123 45 67, +996 555 123 456, +374 10 123456.
_INTERNATIONAL_PHONE = re.compile(rf"(?<![\w+])\+\d(?:{_BETWEEN_DIGITS}\d){{7,14}}(?!\w)")
# The same numbers of the CIS written without "+": a country code (375 Belarus, 380 Ukraine, 992-998
# Central Asia and Azerbaijan, 373 Moldova, 374 Armenia, 995 Georgia), then 8 or 9 digits.
_CIS_PHONE = re.compile(
    rf"(?<![\w+])(?<!\d[ .\-])(?:375|380|99[2-8]|37[34])(?:{_BETWEEN_DIGITS}\d){{8,9}}(?!\w)"
)
# Russian (and Kazakh) national forms: an optional 8 or 7, a 3-digit code, then 3-2-2 digits,
# e.g. 8 (912) 345-67-89, 89123456789, (912) 345 67 89; Belarusian 8 029 ... and Ukrainian 067 ... too.
_NATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:[78][ .\-]?)?(?:\(\d{3}\)|\d{3})[ .\-]?\d{3}[ .\-]?\d{2}[ .\-]?\d{2}(?!\w)"
)
# Central Asian local form, 2-3-2-2 digits with separators: 90 123 45 67, (93) 123-45-67.
_LOCAL_PHONE = re.compile(
    r"(?<![\w+(])(?<!\d[ .\-])(?:\(\d{2}\)|\d{2})[ .\-]\d{3}[ .\-]\d{2}[ .\-]\d{2}(?!\w)"
)
# A messenger or social network address: t.me/shop, wa.me/79123456789, vk.com/id1, instagram.com/x.
_MESSENGER_LINK = re.compile(
    r"(?<![\w.\-/])(?:https?://)?(?:www\.|m\.)?"
    r"(?:t\.me|telegram\.me|telegram\.dog|wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|vk\.com|vk\.ru"
    r"|vk\.me|ok\.ru|instagram\.com|instagr\.am|facebook\.com|fb\.com|tiktok\.com|viber\.me|invite\.viber\.com)"
    r"/[\w\-.@+%/?=&#]{1,100}",
    re.IGNORECASE,
)
# @handle (Telegram, Instagram): 3 to 32 letters, digits, underscores or inner dots; not an e-mail's @.
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_]|\.(?=[A-Za-z0-9_])){2,31}(?![\w@])")
# A bare handle after the name of a messenger: "инст shop_msk", "тг: anna_shop", "vk Vasya_P".
_MESSENGER_WORD = (
    r"(?:инст(?:а(?:грам[а-яё]*)?|у|е|ой|ы)?|insta(?:gram)?|inst|телег[а-яё]*|telegram|тг|tg|ватсап[а-яё]*|вотсап[а-яё]*|вацап[а-яё]*"
    r"|whatsapp|вайбер[а-яё]*|viber|вк|vk|вконтакте|тикток[а-яё]*|tiktok|скайп[а-яё]*|skype)"
)
_CUE_HANDLE = re.compile(
    rf"(?i)(?<![^\W\d_]){_MESSENGER_WORD}(?![^\W\d_])[ \t:\-–—]{{1,3}}(?:(?:в|на)[ \t]{{1,2}})?"
    r"(?P<handle>[A-Za-z][A-Za-z0-9_.]{2,31})(?![\w@])"
)

_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z]")
# The fewest digits a phone number has (a local 90 123 45 67 has 9; a card 13).
_MIN_PHONE_DIGITS = 7


def _may_hold_numbers(text: str) -> bool:
    """Whether text has digits enough for a phone or card: most feedback has none or a few."""
    return _DIGIT.search(text) is not None and sum(map(text.count, "0123456789")) >= _MIN_PHONE_DIGITS


def _email_end(found: str) -> int | None:
    """Where the address in found ends: after its last real top-level domain (None: no address)."""
    at = found.index("@")
    labels = found[at + 1 :].split(".")
    for last in range(len(labels) - 1, 0, -1):
        tld = _TLD.match(labels[last])
        if tld is not None:
            return at + 1 + sum(len(label) + 1 for label in labels[:last]) + tld.end()
    return None


def _email(match: re.Match[str]) -> str:
    """The matched address masked up to its last real top-level domain; what follows it is kept."""
    found = match.group()
    end = _email_end(found)
    return found if end is None else "[email]" + found[end:]


def _link_end(found: str) -> int:
    """A link's end without the punctuation a sentence puts after it ("t.me/shop." or "vk.com/x)")."""
    return len(found.rstrip(".,;:!?)»\"'"))


def _link(match: re.Match[str]) -> str:
    found = match.group()
    end = _link_end(found)
    return "[handle]" + found[end:]


def _cue_handle(match: re.Match[str]) -> str:
    handle = match.group("handle")
    if not _looks_like_handle(handle):
        return match.group()
    start = match.start("handle") - match.start()
    return match.group()[:start] + "[handle]"


def _looks_like_handle(word: str) -> bool:
    """shop_msk, anna.shop, vasya1990 or a lowercase word, not a capitalised brand ("как в инсте Zara")."""
    return word.islower() or any(char.isdigit() or char in "_." for char in word)


_GROUPED_LIKE_A_PHONE = re.compile(r"\d{3}[ \-]\d{3}[ \-]\d{2}[ \-]\d{2}")


def _is_phone_shaped(found: str) -> bool:
    """Whether ten or eleven digits the national pattern found are written as people write a phone:
    8 or 7 and ten digits, a bracketed code, a mobile number (9xx), or grouped 3-3-2-2. Masking takes
    them all; a flag must not fire on an appeal number (181010-0984) or a tax number (4705055743)."""
    digits = "".join(char for char in found if char.isdigit())
    if len(digits) == 11 and digits[0] in "78":
        return True
    if "(" in found or (len(digits) == 10 and digits[0] == "9"):
        return True
    return _GROUPED_LIKE_A_PHONE.fullmatch(found) is not None


def contact_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of each e-mail, phone number, handle and messenger link, for moderation's
    `contacts` flag; kinds are email, phone, handle, link. Spans may overlap (a phone inside a link)."""
    if "@" in text:
        for match in _EMAIL.finditer(text):
            end = _email_end(match.group())
            if end is not None:
                yield "email", match.start(), match.start() + end
        for match in _HANDLE.finditer(text):
            yield "handle", match.start(), match.end()
    if "/" in text:
        for match in _MESSENGER_LINK.finditer(text):
            yield "link", match.start(), match.start() + _link_end(match.group())
    if _LATIN.search(text):
        for match in _CUE_HANDLE.finditer(text):
            if _looks_like_handle(match.group("handle")):
                yield "handle", match.start(), match.end()
    if _may_hold_numbers(text):
        for pattern in (_INTERNATIONAL_PHONE, _CIS_PHONE, _NATIONAL_PHONE, _LOCAL_PHONE):
            for match in pattern.finditer(text):
                if pattern is not _NATIONAL_PHONE or _is_phone_shaped(match.group()):
                    yield "phone", match.start(), match.end()


def mask_pii(text: str, *, names: Iterable[str] = ()) -> str:
    """A copy of text with e-mail addresses, messenger links and handles, card and phone numbers, and
    people's names replaced by placeholders ([email], [handle], [card], [phone], [name]).

    `names` are the author's own names from the item's fields (e.g. "Анна Петрова"): each part is
    masked wherever it appears capitalised, in any of its forms (Анны, Петровой) and, for a first
    name we know, its diminutives (Аня, Анечка).
    """
    # Each kind is looked for only when the text holds what it needs ("@", "/", Latin letters, seven
    # digits): a clean text, the most common one, passes with a few quick checks.
    if "@" in text:
        text = _EMAIL.sub(_email, text)
    if "/" in text:
        # Links before phones: the number in wa.me/79123456789 is part of the link.
        text = _MESSENGER_LINK.sub(_link, text)
    if "@" in text:
        text = _HANDLE.sub("[handle]", text)
    if _LATIN.search(text):
        text = _CUE_HANDLE.sub(_cue_handle, text)
    if _may_hold_numbers(text):
        # A number written with "+" is a phone even when it is as long as a card; other long digit
        # runs are cards before they are national phone numbers.
        text = _INTERNATIONAL_PHONE.sub("[phone]", text)
        text = _CARD.sub("[card]", text)
        text = _CIS_PHONE.sub("[phone]", text)
        text = _NATIONAL_PHONE.sub("[phone]", text)
        text = _LOCAL_PHONE.sub("[phone]", text)
    return mask_names(text, names=names)


def mask_names(text: str, *, names: Iterable[str] = ()) -> str:
    """A copy of text with people's names (and the given author's names) replaced by [name]."""
    spans = name_spans(text, names=names)
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append("[name]")
        position = end
    parts.append(text[position:])
    return "".join(parts)


def excerpt(text: str, limit: int = 280, *, names: Iterable[str] = ()) -> str:
    """A masked, single-line start of a text, for tickets and notifications."""
    flat = " ".join(mask_pii(text, names=names).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
