"""Advertising: links to sites, calls to buy or visit elsewhere, a shop's own promotion, promo codes and
offers of earnings.

A link to the marketplace itself (wildberries.ru, ozon.ru, market.yandex.ru) is not advertising, and a
messenger's link is a contact (contacts.py). A call needs its verb in the imperative, not negated, and
pointing somewhere of the writer's own: a link, "наш магазин", "у нас", "по ссылке в профиле". So
"купите на сайте casino777.com" and "заходите в наш магазин" are advertisements, while "не покупайте
в этом магазине" and "лучше купите на сайте производителя" are a buyer's advice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from otklik.domain.moderation.lexicon import (
    EARNING,
    NEGATION,
    OWN,
    POINTER,
    PROMO_CODE,
    PROMO_VERB,
    VENUE,
    WORK,
    listed,
)
from otklik.domain.moderation.text import CLAUSE_END, SENTENCE_ENDS, Words

# A web address: a scheme or www., then up to 300 characters that are not space.
_URL = re.compile(r"(?<![\w/])(?:https?://|www\.)[^\s<>\"'«»]{1,300}", re.IGNORECASE)
# A dotted run of labels (site.com, casino777.com, shop.ru/sale), read possessively from a run's start;
# whether its last label is a top-level domain is decided in Python (see pii.py for why).
_DOTTED = re.compile(r"(?<![\w.@\-/])[\w\-]++(?:\.[\w\-]++)++(?:/[^\s<>\"'«»]{0,200})?")
TOP_LEVEL_DOMAINS = frozenset(
    listed(
        "com ru рф net org info biz shop store online site xyz top club pro io me su by kz ua uz bet casino "
        "win vip app link cc tv co website space fun live art market ltd digital"
    )
)
# The marketplaces' own sites: a buyer naming them is not promoting anything.
MARKETPLACES = ("wildberries.ru", "wb.ru", "ozon.ru", "market.yandex.ru", "yandex.ru")
_TRAILING = ".,;:!?)»\"'"
# A dot and a top-level domain somewhere: only then are the dotted runs of a text looked at.
_TLD_HINT = re.compile(rf"\.(?:{'|'.join(sorted(TOP_LEVEL_DOMAINS))})(?![\w\-])", re.IGNORECASE)
# A promo code as sellers print them: capitals and digits (SALE20, WB500, LETO).
_CODE = re.compile(r"[A-ZА-ЯЁ0-9][A-ZА-ЯЁ0-9_\-]{2,19}")
_CODE_FOLDED = re.compile(r"[a-zа-я0-9]{3,20}")
REACH = 4


def _host(link: str) -> str:
    link = link.lower()
    for scheme in ("https://", "http://"):
        link = link.removeprefix(scheme)
    return link.removeprefix("www.").split("/", 1)[0]


def _is_site(run: str) -> bool:
    labels = _host(run).split(".")
    if len(labels) < 2 or labels[-1] not in TOP_LEVEL_DOMAINS:
        return False
    return any(char.isalpha() for char in labels[-2])


def _is_marketplace(run: str) -> bool:
    host = _host(run)
    return any(host == site or host.endswith("." + site) for site in MARKETPLACES)


def links(text: str, lowered: str | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of every web address in the text (lowered: the text lowercased, if the caller has
    it), the marketplaces' own left out."""
    urls: list[tuple[int, int]] = []  # a dotted run inside one of these is part of that address
    lowered = text.lower() if lowered is None else lowered
    patterns: list[tuple[re.Pattern[str], Callable[[str], bool] | None]] = []
    if "http" in lowered or "www." in lowered:
        patterns.append((_URL, None))
    if _TLD_HINT.search(text):
        patterns.append((_DOTTED, _is_site))
    for pattern, check in patterns:
        for match in pattern.finditer(text):
            if pattern is _DOTTED and any(start <= match.start() < end for start, end in urls):
                continue
            found = match.group().rstrip(_TRAILING)
            if (check is not None and not check(found)) or _is_marketplace(found):
                continue
            if pattern is _URL:
                urls.append((match.start(), match.start() + len(found)))
            yield match.start(), match.start() + len(found)


def _window(words: Words, index: int) -> Iterator[int]:
    seen = 0
    for position in range(index + 1, len(words.tokens)):
        token = words.tokens[position]
        if token in SENTENCE_ENDS or seen == REACH:
            return
        if token != CLAUSE_END:
            seen += 1
            yield position


def _sentence_has_link(words: Words, index: int, sites: list[tuple[int, int]]) -> bool:
    if not sites:
        return False
    sentence = words.sentence(index)
    low, high = words.spans[sentence.start][0], words.spans[sentence.stop - 1][1]
    return any(low <= site_start < high + 2 for site_start, _ in sites)


def _at_us(words: Words, position: int) -> bool:
    return words.tokens[position] == "нас" and position > 0 and words.tokens[position - 1] == "у"


def find_advertising(
    words: Words, skip: list[tuple[int, int]], allowed: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int, str]]:
    """(start, end, why) of every sign of advertising. Links inside the skip spans (contacts) and
    links the seller allows (their own site) are no signs."""
    sites = [
        (start, end)
        for start, end in links(words.text, words.folded)
        if not any(start < skip_end and skip_start < end for skip_start, skip_end in skip)
        and _host(words.text[start:end]) not in allowed
        and words.folded[start:end] not in allowed
    ]
    for start, end in sites:
        yield start, end, "a link to a site"
    for index, bits in words.hits:
        if bits & PROMO_VERB and not (index > 0 and words.bits(index - 1) & NEGATION):
            call_end = _call_end(words, index, sites)
            if call_end is not None:
                yield words.spans[index][0], call_end, "calls to buy or visit elsewhere"
        if bits & PROMO_CODE:
            for position in _window(words, index):
                if not _CODE_FOLDED.fullmatch(words.tokens[position]):
                    continue
                original = words.original(position)
                if _CODE.fullmatch(original) and any(char.isupper() or char.isdigit() for char in original):
                    yield words.spans[index][0], words.spans[position][1], "a promo code"
                    break
        if bits & (EARNING | WORK):
            end_index = _earning_offer(words, index, work_only=not bits & EARNING)
            if end_index is not None:
                yield words.spans[index][0], words.spans[end_index][1], "an offer of earnings"


def _call_end(words: Words, index: int, sites: list[tuple[int, int]]) -> int | None:
    """Where a call to buy or visit (the imperative at index) ends, when it points somewhere of the
    writer's own: "наш магазин", "у нас", "по ссылке", or a link in its sentence. None otherwise."""
    for position in _window(words, index):
        bits = words.bits(position)
        if bits & (OWN | POINTER) or _at_us(words, position):
            venue = next((p for p in _window(words, position) if words.bits(p) & (VENUE | POINTER)), None)
            last = venue if venue is not None and bits & OWN else position
            return words.spans[last][1]
    if _sentence_has_link(words, index, sites):
        venue = next((p for p in _window(words, index) if words.bits(p) & VENUE), index)
        return words.spans[venue][1]
    return None


def _earning_offer(words: Words, index: int, work_only: bool) -> int | None:
    """The index of the word that makes an offer of earnings of the words at index: "от 5000 в день",
    "5000 в день", "без вложений", "на дому" (only these two after "работа"), "пассивный доход"."""
    tokens = words.tokens
    if not work_only and index > 0 and tokens[index - 1].startswith("пассивн"):
        return index
    previous = ""
    for position in _window(words, index):
        token = tokens[position]
        if (previous, token) in (("без", "вложений"), ("на", "дому"), ("из", "дома")):
            return position
        if not work_only:
            if previous == "от" and token.isdigit():
                return position
            if previous == "в" and token in ("день", "час", "неделю") and _digit_before(words, position):
                return position
        previous = token
    return None


def _digit_before(words: Words, position: int) -> bool:
    return any(words.tokens[p].isdigit() for p in range(max(0, position - 3), position))
