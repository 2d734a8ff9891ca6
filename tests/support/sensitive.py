"""Customer data and secrets the e2e tests send, and every place one of them shows up in a text (a log).

The samples are what the fuzz and log-hygiene tests put in webhooks, pushes and replies, plus the
sample webhook of events/ that the other e2e tests send; the secrets are the local stack's own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from infra.local.seed import OPS_TOKEN, PUSH_TOKEN, WEBHOOK_SECRET

_SAMPLE_EVENT = json.loads(
    (Path(__file__).resolve().parents[2] / "events" / "webhook_body_custom.json").read_text("utf-8")
)

EMAILS = ("anna.petrova@example.ru", "ivan_99+orders@mail.example.com", _SAMPLE_EVENT["customer"]["email"])
PHONES = ("+375 29 123 45 67", "+7 (912) 345-67-89", "8 916 555-44-33", _SAMPLE_EVENT["customer"]["phone"])
# Luhn-valid test numbers (a Visa and a Mir test card), as customers type them.
CARDS = ("4111 1111 1111 1111", "2200-7001-2345-6781")
# Review and chat texts, each as (its words, a contact in it): the words identify the text in a log
# line whether or not the contact was masked there.
_REVIEWS = (
    ("Ужасное качество, рюкзак порвался через день", f"пишите мне: {EMAILS[0]}"),
    ("Курьер опоздал на три дня и нагрубил", f"перезвоните на {PHONES[0]}"),
    ("Деньги списали дважды, верните немедленно", f"карта {CARDS[0]}"),
    ("Чайник протекает с первого дня", f"мой номер {PHONES[1]}, почта {EMAILS[1]}"),
    (_SAMPLE_EVENT["text"], ""),
)
_CHATS = (
    ("Где мой заказ? Жду уже неделю", f"телефон {PHONES[2]}"),
    ("Пришёл не тот цвет, разберитесь", f"напишите на {EMAILS[0]} или {PHONES[0]}"),
)
REVIEW_TEXTS = tuple(f"{words}, {contact}" if contact else words for words, contact in _REVIEWS)
CHAT_TEXTS = tuple(f"{words}, {contact}" for words, contact in _CHATS)
REPLY_TEXTS = ("Здравствуйте! Разберёмся и заменим товар.", "Спасибо, что написали, вернём деньги")

SECRETS = {"webhook secret": WEBHOOK_SECRET, "bearer token": OPS_TOKEN, "push token": PUSH_TOKEN}

# Shapes of such data whoever sent it: an e-mail address; an international phone number; a card
# number of four groups of four (Luhn-checked below, so ids and timestamps do not count).
_ANY_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
_ANY_PHONE = re.compile(r"(?<![\w+])\+\d(?:[ .\-]?\(?\d\)?){9,14}(?!\w)")
_ANY_CARD = re.compile(r"(?<![\w\-])\d{4}([ \-]?)\d{4}\1\d{4}\1\d{4}(?![\w\-])")


@dataclass(frozen=True)
class Leak:
    kind: str  # "e-mail", "phone", "card", "review text", "webhook secret", "bearer token", "push token"
    found: str
    line_number: int
    line: str


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(number)):
        doubled = digit * 2 if position % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def _spellings(text: str) -> set[str]:
    """The text as it may appear in a log line: as is, JSON-escaped, \\u-escaped."""
    return {text, json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1]}


def _needles() -> Iterator[tuple[str, re.Pattern[str]]]:
    for email in EMAILS:
        yield "e-mail", re.compile(re.escape(email), re.IGNORECASE)
    for number in (*PHONES, *CARDS):
        kind = "phone" if number in PHONES else "card"
        yield kind, re.compile(re.escape(number))
        yield kind, re.compile(rf"(?<!\d){_digits(number)}(?!\d)")
    for words, _contact in (*_REVIEWS, *_CHATS):
        for spelling in _spellings(words):
            yield "review text", re.compile(re.escape(spelling))
    for kind, secret in SECRETS.items():
        yield kind, re.compile(re.escape(secret))


_NEEDLES = list(_needles())


def leaks_in(text: str) -> list[Leak]:
    """Every sample, secret or shape of customer data in text, one Leak per line and kind found."""
    found: list[Leak] = []
    for number, line in enumerate(text.splitlines(), start=1):
        kinds: dict[str, str] = {}
        for kind, needle in _NEEDLES:
            match = needle.search(line)
            if match and kind not in kinds:
                kinds[kind] = match.group()
        for kind, pattern in (("e-mail", _ANY_EMAIL), ("phone", _ANY_PHONE)):
            match = pattern.search(line)
            if match and kind not in kinds:
                kinds[kind] = match.group()
        for match in _ANY_CARD.finditer(line):
            if "card" not in kinds and _luhn(_digits(match.group())):
                kinds["card"] = match.group()
        found += [Leak(kind, value, number, line) for kind, value in kinds.items()]
    return found
