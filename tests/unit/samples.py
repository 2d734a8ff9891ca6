"""Sample domain values for unit tests: a plausible envelope, feedback item or ticket, varied by keyword."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.domain.ids import feedback_id
from otklik.domain.models import (
    Author,
    FeedbackEnvelope,
    FeedbackItem,
    FeedbackKind,
    Moderation,
    ModerationFlag,
    ProductRef,
    StatusChange,
    Ticket,
    Tonality,
    TonalityLabel,
)
from otklik.domain.pii import mask_pii

RECEIVED_AT = datetime(2026, 11, 22, 6, 41, 3, tzinfo=UTC)
CREATED_AT = datetime(2026, 11, 22, 6, 41, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 22, 7, 0, 0, tzinfo=UTC)

RAW_EMAIL = "anna@example.com"
RAW_PHONE = "+7 912 345-67-89"
TEXT_WITH_CONTACTS = f"Порвалось через день, верните деньги! Пишите {RAW_EMAIL} или звоните {RAW_PHONE}"


def envelope(
    *,
    text: str = "Ужасное качество, порвалось через день",
    kind: FeedbackKind = "review",
    rating: int | None = 1,
    author: Author | None = None,
    created_at: datetime = CREATED_AT,
    received_at: datetime = RECEIVED_AT,
    source: str = "custom",
    account: str = "default",
    external_id: str = "site-10234",
    product: ProductRef | None = None,
) -> FeedbackEnvelope:
    return FeedbackEnvelope(
        feedback_id=feedback_id(source, account, kind, external_id),
        source=source,
        account=account,
        kind=kind,
        external_id=external_id,
        text=text,
        rating=rating,
        author=author,
        product=product,
        created_at=created_at,
        received_at=received_at,
    )


def feedback_item(
    *,
    text: str = "Нормальный рюкзак",
    kind: FeedbackKind = "review",
    rating: int | None = None,
    label: TonalityLabel = "neutral",
    compound: float = 0.0,
    tier: str | None = None,
    received_at: datetime = RECEIVED_AT,
    source: str = "custom",
    external_id: str = "site-10234",
    flags: tuple[ModerationFlag, ...] = (),
) -> FeedbackItem:
    """A stored, enriched item whose tonality (and moderation flags) are given outright, so routing rules
    can be aimed at."""
    return FeedbackItem(
        id=feedback_id(source, "default", kind, external_id),
        source=source,
        account="default",
        kind=kind,
        external_id=external_id,
        text=text,
        text_masked=mask_pii(text),
        rating=rating,
        author=Author(id="c-5521", name="Анна", tier=tier) if tier is not None else None,
        created_at=CREATED_AT,
        received_at=received_at,
        day="2026-11-22",
        lang="ru",
        tonality=Tonality(label=label, compound=compound, lang="ru", engine="test"),
        moderation=Moderation(flags=flags),
        engines={"tonality": "test"},
    )


def stored_ticket(ticket_id: str = "tk_1", *, created_at: datetime = NOW, **changes: Any) -> Ticket:
    """An open high-priority ticket of a one-star review, due 24 hours after created_at, with changes."""
    return Ticket(
        id=ticket_id,
        feedback_id=f"fb_{ticket_id}",
        source="custom",
        account="default",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=created_at,
        first_response_due_at=created_at + timedelta(hours=24),
        tonality_label="negative",
        excerpt="Порвалось",
        history=(StatusChange(at=created_at, by="otklik", status="open"),),
    ).model_copy(update=changes)
