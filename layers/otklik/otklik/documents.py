"""Stored documents (table items, stream images) back to domain models; storage-only fields dropped."""

from __future__ import annotations

from typing import Any

from otklik.models import FeedbackItem

# Attributes only FeedbackTable needs (index key, delivery counter); not part of FeedbackItem.
FEEDBACK_STORAGE_ONLY = ("received_sk", "deliveries")


def feedback_from_document(document: dict[str, Any]) -> FeedbackItem:
    fields = {k: v for k, v in document.items() if k not in FEEDBACK_STORAGE_ONLY}
    return FeedbackItem.model_validate(fields)
