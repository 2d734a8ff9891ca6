"""Masking of personal data (e-mails, phone numbers, card numbers) in text sent onward."""

import re

_EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
_CARD = re.compile(r"\b\d(?:[ \-]?\d){12,18}\b")
_PHONE = re.compile(
    r"(?<!\w)(?:\+7|8|\+\d{1,3})?[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\w)"
)


def mask_pii(text: str) -> str:
    """Replace e-mail addresses, card numbers and phone numbers with placeholders."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[card]", text)
    return _PHONE.sub("[phone]", text)


def excerpt(text: str, limit: int = 280) -> str:
    """A masked, single-line start of a text, for tickets and notifications."""
    flat = " ".join(mask_pii(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
