"""moderate(): a text's flags and reasons, from each detector, with a seller's settings applied."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from otklik.domain.moderation.advertising import find_advertising
from otklik.domain.moderation.contacts import find_contacts
from otklik.domain.moderation.fake import find_fake_signals
from otklik.domain.moderation.gibberish import find_gibberish
from otklik.domain.moderation.insult import find_insults
from otklik.domain.moderation.model import CLEAN, FLAGS, Flag, Moderation, Reason, SeenText
from otklik.domain.moderation.profanity import LATIN_WORDS, find_obscene
from otklik.domain.moderation.settings import NO_SETTINGS, ModerationSettings
from otklik.domain.moderation.text import Words, fold, read

Finding = tuple[Flag, int, int, str]
_ORDER = {flag: number for number, flag in enumerate(FLAGS)}
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Rules:
    allowed: frozenset[str]
    # first word of a seller's phrase -> (the phrase's words, its flag)
    extra: dict[str, tuple[tuple[tuple[str, ...], Flag], ...]]
    disabled: frozenset[str]


@lru_cache(maxsize=64)
def _compiled(key: tuple[object, ...]) -> _Rules:
    allow, extra, disabled = cast(
        tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]], key
    )
    phrases: dict[str, list[tuple[tuple[str, ...], Flag]]] = {}
    for flag, entries in extra:
        for entry in entries:
            words = tuple(_WORD.findall(fold(entry)))
            if words:
                phrases.setdefault(words[0], []).append((words, cast(Flag, flag)))
    allowed = frozenset(fold(word).strip() for word in allow)
    return _Rules(allowed, {first: tuple(found) for first, found in phrases.items()}, frozenset(disabled))


_NO_RULES = _compiled(NO_SETTINGS.key())


def _extra_words(words: Words, rules: _Rules) -> list[Finding]:
    found: list[Finding] = []
    tokens = words.tokens
    for index, token in enumerate(tokens):
        for phrase, flag in rules.extra.get(token, ()):
            end = index + len(phrase)
            if tuple(tokens[index:end]) == phrase:
                found.append(
                    (
                        flag,
                        words.spans[index][0],
                        words.spans[end - 1][1],
                        f"a word the seller listed as {flag}",
                    )
                )
    return found


def _is_allowed(text: str, rules: _Rules) -> bool:
    folded = fold(text).strip()
    return folded in rules.allowed or any(word in rules.allowed for word in _WORD.findall(folded))


def _profanity(words: Words) -> list[Finding]:
    found: list[Finding] = [
        ("profanity", start, end, why) for start, end, why in find_obscene(words.folded, words.tokens)
    ]
    if not LATIN_WORDS.isdisjoint(words.tokens):
        for index, token in enumerate(words.tokens):
            if token in LATIN_WORDS:
                found.append(("profanity", *words.spans[index], "an obscene word in Latin letters"))
    return found


def _kept(findings: list[Finding], rules: _Rules, text: str) -> list[Finding]:
    """Findings of enabled flags and not allowed by the seller; findings of one flag that overlap are
    one, over both spans (a reply must not quote any of it), with the first one's why."""
    kept: list[Finding] = []
    last: dict[str, int] = {}
    for finding in sorted(findings, key=lambda item: (_ORDER[item[0]], item[1], -item[2])):
        flag, start, end, _ = finding
        if flag in rules.disabled:
            continue
        if rules.allowed and _is_allowed(text[start:end], rules):
            continue
        previous = last.get(flag)
        if previous is not None and start < kept[previous][2]:
            first = kept[previous]
            kept[previous] = (flag, first[1], max(first[2], end), first[3])
            continue
        last[flag] = len(kept)
        kept.append(finding)
    return sorted(kept, key=lambda item: (item[1], _ORDER[item[0]]))


def moderate(
    text: str,
    *,
    author: str | None = None,
    product: str | None = None,
    seen_before: SeenText | None = None,
    settings: ModerationSettings = NO_SETTINGS,
) -> Moderation:
    """What a feedback text (or a reply) holds that a marketplace or a seller would not publish.

    `author` and `product` are the item's own; `seen_before` is who posted a text with the same
    text_fingerprint first, when the caller's store knows one. The Russian and English word lists apply
    to every text, whatever its language: reviews mix them.
    """
    rules = _NO_RULES if settings is NO_SETTINGS else _compiled(settings.key())
    words = read(text)
    findings: list[Finding] = [("contacts", start, end, why) for start, end, why in find_contacts(words)]
    # A messenger's link is a contact, not also an advertisement.
    skip = [(start, end) for _, start, end, _ in findings]
    findings += [
        ("advertising", start, end, why) for start, end, why in find_advertising(words, skip, rules.allowed)
    ]
    findings += _profanity(words)
    findings += [("insult", start, end, why) for start, end, why in find_insults(words)]
    gibberish = find_gibberish(words)
    if gibberish is not None:
        findings.append(("gibberish", *gibberish))
    findings += [
        ("fake_signal", start, end, why)
        for start, end, why in find_fake_signals(words, author, product, seen_before)
    ]
    if rules.extra:
        findings += _extra_words(words, rules)
    if not findings:
        return CLEAN
    kept = _kept(findings, rules, text)
    if not kept:
        return CLEAN
    flags = tuple(sorted({flag for flag, *_ in kept}, key=_ORDER.__getitem__))
    reasons = tuple(
        Reason(flag=flag, text=text[start:end], start=start, end=end, why=why)
        for flag, start, end, why in kept
    )
    return Moderation(flags=flags, reasons=reasons)
