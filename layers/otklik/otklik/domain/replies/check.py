"""check_reply(): what in a reply a platform or the seller would refuse, each problem with its check and span.

Applied to drafts and to texts agents type, before approval and again before publishing (issue 11). The
same text always gives the same problems: nothing here reads a store or a clock. What depends on history
(the last replies on the same product) and on the seller (stop-words, moderation settings) is passed in.

Decisions, so that the check and its callers agree:
- Lengths are the platform's documented limits (marketplaces.limits), counted as they are there: every
  character of the text as it would be sent. Own channels (marketplace None) have no limit of ours.
- Links, contacts, profanity and insults are what moderation finds (moderation.moderate), so a reply is
  judged by the same rules as the feedback it answers. A seller's disabled_flags never apply: a seller who
  does not want reviews flagged for contacts still may not publish a phone number. Their allow_words do
  apply to profanity and insults (a brand that looks like a listed word), and to links and contacts only
  on their own channels: the marketplaces forbid the store's own site and contacts too.
- Moderation's other signs of advertising (a call to "заходите в наш магазин", a promo code) are left to
  the seller: in a reply they are the seller speaking of their own store on the marketplace.
- A stop-word matches whole words, case and ё/е aside: "возврат" matches "Возврат" but neither "возврата"
  nor "невозвратный". A word ending in "*" matches any ending: "возврат*" matches "возврата", still not
  "невозвратный". A phrase matches its words in order, whatever stands between them but letters.
- A near-duplicate is measured on the texts' words (case, punctuation, spacing and ё/е aside): the share
  of words in common, in order (difflib's ratio over the two word sequences).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from typing import Literal

from otklik.domain.marketplaces.limits import reply_limit
from otklik.domain.marketplaces.models import Marketplace
from otklik.domain.models import FeedbackKind, Frozen, Moderation
from otklik.domain.moderation.advertising import links
from otklik.domain.moderation.engine import moderate
from otklik.domain.moderation.settings import NO_SETTINGS, ModerationSettings
from otklik.domain.moderation.text import fold
from otklik.domain.replies.settings import DEFAULT_SIMILARITY

ReplyCheck = Literal[
    "empty", "length", "link", "contact", "profanity", "insult", "stop_word", "duplicate", "template_markup"
]
# The order problems at the same place are listed in.
CHECKS: tuple[ReplyCheck, ...] = (
    "empty",
    "length",
    "link",
    "contact",
    "profanity",
    "insult",
    "stop_word",
    "duplicate",
    "template_markup",
)

_WORD = re.compile(r"[^\W_]+")
# Template syntax a rendering left behind: a whole {{ ... }}, {% ... %} or {# ... #} where it closes
# nearby, else a lone opening or closing mark; ${...}; and placeholders an agent was to fill in:
# [имя], [name], <ИМЯ>, %name%. Every quantifier is bounded, so a long text is read in linear time.
_MARKUP = re.compile(
    r"\{[{%#][^\n]{0,200}?[}%#]\}"
    r"|\{[{%#]|[}%#]\}"
    r"|\$\{[^{}\n]{0,100}\}"
    r"|\[[^\W\d_][\w \-]{0,40}\]"
    r"|<[^\W\d_][\w \-]{0,40}>"
    r"|%[^\W\d_]\w{0,40}%"
)
# Moderation's flags on words a reply may not hold, and checks they are; gibberish and fake signals
# describe reviews, not a seller's reply.
_WORDS_CHECKS: dict[str, ReplyCheck] = {"profanity": "profanity", "insult": "insult"}
_ORDER = {check: number for number, check in enumerate(CHECKS)}


class ReplyProblem(Frozen):
    """One reason a reply may not be published: which check, where (text[start:end], or None for the
    whole text) and a line saying both, e.g. `contact: a phone number at 15-31`."""

    check: ReplyCheck
    start: int | None = None
    end: int | None = None
    message: str


def _at(check: ReplyCheck, start: int, end: int, what: str) -> ReplyProblem:
    return ReplyProblem(check=check, start=start, end=end, message=f"{check}: {what} at {start}-{end}")


def _length(text: str, marketplace: Marketplace | None, kind: FeedbackKind) -> Iterator[ReplyProblem]:
    if marketplace is None:
        return
    # A kind the platform takes no replies to raises reply_limit's PermanentRejection: not the text's fault.
    limit = reply_limit(marketplace, kind)
    length = len(text)
    if length < limit.min_chars:
        yield ReplyProblem(
            check="length",
            message=(
                f"length: {length} characters, {marketplace} needs at least {limit.min_chars} for a {kind}"
            ),
        )
    elif limit.max_chars is not None and length > limit.max_chars:
        yield ReplyProblem(
            check="length",
            start=limit.max_chars,
            end=length,
            message=(
                f"length: {length} characters, {marketplace} takes at most {limit.max_chars} for a {kind}; "
                f"{length - limit.max_chars} over, from {limit.max_chars} to {length}"
            ),
        )


def _reply_settings(settings: ModerationSettings, *, allow: bool) -> ModerationSettings:
    """The seller's words, none of their disabled flags; their allowed words only when `allow`."""
    if not (settings.allow_words or settings.extra_words or settings.disabled_flags):
        return NO_SETTINGS
    return ModerationSettings(
        allow_words=settings.allow_words if allow else (), extra_words=settings.extra_words
    )


def _moderation(
    text: str, marketplace: Marketplace | None, settings: ModerationSettings
) -> Iterator[ReplyProblem]:
    lenient = moderate(text, settings=_reply_settings(settings, allow=True))
    strict: Moderation = lenient
    if marketplace is not None and settings.allow_words:
        strict = moderate(text, settings=_reply_settings(settings, allow=False))
    contacts = [reason for reason in strict.reasons if reason.flag == "contacts"]
    for reason in contacts:
        yield _at("contact", reason.start, reason.end, reason.why)
    # Moderation's advertising spans hold links and calls to visit alike (and overlapping ones are one):
    # a link is one of links()'s addresses inside such a span, and not a messenger's link already a contact.
    advertising = [(reason.start, reason.end) for reason in strict.reasons if reason.flag == "advertising"]
    if advertising:
        for start, end in links(text):
            inside = any(low <= start and end <= high for low, high in advertising)
            if inside and not any(start < reason.end and reason.start < end for reason in contacts):
                yield _at("link", start, end, "a link to a site")
    for reason in lenient.reasons:
        check = _WORDS_CHECKS.get(reason.flag)
        if check is not None:
            yield _at(check, reason.start, reason.end, reason.why)


def _stop_words(text: str, stop_words: Sequence[str]) -> Iterator[ReplyProblem]:
    if not stop_words:
        return
    words = [(match.group(), match.start(), match.end()) for match in _WORD.finditer(fold(text))]
    for entry in stop_words:
        phrase = _WORD.findall(fold(entry))
        if not phrase:
            continue  # no letters or digits: nothing a word could match
        any_ending = entry.rstrip().endswith("*")
        first, last = phrase[0], phrase[-1]
        for index in range(len(words) - len(phrase) + 1):
            if len(phrase) > 1 and words[index][0] != first:
                continue
            found = [word for word, _, _ in words[index : index + len(phrase)]]
            if found[:-1] == phrase[:-1] and (
                found[-1] == last or (any_ending and found[-1].startswith(last))
            ):
                end = words[index + len(phrase) - 1][2]
                yield _at("stop_word", words[index][1], end, f"the seller's stop-word {entry.strip()!r}")


def _normalised(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _duplicate(text: str, recent: Sequence[str], similarity: float) -> Iterator[ReplyProblem]:
    mine = _normalised(text)
    if not mine or not recent:
        return
    best: tuple[float, int] | None = None
    for number, earlier in enumerate(recent, start=1):
        theirs = _normalised(earlier)
        if not theirs:
            continue
        if theirs == mine:
            best = (1.0, number)
            break
        matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
        # The quick ratios are upper bounds of the ratio: most recent replies are refused by them alone.
        if matcher.real_quick_ratio() < similarity or matcher.quick_ratio() < similarity:
            continue
        ratio = matcher.ratio()
        if ratio >= similarity and (best is None or ratio > best[0]):
            best = (ratio, number)
    if best is not None:
        ratio, number = best
        same = "the same words as" if ratio == 1.0 else f"{ratio:.0%} the same words as"
        yield ReplyProblem(
            check="duplicate",
            message=f"duplicate: {same} recent reply {number} of {len(recent)} on this product",
        )


def _markup(text: str) -> Iterator[ReplyProblem]:
    if not any(char in text for char in "{}[]<>%$"):
        return
    for match in _MARKUP.finditer(text):
        yield _at(
            "template_markup", match.start(), match.end(), f"leftover template markup {match.group()!r}"
        )


def check_reply(
    text: str,
    *,
    marketplace: Marketplace | None,
    kind: FeedbackKind,
    recent: Sequence[str] = (),
    stop_words: Sequence[str] = (),
    moderation: ModerationSettings = NO_SETTINGS,
    similarity: float = DEFAULT_SIMILARITY,
) -> tuple[ReplyProblem, ...]:
    """Every problem of a reply to a `kind` on `marketplace` (None: the seller's own channel); () when it
    may be published.

    `recent` are the last replies on the same product, `stop_words` the seller's words no reply may hold,
    `moderation` the seller's moderation settings, `similarity` the share of words in common (0 to 1) at
    which a reply is a near-duplicate of a recent one; one equal to a recent one once normalised always is.
    Problems come in the order of the text, whole-text ones first.
    """
    if not 0.0 < similarity <= 1.0:
        raise ValueError(f"similarity must be above 0 and at most 1, not {similarity}")
    if not text.strip():
        return (ReplyProblem(check="empty", message="empty: the reply holds no text"),)
    problems = [
        *_length(text, marketplace, kind),
        *_moderation(text, marketplace, moderation),
        *_stop_words(text, stop_words),
        *_duplicate(text, recent, similarity),
        *_markup(text),
    ]
    return tuple(
        sorted(
            problems,
            key=lambda problem: (-1 if problem.start is None else problem.start, _ORDER[problem.check]),
        )
    )
