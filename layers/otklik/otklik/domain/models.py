"""The domain's data: incoming feedback, stored feedback items, tickets, notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

FeedbackKind = Literal["review", "question", "chat", "complaint", "survey"]
TonalityLabel = Literal["negative", "neutral", "positive"]
Priority = Literal["urgent", "high", "normal", "low"]
TicketStatus = Literal["open", "resolved", "closed"]

MAX_TEXT_CHARS = 20_000


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProductRef(Frozen):
    id: str = Field(min_length=1, max_length=200)
    name: str | None = Field(default=None, max_length=1000)
    sku: str | None = Field(default=None, max_length=200)


class OrderRef(Frozen):
    id: str = Field(min_length=1, max_length=200)


class Author(Frozen):
    """The customer who wrote the feedback, as far as the channel tells."""

    id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()\-]{5,40}$")
    tier: str | None = Field(default=None, max_length=50)


class OwnChannelFeedback(Frozen):
    """The body of POST /webhooks/{source}: one feedback item from a seller's own channel."""

    id: str = Field(min_length=1, max_length=200, description="The item's id in the sending system")
    kind: FeedbackKind
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    rating: int | None = Field(default=None, ge=1, le=5)
    product: ProductRef | None = None
    order: OrderRef | None = None
    customer: Author | None = None
    created_at: AwareDatetime
    account: str = Field(default="default", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")

    @model_validator(mode="after")
    def _says_something(self) -> OwnChannelFeedback:
        if not self.text.strip() and self.rating is None:
            raise ValueError("feedback needs a non-empty text or a rating")
        return self


class FeedbackFields(Frozen):
    """What a channel tells about one feedback item, normalized the same way for every channel."""

    source: str
    account: str
    kind: FeedbackKind
    external_id: str
    text: str
    pros: str | None = None
    cons: str | None = None
    rating: int | None = None
    product: ProductRef | None = None
    order: OrderRef | None = None
    author: Author | None = None
    photos: tuple[str, ...] = ()
    answered: bool = False
    # What a reply needs besides the external id (Ozon question sku, chat id...); strings only.
    reply_context: dict[str, str] = Field(default_factory=dict)
    created_at: datetime
    received_at: datetime

    def full_text(self) -> str:
        """Text, pros and cons together, as tonality reads them."""
        return "\n".join(part for part in (self.text, self.pros, self.cons) if part)


class FeedbackEnvelope(FeedbackFields):
    """Feedback normalized from any channel: what IngestQueue carries to score_feedback."""

    feedback_id: str


class Tonality(Frozen):
    label: TonalityLabel
    compound: float = Field(ge=-1.0, le=1.0, description="Text and stars together when there are stars")
    lang: str
    engine: str
    text_compound: float | None = Field(default=None, ge=-1.0, le=1.0, description="The text alone")
    rating_text_conflict: bool = False


class Enrichment(Frozen):
    """What score_feedback adds to an envelope. A new kind of understanding is a field here, and only here."""

    text_masked: str
    day: str = Field(description="Calendar day of created_at in the report time zone, YYYY-MM-DD")
    lang: str
    tonality: Tonality
    engines: dict[str, str]


class FeedbackItem(FeedbackFields, Enrichment):
    """A stored feedback item: the envelope's fields (raw text unaltered) and their enrichment, flat."""

    id: str

    @classmethod
    def of(cls, envelope: FeedbackEnvelope, enrichment: Enrichment) -> FeedbackItem:
        fields = envelope.model_dump(exclude={"feedback_id"})
        return cls(id=envelope.feedback_id, **fields, **enrichment.model_dump())

    def enrichment(self) -> Enrichment:
        return Enrichment.model_validate(self.model_dump(include=set(Enrichment.model_fields)))


class StatusChange(Frozen):
    at: datetime
    by: str
    status: TicketStatus
    note: str = ""


ReplyStatus = Literal["approved", "published", "rejected"]


class ReplyState(Frozen):
    """The reply of a ticket: approved by someone, then published to the marketplace or rejected by it."""

    reply_id: str
    text: str
    status: ReplyStatus
    approved_by: str
    approved_at: datetime
    published_at: datetime | None = None
    platform_answer_id: str | None = None
    reason: str | None = None


class Ticket(Frozen):
    id: str
    feedback_id: str
    source: str
    account: str
    kind: FeedbackKind
    team: str
    priority: Priority
    status: TicketStatus
    reasons: tuple[str, ...]
    created_at: datetime
    first_response_due_at: datetime
    sla_breached: bool = False
    rating: int | None = None
    tonality_label: TonalityLabel
    excerpt: str = Field(description="PII-masked start of the feedback text")
    history: tuple[StatusChange, ...]
    reply: ReplyState | None = None


NotificationEvent = Literal["ticket_opened", "sla_breached"]


class Notification(Frozen):
    """One thing to tell people about a ticket; its id makes delivery happen once."""

    id: str
    ticket_id: str
    event: NotificationEvent
    created_at: datetime
    title: str
    text: str


class ChannelResult(Frozen):
    channel: str
    status: Literal["sent", "stored", "failed"]
    detail: str = ""


class DeliveredNotification(Frozen):
    notification: Notification
    results: tuple[ChannelResult, ...]
