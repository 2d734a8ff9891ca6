"""The domain's data: incoming feedback, stored feedback items, tickets, notifications."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, model_validator

FeedbackKind = Literal["review", "question", "chat", "complaint", "survey"]
TonalityLabel = Literal["negative", "neutral", "positive"]
Priority = Literal["urgent", "high", "normal", "low"]
# The lifecycle's statuses, in their usual order (otklik.domain.lifecycle says which may follow which).
TicketStatus = Literal["open", "acknowledged", "in_progress", "waiting_customer", "resolved", "closed"]

MAX_TEXT_CHARS = 20_000
# What one feedback item may carry, so that its queue message stays far below SQS's 256 KB
# (tests/unit/test_hostile_webhooks.py builds the largest envelope these allow and measures it).
MAX_ID_CHARS = 200
MAX_LABEL_CHARS = 100
MAX_PHOTOS = 20
MAX_PHOTO_URL_CHARS = 500
MAX_REPLY_CONTEXT = 8

# The range of created_at the pipeline takes. Before 2000 no channel of ours existed; a little ahead
# of our clock is a sender's clock running fast, further is a wrong date. Inside this range every
# conversion downstream (UTC, the report day in Europe/Moscow) is safe, where 9999-12-31T23:00Z
# overflows and would dead-letter after the sender was told 202.
EARLIEST_CREATED_AT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CLOCK_SKEW = timedelta(days=1)
# ISO 8601 date and time; pydantic alone would also take unix seconds or milliseconds, as numbers
# or digit strings, and guess which.
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def created_at_problem(moment: datetime, now: datetime) -> str | None:
    """Why the pipeline cannot take `moment` as when feedback was written at `now`; None when it can."""
    if moment.utcoffset() is None:
        return "has no time zone"
    if now.utcoffset() is None:
        now = now.replace(tzinfo=UTC)  # the clock's own UTC, read without a zone
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return "is out of range"
    if utc < EARLIEST_CREATED_AT:
        return f"is before {EARLIEST_CREATED_AT:%Y-%m-%d}"
    if utc > now + MAX_CLOCK_SKEW:
        return f"is more than {MAX_CLOCK_SKEW // timedelta(hours=1)} hours ahead of the server's clock"
    return None


def _iso_date_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise ValueError("must be an ISO 8601 date and time with a time zone, e.g. 2026-11-22T09:41:00+03:00")
    return value


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_date_time)]


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


class SurveyAnswer(Frozen):
    """A survey's score as the survey asked it: NPS 0-10 ("how likely to recommend us") or CSAT 1-5."""

    scale: Literal["nps", "csat"]
    score: StrictInt

    @model_validator(mode="after")
    def _on_its_scale(self) -> SurveyAnswer:
        low, high = (0, 10) if self.scale == "nps" else (1, 5)
        if not low <= self.score <= high:
            raise ValueError(f"a {self.scale} score is from {low} to {high}, got {self.score}")
        return self


class OwnChannelFeedback(Frozen):
    """The body of POST /webhooks/{source}: one feedback item from a seller's own channel."""

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS, description="The item's id in the sending system")
    kind: FeedbackKind
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    # Strict: pydantic would read true as 1 star and "5" as 5; a sender that means stars sends a number.
    rating: StrictInt | None = Field(default=None, ge=1, le=5)
    product: ProductRef | None = None
    order: OrderRef | None = None
    customer: Author | None = None
    created_at: IsoDateTime
    account: str = Field(default="default", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    # A survey answer's score (kind survey only): counted as NPS or CSAT in the aggregates.
    survey: SurveyAnswer | None = None

    @model_validator(mode="after")
    def _says_something(self) -> OwnChannelFeedback:
        if not self.text.strip() and self.rating is None and self.survey is None:
            raise ValueError("feedback needs a non-empty text, a rating or a survey score")
        if self.survey is not None and self.kind != "survey":
            raise ValueError("a survey score belongs to kind survey")
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
    survey: SurveyAnswer | None = None
    product: ProductRef | None = None
    order: OrderRef | None = None
    author: Author | None = None
    photos: tuple[str, ...] = ()
    answered: bool = False
    # What a reply needs besides the external id (Ozon question sku, chat id...); strings only.
    reply_context: dict[str, str] = Field(default_factory=dict)
    created_at: datetime
    received_at: datetime

    def queue_problem(self) -> tuple[str, str] | None:
        """(field, why) when this feedback may not go onto IngestQueue; None when it may.

        Checked where feedback is made from what a channel sent (the webhook, fields.build), not as
        a validator: stored items, made under older rules, are read with this model and must stay
        readable. The limits keep a queue message far below SQS's 256 KB; the date must be one
        score_feedback can place (created_at_problem), judged at received_at.
        """
        for field, value in (("source", self.source), ("account", self.account)):
            if len(value) > MAX_LABEL_CHARS:
                return field, f"{field} is over {MAX_LABEL_CHARS} characters"
        if len(self.external_id) > MAX_ID_CHARS:
            return "external_id", f"external_id is over {MAX_ID_CHARS} characters"
        if len(self.text) + len(self.pros or "") + len(self.cons or "") > MAX_TEXT_CHARS:
            return "text", f"text, pros and cons together are over {MAX_TEXT_CHARS} characters"
        if len(self.photos) > MAX_PHOTOS or any(len(link) > MAX_PHOTO_URL_CHARS for link in self.photos):
            return (
                "photos",
                f"photos are over {MAX_PHOTOS} links, or one is over {MAX_PHOTO_URL_CHARS} characters",
            )
        context = self.reply_context
        if len(context) > MAX_REPLY_CONTEXT or any(
            len(key) > MAX_LABEL_CHARS or len(value) > MAX_ID_CHARS for key, value in context.items()
        ):
            return (
                "reply_context",
                f"reply_context holds over {MAX_REPLY_CONTEXT} ids, or one over {MAX_ID_CHARS} characters",
            )
        problem = created_at_problem(self.created_at, self.received_at)
        return ("created_at", f"created_at {problem}") if problem is not None else None

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
    lexicon_version: str | None = Field(default=None, description="The lexicon engine's version")
    lexicon_compound: float | None = Field(
        default=None, ge=-1.0, le=1.0, description="The text by the lexicon engine alone"
    )
    model_version: str | None = Field(
        default=None, description="The learned layer's model, when one took part (Russian text)"
    )
    model_weight: float | None = Field(
        default=None, ge=0.0, le=1.0, description="How much the learned layer weighed (0: the lexicon alone)"
    )


TopicPolarity = Literal["negative", "neutral", "positive"]


class Topic(Frozen):
    """A topic of an item as stored: its polarity in the text, and the span that names it. evidence is
    full_text()[start:end] (the text, then pros and cons, a line each)."""

    topic: str
    polarity: TopicPolarity
    evidence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


ModerationFlag = Literal["advertising", "contacts", "profanity", "insult", "gibberish", "fake_signal"]
# The order flags are listed in, in results and in the documentation.
MODERATION_FLAGS: tuple[ModerationFlag, ...] = (
    "advertising",
    "contacts",
    "profanity",
    "insult",
    "gibberish",
    "fake_signal",
)


class ModerationReason(Frozen):
    """One finding: which flag, the span of the text that raised it (text[start:end]) and why, in words."""

    flag: ModerationFlag
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    why: str

    def line(self) -> str:
        """The reason as one line a person reads, e.g. `insult: 'дебил' (12-17): abuse aimed at ...`."""
        return f"{self.flag}: {self.text!r} ({self.start}-{self.end}): {self.why}"


class Moderation(Frozen):
    """The flags of a text, in MODERATION_FLAGS order, and every reason behind them, in text order."""

    flags: tuple[ModerationFlag, ...] = ()
    reasons: tuple[ModerationReason, ...] = ()

    def spans(self) -> tuple[tuple[int, int], ...]:
        """The (start, end) spans a reply must never quote back."""
        return tuple((reason.start, reason.end) for reason in self.reasons)


class SeenText(Frozen):
    """Who posted a text with the same fingerprint first (see moderation's text_fingerprint).

    `author` is the most specific id of the writer the caller has (a marketplace's author id beats a
    display name: many people are called Анна); `product` the item it was written about.
    """

    author: str | None = Field(default=None, max_length=200)
    product: str | None = Field(default=None, max_length=200)


class TextOrigin(Frozen):
    """Who wrote a text first, as the store of seen texts keeps it (a digest of the text, never the text)."""

    fingerprint: str
    feedback_id: str
    author: str | None = None  # the author's id, or name when the channel gives no id
    product: str | None = None  # the product's id


class Enrichment(Frozen):
    """What score_feedback adds to an envelope. A new kind of understanding is a field here, and only here."""

    text_masked: str
    day: str = Field(description="Calendar day of created_at in the report time zone, YYYY-MM-DD")
    # The calendar day it reached us (received_at), in the same zone: what `arrived` counts on. None for
    # items scored before it was kept.
    arrived_day: str | None = None
    lang: str
    tonality: Tonality
    # Defaults, so items stored before topics and moderation existed read as they were.
    topics: tuple[Topic, ...] = ()
    moderation: Moderation = Moderation()
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


class RuleMatch(Frozen):
    """A routing rule that matched an item, and why: each condition with the item's value that met it."""

    name: str
    why: tuple[str, ...] = ()


class StatusChange(Frozen):
    at: datetime
    by: str
    status: TicketStatus
    note: str = ""
    root_cause: str | None = None  # on the change that resolved the ticket


ReplyStatus = Literal["approved", "published", "rejected"]
# What a marketplace shows of a published reply (see otklik.domain.marketplaces.models.ReplyReadBack).
PlatformState = Literal["published", "pending", "rejected", "missing"]


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
    # The auto-reply rule (replies.auto_reply) that allowed publishing it without a person; None: a person.
    auto_rule: str | None = None
    # The draft it came from: its template and variant (otklik.domain.replies.draft), when it did.
    template: str | None = None
    variant: str | None = None
    # What the platform shows of it, read back on a later poll (otklik.usecases.read_back): None until
    # read; published once buyers see it, pending under the platform's moderation, rejected or missing.
    platform_state: PlatformState | None = None
    checked_at: datetime | None = None


class ReplyDraft(Frozen):
    """The reply otklik drafted for a ticket from the document's templates; a person approves or edits it."""

    text: str
    template: str
    variant: str
    lang: str
    drafted_at: datetime
    # What the reply check found in it when drafted (empty: it may be approved as it is).
    problems: tuple[str, ...] = ()


SlaTarget = Literal["first_response", "next_response", "resolution"]
# Where a ticket goes once its reply is published.
AfterReply = Literal["waiting_customer", "resolved"]


class EscalationDue(Frozen):
    """A step of a policy's escalation, due after the breach of `target`: tell `notify` at `at`."""

    target: SlaTarget
    step: int = Field(ge=0)
    notify: str
    at: datetime


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
    # None: the ticket's SLA policy sets no first-response target (or the ticket needs no reply).
    first_response_due_at: datetime | None
    sla_breached: bool = False  # any deadline of the ticket passed (GET /tickets?breached=true)
    rating: int | None = None
    tonality_label: TonalityLabel
    excerpt: str = Field(description="PII-masked start of the feedback text")
    # False for spam (moderation): the team reports or closes it; no reply, no first-response deadline.
    reply_needed: bool = True
    history: tuple[StatusChange, ...]
    reply: ReplyState | None = None
    # The draft route_feedback made (None: no template matched, or no reply is needed), and the replies
    # this one replaced, oldest first: one the platform rejected stays here once a corrected one is approved.
    draft: ReplyDraft | None = None
    reply_versions: tuple[ReplyState, ...] = ()
    # What the routing rules decided beside team and priority, and which rules matched and why; defaults,
    # so tickets stored before the rules existed read as they were.
    tags: tuple[str, ...] = ()
    # The item's topics by name (the evidence stays on the item): what subscriptions and digests group by.
    topics: tuple[str, ...] = ()
    assignee: str | None = None
    sla_policy: str | None = None
    matched_rules: tuple[RuleMatch, ...] = ()
    notify: tuple[str, ...] = ()
    draft_template: str | None = None
    # Where a published reply takes the ticket, as a rule said (None: tickets.after_reply).
    after_reply: AfterReply | None = None
    after_reply_root_cause: str | None = None
    # The lifecycle (otklik.domain.lifecycle); defaults, so tickets stored before it read as they were.
    # version: every write is conditional on the version it read, and raises it by one (0: never changed).
    version: int = Field(default=0, ge=0)
    sla_breached_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    root_cause: str | None = None
    # Who wrote (the author's id, else the order id, within a source and account): what repeat contacts
    # compare. Later contacts within tickets.repeat_contact_days join this ticket (linked_feedback).
    customer_key: str | None = None
    repeat_contacts: int = Field(default=0, ge=0)
    linked_feedback: tuple[str, ...] = ()
    # The SLA clocks (otklik.domain.sla.clock); defaults, so tickets stored before them read as they were
    # (a first-response deadline and nothing else). Times are deadlines and their warnings; sla_done the
    # events the sweep has told (each once); escalations what it tells after a breach; sla_paused_at when
    # the clocks stopped for the customer's turn (waiting_customer) or a resolution.
    sla_calendar: str | None = None
    first_response_warn_at: datetime | None = None
    next_response_due_at: datetime | None = None
    next_response_warn_at: datetime | None = None
    resolution_due_at: datetime | None = None
    resolution_warn_at: datetime | None = None
    resolution_breached_at: datetime | None = None
    reply_window_closes_at: datetime | None = None
    sla_paused_at: datetime | None = None
    sla_done: tuple[str, ...] = ()
    escalations: tuple[EscalationDue, ...] = ()


NotificationEvent = Literal[
    "ticket_opened",
    "sla_breached",
    "sla_warning",
    "sla_escalated",
    "reply_rejected",
    "spike_alert",
    "report_ready",
    "dlq_not_empty",
]
NOTIFICATION_EVENTS: tuple[NotificationEvent, ...] = (
    "ticket_opened",
    "sla_warning",
    "sla_breached",
    "sla_escalated",
    "reply_rejected",
    "spike_alert",
    "report_ready",
    "dlq_not_empty",
)


class Notification(Frozen):
    """One thing to tell people about a ticket; its id makes delivery happen once."""

    id: str
    # None for an event about no ticket (a spike alert, a report, a dead-letter queue).
    ticket_id: str | None = None
    event: NotificationEvent
    created_at: datetime
    # As built where the event happened: the default language, deadlines in UTC (what the outbox lists).
    title: str
    text: str
    # Who it is for beyond the subscriptions: the recipient or subscription an SLA escalation names.
    to: str | None = None
    # The deadline an SLA notification is about, and an escalation's step (1 = the first).
    target: SlaTarget | None = None
    level: int | None = Field(default=None, ge=1)
    # The facts it is rendered from again for each reader (otklik.domain.notifications.render_for): the
    # ticket's snapshot (masked excerpt, no history), a marketplace's reason, an event's own facts.
    ticket: dict[str, Any] | None = None
    reason: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class DeliveryImage(Frozen):
    """A picture a delivery carries (a report's chart): inline in an e-mail, as its link where it is not."""

    name: str = Field(description="The file's name, e.g. volume.png: the e-mail attachment's name")
    title: str = Field(default="", description="What it shows: the alt text and the caption")
    url: str = Field(description="Where the channel fetches it (http or https; on AWS a presigned S3 URL)")


class Delivery(Frozen):
    """One notification for one recipient on one channel, as the channel sends it.

    title and text are plain text (masked, never the customer's raw words); each channel formats them its
    own way (Telegram HTML, an e-mail's HTML and text parts, a short SMS, a webhook's JSON).
    """

    id: str = Field(description="Stable across retries: what a receiver deduplicates on")
    notification_id: str
    event: NotificationEvent | Literal["digest"]
    channel: str
    recipient: str | None = None
    # The chat id, e-mail address or phone number (E.164) on the channel; None where the channel itself
    # is the destination (a Slack-style or signed webhook).
    address: str | None = None
    language: str = "ru"
    title: str
    text: str
    link: str | None = None
    link_label: str = "Открыть"
    urgent: bool = False
    # The main picture (Telegram sends it as a photo with the text as its caption), and every picture
    # (an e-mail shows them inline, after the text).
    photo_url: str | None = None
    images: tuple[DeliveryImage, ...] = ()
    # Machine-readable facts for a signed webhook's JSON: ticket id, priority, team, deadline...
    data: dict[str, Any] = Field(default_factory=dict)


# sent: the channel took it. failed: refused for good, not tried again. retrying: may heal, tried again
# later. unconfirmed: sent, but no answer came (it may have arrived), so not sent again. deferred: waits
# for the end of the recipient's quiet hours. digested: past the recipient's rate cap, told in a digest.
# stored: the outbox itself.
ChannelStatus = Literal["sent", "stored", "failed", "retrying", "unconfirmed", "deferred", "digested"]


class ChannelResult(Frozen):
    """What one channel did with a notification: the outbox keeps the latest one per channel."""

    channel: str
    status: ChannelStatus
    detail: str = ""
    error: str | None = Field(
        default=None, description="Why it did not send, in a word: the HTTP status or the error's class"
    )
    attempts: int | None = Field(default=None, ge=1, description="Deliveries that tried this channel")
    at: datetime | None = Field(default=None, description="When the latest of them was tried")

    @property
    def settled(self) -> bool:
        """Nothing more will be tried: only a channel that may heal is tried again."""
        return self.status != "retrying"


class DeliveredNotification(Frozen):
    notification: Notification
    results: tuple[ChannelResult, ...]
