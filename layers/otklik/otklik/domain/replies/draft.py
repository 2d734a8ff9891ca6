"""draft_reply(): a reply to one feedback item composed from the seller's templates, checked as an agent's
reply is (check_reply), so a person approves or edits it instead of writing from nothing.

Decisions, so that drafts are predictable and safe:
- The template is the one a rule named (its `draft_template`) when it exists, else the first whose `when`
  holds for the item in the item's language, else in Russian (choose_template).
- A draft is a combination of one variant per block. The combinations are tried in an order fixed by a
  seed (the item's id unless given), never by chance or the clock: the same item and history always give
  the same draft. The first that passes the check is the draft; so with the last replies on the product
  as `recent`, consecutive drafts there are never the same nor near-duplicates while a combination that
  passes exists. At most MAX_TRIED are tried; when none passes, the one with the fewest problems comes
  back with them, and a person must rewrite it.
- The body says the item's topics: its negative topics first, then its positive ones, at most
  MAX_BODY_TOPICS of those the template has variants for; `default` when it has none of them.
- A variant promising what is not allowed (replies.may_promise and the caller's allowances) is skipped; a
  block left without variants is not said.
- The customer's words are never quoted: templates see only the variables of templates.VARIABLES, so a
  phone number, a link, an insult or any other span moderation flagged in the feedback never comes back.
  The first name is used only when replies.address_by_name allows it and the author's name is one of
  otklik's known first names (person_names), never a surname, an e-mail or a login.
- A platform that takes no replies to the item's kind (Wildberries chats) gets no draft.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from math import gcd, prod
from typing import Any, get_args

from otklik.domain.marketplaces.limits import REPLY_LIMITS
from otklik.domain.marketplaces.models import Marketplace
from otklik.domain.models import Author, FeedbackItem, Frozen
from otklik.domain.moderation.settings import NO_SETTINGS, ModerationSettings
from otklik.domain.person_names import NAME_FORMS
from otklik.domain.replies.check import ReplyProblem, check_reply
from otklik.domain.replies.settings import ReplySettings
from otklik.domain.replies.templates import (
    BLOCKS,
    DEFAULT_BODY,
    MARKETPLACE_TITLES,
    ReplyTemplate,
    Variant,
    topic_title,
)
from otklik.domain.templates import TemplateProblem, render

MAX_TRIED = 200
MAX_BODY_TOPICS = 2
FALLBACK_LANG = "ru"
_MARKETPLACES: tuple[Marketplace, ...] = get_args(Marketplace)
_NAME_WORD = re.compile(r"[^\W\d_]+")
# What an author's name holds when it is an e-mail, a login or a link rather than a person's name.
_NOT_A_NAME = re.compile(r"[\d@/:_]")
_BLANK_LINES = re.compile(r"\n{3,}")


class Draft(Frozen):
    """A drafted reply: its text, which template and which variant of each block made it, and what the
    reply check found in it (empty: it may be approved as it is)."""

    text: str
    template: str
    variant: str  # e.g. "greeting.2 apology.0 body.delivery.1 next_steps.0 sign_off.1"
    lang: str
    problems: tuple[ReplyProblem, ...] = ()


def first_name(author: Author | None) -> str | None:
    """The author's first name when their name is one otklik knows as a first name ("Анна", "Иванова
    Анна", "Анна П."); None for anything else: a surname alone, an e-mail, a login, a nickname."""
    if author is None or not author.name:
        return None
    words = author.name.split()
    if not words or len(words) > 3 or _NOT_A_NAME.search(author.name):
        return None
    for word in words:
        clean = word.strip(".,")
        if _NAME_WORD.fullmatch(clean) and clean.lower().replace("ё", "е") in NAME_FORMS:
            return clean[0].upper() + clean[1:].lower()
    return None


def choose_template(
    item: FeedbackItem, settings: ReplySettings, *, name: str | None = None, segment: str | None = None
) -> ReplyTemplate | None:
    """The template named `name` when there is one, else the first whose `when` holds for the item (its
    segment: `segment`, else the author's tier) in the item's language, else in Russian; None when none
    holds."""
    if name is not None:
        for template in settings.templates:
            if template.name == name:
                return template
    tier = segment if segment is not None else (item.author.tier if item.author is not None else None)
    for lang in dict.fromkeys((item.lang, FALLBACK_LANG)):
        for template in settings.templates:
            if template.lang == lang and template.when.holds(item, tier):
                return template
    return None


@dataclass(frozen=True)
class _Slot:
    """One block of the reply as drafted: its label and the texts of its usable variants (by index)."""

    label: str
    texts: tuple[tuple[int, str], ...]


def _tidy(text: str) -> str:
    """The text without doubled spaces, spaces at line ends or runs of blank lines."""
    lines = (" ".join(line.split()) for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _unique(titles: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(titles))


def _variables(item: FeedbackItem, template: ReplyTemplate, settings: ReplySettings) -> dict[str, Any]:
    """What a template sees: nothing of the customer's text (see the module's docstring)."""
    lang = template.lang
    return {
        "first_name": first_name(item.author) if settings.address_by_name else None,
        "product": item.product.name if item.product is not None and item.product.name else None,
        "order": item.order.id if item.order is not None else None,
        "topics": _unique(topic_title(topic.topic, lang) for topic in item.topics),
        "negative_topics": _unique(
            topic_title(topic.topic, lang) for topic in item.topics if topic.polarity == "negative"
        ),
        "positive_topics": _unique(
            topic_title(topic.topic, lang) for topic in item.topics if topic.polarity == "positive"
        ),
        "rating": item.rating,
        "marketplace": MARKETPLACE_TITLES[lang].get(item.source),
        "signature": settings.signature,
    }


def _slot(
    label: str, variants: Sequence[Variant], variables: dict[str, Any], allowed: frozenset[str]
) -> _Slot | None:
    texts: list[tuple[int, str]] = []
    for index, variant in enumerate(variants):
        if not set(variant.promises) <= allowed:
            continue
        try:
            text = _tidy(render(variant.text, variables))
        except TemplateProblem:
            # Every variant rendered with and without each optional variable when the document was
            # checked; one that still fails here is left out, and the other variants stand in for it.
            continue
        if text:
            texts.append((index, text))
    return _Slot(label, tuple(texts)) if texts else None


def _body(
    item: FeedbackItem, template: ReplyTemplate, variables: dict[str, Any], allowed: frozenset[str]
) -> list[_Slot]:
    slots: list[_Slot] = []
    answered: set[str] = set()
    ordered = [
        topic for polarity in ("negative", "positive") for topic in item.topics if topic.polarity == polarity
    ]
    for topic in ordered:
        entry = template.body.get(topic.topic) if topic.topic != DEFAULT_BODY else None
        if entry is None or topic.topic in answered:
            continue
        answered.add(topic.topic)
        polarity, variants = entry.block(topic.polarity)
        label = f"body.{topic.topic}" + (f".{polarity}" if polarity else "")
        slot = _slot(label, variants, variables, allowed)
        if slot is not None:
            slots.append(slot)
            if len(slots) == MAX_BODY_TOPICS:
                break
    default = template.body.get(DEFAULT_BODY)
    if not slots and default is not None:
        slot = _slot(f"body.{DEFAULT_BODY}", default.any, variables, allowed)
        slots.extend([slot] if slot is not None else [])
    return slots


def _slots(
    item: FeedbackItem, template: ReplyTemplate, settings: ReplySettings, allowed: frozenset[str]
) -> list[_Slot]:
    variables = _variables(item, template, settings)
    slots: list[_Slot] = []
    for block in BLOCKS:
        if block == "body":
            slots.extend(_body(item, template, variables, allowed))
            continue
        slot = _slot(block, getattr(template, block), variables, allowed)
        if slot is not None:
            slots.append(slot)
    return slots


def _order(seed: str, total: int) -> Iterator[int]:
    """The numbers 0..total-1, at most MAX_TRIED of them, in an order fixed by the seed: a start and a
    step coprime to total, so that every combination comes once and neighbours differ in several blocks."""
    if total == 1:
        yield 0
        return
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    start = int.from_bytes(digest[:8], "big") % total
    step = 1 + int.from_bytes(digest[8:16], "big") % (total - 1)
    while gcd(step, total) != 1:
        step = step % (total - 1) + 1  # 1 always is
    for number in range(min(total, MAX_TRIED)):
        yield (start + number * step) % total


def _combination(number: int, slots: list[_Slot]) -> list[tuple[int, str]]:
    """The number'th combination of one variant per slot, in mixed radix (the first slot changes fastest)."""
    chosen: list[tuple[int, str]] = []
    for slot in slots:
        number, digit = divmod(number, len(slot.texts))
        chosen.append(slot.texts[digit])
    return chosen


def draft_reply(
    item: FeedbackItem,
    settings: ReplySettings,
    *,
    template: str | None = None,
    recent: Sequence[str] = (),
    allowed_promises: Sequence[str] = (),
    moderation: ModerationSettings = NO_SETTINGS,
    seed: str | None = None,
) -> Draft | None:
    """The draft of a reply to `item`: from the template named `template` (a rule's draft_template) or the
    one choose_template finds; None when no template fits or the platform takes no replies to the kind.

    `recent` are the last replies on the same product (no draft repeats one), `allowed_promises` what may
    be promised beside replies.may_promise, `moderation` the seller's moderation settings (the check's),
    `seed` what fixes the order combinations are tried in (the item's id by default).
    """
    marketplace = next((name for name in _MARKETPLACES if name == item.source), None)
    if marketplace is not None and (marketplace, item.kind) not in REPLY_LIMITS:
        return None
    chosen = choose_template(item, settings, name=template)
    if chosen is None:
        return None
    allowed = frozenset((*settings.may_promise, *allowed_promises))
    slots = _slots(item, chosen, settings, allowed)
    best: Draft | None = None
    order = _order(
        f"{seed if seed is not None else item.id}\x1f{chosen.name}", prod(len(slot.texts) for slot in slots)
    )
    for number in order:
        parts = _combination(number, slots)
        text = chosen.joiner.join(part for _, part in parts)
        problems = check_reply(
            text,
            marketplace=marketplace,
            kind=item.kind,
            recent=recent,
            stop_words=settings.stop_words,
            moderation=moderation,
            similarity=settings.similarity,
        )
        variant = " ".join(f"{slot.label}.{index}" for slot, (index, _) in zip(slots, parts, strict=True))
        draft = Draft(text=text, template=chosen.name, variant=variant, lang=chosen.lang, problems=problems)
        if not problems:
            return draft
        if best is None or len(problems) < len(best.problems):
            best = draft
    return best
