"""Masking of personal data (e-mails, phone numbers, card numbers) in text sent onward.

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
"""

import re

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
# International (E.164): "+", then 8 to 15 digits in all, e.g. +375 29 123-45-67, +7 (727) 123 45 67.
_INTERNATIONAL_PHONE = re.compile(rf"(?<![\w+])\+\d(?:{_BETWEEN_DIGITS}\d){{7,14}}(?!\w)")
# Russian (and Kazakh) national forms: an optional 8 or 7, a 3-digit code, then 3-2-2 digits,
# e.g. 8 (912) 345-67-89, 89123456789, (912) 345 67 89.
_NATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:[78][ .\-]?)?(?:\(\d{3}\)|\d{3})[ .\-]?\d{3}[ .\-]?\d{2}[ .\-]?\d{2}(?!\w)"
)


def _email(match: re.Match[str]) -> str:
    """The matched address masked up to its last real top-level domain; what follows it is kept."""
    found = match.group()
    at = found.index("@")
    labels = found[at + 1 :].split(".")
    for last in range(len(labels) - 1, 0, -1):
        tld = _TLD.match(labels[last])
        if tld is not None:
            end = at + 1 + sum(len(label) + 1 for label in labels[:last]) + tld.end()
            return "[email]" + found[end:]
    return found


def mask_pii(text: str) -> str:
    """Replace e-mail addresses, card numbers and phone numbers with placeholders."""
    text = _EMAIL.sub(_email, text)
    # A number written with "+" is a phone even when it is as long as a card; other long digit
    # runs are cards before they are national phone numbers.
    text = _INTERNATIONAL_PHONE.sub("[phone]", text)
    text = _CARD.sub("[card]", text)
    return _NATIONAL_PHONE.sub("[phone]", text)


def excerpt(text: str, limit: int = 280) -> str:
    """A masked, single-line start of a text, for tickets and notifications."""
    flat = " ".join(mask_pii(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
