"""The ports: what the use cases need of the outside world, each declared once.

Adapters (otklik.adapters) implement them against AWS, HTTP and the marketplaces; unit tests implement
them in memory (tests/unit/fakes.py). Each port is as narrow as the use cases that take it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only annotations use them, so importing the ports costs nothing at a cold start
    from datetime import date, datetime

    from pydantic import BaseModel

    from otklik.domain.aggregates import AggregateUpdate
    from otklik.domain.alerts import SpikeAlert
    from otklik.domain.charts import Chart
    from otklik.domain.config import Config
    from otklik.domain.learning import RatedReview
    from otklik.domain.marketplaces.backfill import BackfillWindow
    from otklik.domain.marketplaces.models import (
        ApprovedReply,
        Connection,
        FetchJob,
        PollPage,
        PublishedReply,
        ReplyReadBack,
        StoredCursor,
    )
    from otklik.domain.models import (
        ChannelResult,
        Delivery,
        FeedbackEnvelope,
        FeedbackItem,
        Notification,
        ReplyState,
        TextOrigin,
        Ticket,
    )
    from otklik.domain.notify.plan import DigestCounts
    from otklik.domain.repeat_contact import CustomerClaim
    from otklik.domain.replies.recent import RecentReply
    from otklik.domain.replies.watch import ReadBackDue
    from otklik.domain.reports import Report
    from otklik.domain.tonality.learned import Model


# ---------------------------------------------------------------- queues and configuration


class Publisher(Protocol):
    """One queue: a message sent is durably enqueued when send returns (else it raises)."""

    def send(self, message: BaseModel) -> str: ...


class DelayedPublisher(Protocol):
    """A queue that can hold a message back: delivered no sooner than delay_seconds (SQS: at most 900)."""

    def send(self, message: BaseModel, delay_seconds: int = 0) -> str: ...


class ConfigSource(Protocol):
    """The configuration document in force now (validated; cached by the adapter)."""

    def current(self) -> Config: ...


class Secrets(Protocol):
    """A secret by its parameter name; raises when it does not exist."""

    def get(self, name: str) -> str: ...


# ---------------------------------------------------------------- feedback


class Receipts(Protocol):
    """Which feedback ids a webhook already enqueued."""

    def seen(self, feedback_id: str, now: datetime) -> bool: ...
    def record(self, feedback_id: str, now: datetime) -> None: ...


class FeedbackWriter(Protocol):
    def put_new(self, item: FeedbackItem) -> bool: ...


class SeenTexts(Protocol):
    """The first author and product of each text fingerprint."""

    def first_seen(self, origin: TextOrigin, now: datetime) -> TextOrigin:
        """The origin stored for origin's fingerprint: origin itself when it is the first."""
        ...


class FeedbackReader(Protocol):
    def get_item(self, feedback_id: str) -> FeedbackItem | None: ...


@dataclass(frozen=True)
class Page:
    """One page of a listing, and where the next one starts (None: this was the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


class FeedbackQueries(Protocol):
    def get(self, feedback_id: str) -> dict[str, Any] | None: ...
    def list_day(self, day: str, limit: int, cursor: str | None) -> Page: ...


class CounterStore(Protocol):
    """Aggregate counters; an update is applied at most once per its marker."""

    def apply(self, update: AggregateUpdate, now: datetime) -> bool: ...
    def apply_batch(self, updates: Sequence[AggregateUpdate], now: datetime) -> set[str]: ...


class AlertKeeper(Protocol):
    """Spike alerts, once per key and day (otklik.adapters.alert_store)."""

    def put(self, alert: SpikeAlert) -> bool: ...
    def since(self, day: date, limit: int = 200) -> list[SpikeAlert]: ...
    def last_alerted(self, since: date) -> dict[str, date]: ...


class ReportArchive(Protocol):
    """Built reports: their files (report.html, PNG charts, data.csv) and an index entry that lists them
    (otklik.adapters.report_store)."""

    def save(self, report: Report, files: Mapping[str, bytes]) -> None:
        """Store the report's files (and report.json), replacing those of a build before."""
        ...

    def index(self, report: Report) -> None:
        """List the report (GET /reports), once its files are stored."""
        ...

    def get(self, report_id: str) -> Report | None: ...
    def latest(self, kind: str | None, limit: int) -> list[Report]: ...
    def links(self, report: Report, seconds: int) -> dict[str, str]:
        """A link to each of the report's files, valid for `seconds`."""
        ...


class ChartRenderer(Protocol):
    def __call__(self, chart: Chart) -> bytes:
        """The chart as a PNG image."""
        ...


class DayItems(Protocol):
    """A day's feedback items (the by_day index), for a spike's examples."""

    def items_of_day(self, day: str, limit: int) -> list[FeedbackItem]: ...


class AggregateQueries(Protocol):
    def period(self, period: str) -> dict[str, dict[str, int]]: ...


class ReportCounters(AggregateQueries, Protocol):
    def dimension(self, period: str, dimension: str) -> dict[str, int]:
        """One dimension's counters of a period, without reading the others."""
        ...


# ---------------------------------------------------------------- an account's own tonality model


class RatedReviews(Protocol):
    """Stored reviews with stars, a day at a time (the by_day index), for training an account's model."""

    def rated_reviews_of_day(self, day: str) -> Iterator[RatedReview]:
        """Every review of the day that has stars and a text, newest first."""
        ...


class ModelStoreError(Exception):
    """The model store could not answer (throttled, unreachable, refused), or what it holds is no model.
    Its message names the key and the error's class, never a text."""


class ModelReader(Protocol):
    """Accounts' own models, versioned (otklik.adapters.model_store); ModelStoreError when it fails."""

    def current(self, account: str) -> str | None:
        """The version promoted for the account (its current pointer); None when it has none."""
        ...

    def load(self, account: str, version: str) -> Model | None:
        """The account's model of that version; None when none is stored."""
        ...


class AccountTonality(Protocol):
    """The learned layer that scores an account's texts, for the configuration's choice (current, shipped,
    lexicon or a version): "shipped", "lexicon" or the account's Model. Never raises: it falls back."""

    def resolve(self, account: str, choice: str) -> Model | str: ...


class ModelStore(ModelReader, Protocol):
    def save_model(self, account: str, model: Model) -> None:
        """Keep the model under its own version (model.version)."""
        ...

    def save_manifest(self, account: str, version: str, manifest: Mapping[str, Any]) -> None:
        """Keep what a training run measured and decided about a version (promoted or refused)."""
        ...

    def promote(self, account: str, pointer: Mapping[str, Any]) -> None:
        """Make pointer["version"] the account's current model: only once that model is saved."""
        ...


# ---------------------------------------------------------------- tickets and notifications


class TicketReader(Protocol):
    def get_ticket(self, ticket_id: str) -> Ticket | None: ...


class TicketBatchReader(Protocol):
    """Many tickets at once: those stored among the ids, by id (a dry run compares a day's items)."""

    def get_tickets(self, ticket_ids: Sequence[str]) -> Mapping[str, Ticket]: ...


class TicketWriter(TicketReader, Protocol):
    def create(self, ticket: Ticket, claim: CustomerClaim | None = None) -> bool:
        """Store a new ticket; False (nothing written) when it exists. With claim, also claim its customer
        (otklik.domain.repeat_contact), or raise CustomerHasTicket and write nothing."""
        ...


class TicketChanges(TicketReader, Protocol):
    """Tickets changed by optimistic concurrency (otklik.usecases.tickets.change_ticket)."""

    def update(self, before: Ticket, after: Ticket) -> bool:
        """Write what after changes of before, and raise the version by one, only while the stored ticket is
        still at before.version; False, and nothing written, when it changed since (read it again)."""
        ...


class CustomerTickets(Protocol):
    def find_open_for_customer(self, customer_key: str, since: datetime) -> list[Ticket]:
        """The tickets opened for the customer (otklik.domain.repeat_contact.customer_key) since `since`,
        whatever their status, newest first; a few at most."""
        ...


class RouteTickets(TicketWriter, TicketChanges, CustomerTickets, Protocol):
    """What route_feedback does with tickets: opens them, and joins repeat contacts to them."""


class Assigner(Protocol):
    """Round-robin turns per team: an atomic counter."""

    def next_turn(self, team: str) -> int:
        """The team's next turn, counting from 1; no two calls get the same one."""
        ...


class DeadlineWatch(TicketReader, Protocol):
    """Tickets with an SLA event due, read a batch at a time, and what the sweep records on them (each write
    over the version read: False, nothing written, when the ticket changed since)."""

    def sla_due(self, now: datetime) -> list[str]: ...
    def get_tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]: ...
    def update(self, before: Ticket, after: Ticket) -> bool: ...
    def rewatch(self, ticket: Ticket) -> bool: ...


@dataclass(frozen=True)
class TicketFilters:
    """What GET /tickets filters on beside the status; None: not filtered on."""

    team: str | None = None
    priority: str | None = None
    assignee: str | None = None
    breached: bool | None = None

    def given(self) -> dict[str, str | bool]:
        """The filters given, by name, in the order above."""
        named = {"team": self.team, "priority": self.priority, "assignee": self.assignee}
        given: dict[str, str | bool] = {name: value for name, value in named.items() if value is not None}
        if self.breached is not None:
            given["breached"] = self.breached
        return given


class TicketQueries(Protocol):
    def get(self, ticket_id: str) -> dict[str, Any] | None: ...
    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        """The tickets in status, newest first."""
        ...

    def list_filtered(self, status: str, filters: TicketFilters, limit: int, cursor: str | None) -> Page:
        """The tickets in status that match every filter given, newest first."""
        ...

    def list_notifications(self, ticket_id: str) -> list[dict[str, Any]]: ...


class Approvals(Protocol):
    """The reply state of tickets as approving a reply needs it: record it, or take it back."""

    def approve(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None = None) -> bool: ...
    def withdraw(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None) -> bool: ...


class Replies(Protocol):
    """The reply state of tickets; every change is conditional on the state it expects. (A publication is
    recorded with the ticket's first response, through TicketChanges.)"""

    def approve(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None = None) -> bool: ...
    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str, *, auto: bool = False) -> bool: ...
    # The outbox of automatic replies to items without a ticket (keyed by the id a ticket would have).
    def approve_auto(self, ticket_id: str, feedback_id: str, reply: ReplyState) -> bool: ...
    def get_auto(self, ticket_id: str) -> ReplyState | None: ...
    def record_auto(self, ticket_id: str, reply: ReplyState) -> bool: ...


class RecentRepliesStore(Protocol):
    """The last replies on each product (by otklik.domain.replies.recent.product_key), newest first."""

    def recent(self, product: str) -> list[RecentReply]: ...
    def remember(self, product: str, reply: RecentReply, keep: int) -> None: ...


class AutoReplies(Protocol):
    """The outbox of automatic replies to items without a ticket, read by the id a ticket would have."""

    def get_auto(self, ticket_id: str) -> ReplyState | None: ...


class ReplyWatchStore(Protocol):
    """Published replies to read back from their platform, each at its next look."""

    def watch(self, due: ReadBackDue) -> None: ...
    def due(self, now: datetime, limit: int) -> list[ReadBackDue]: ...
    def done(self, reply_id: str) -> None: ...


class ChannelUnavailable(Exception):
    """A channel cannot take a notification now but may later (an outage, a rate limit).

    Its message is kept in the outbox: what the channel answered or the error's class, never the
    notification's text or the channel's (secret) URL. `cause` says it in a word ("HTTP 503",
    "ConnectionRefusedError"); that may be logged.
    """

    def __init__(self, message: str, cause: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.cause = cause or type(self).__name__
        # Seconds the channel asked us to wait before the next try (Telegram's parameters.retry_after).
        self.retry_after = retry_after


class Channel(Protocol):
    """One way of telling people.

    deliver answers what happened: sent, failed for good (a refusal that will not heal), or unconfirmed
    (sent, but no answer came, so it may have arrived). It raises ChannelUnavailable when it may heal.
    """

    name: str

    def deliver(self, delivery: Delivery) -> ChannelResult: ...


class Outbox(Protocol):
    """The record of every notification and of what each channel did with it, written as it happens."""

    def open_notification(self, notification: Notification, now: datetime) -> Mapping[str, ChannelResult]:
        """Keep the notification (once per id: a redelivery leaves it as it is) before any channel is
        tried; answer what each channel already did with it, by channel name (empty the first time)."""
        ...

    def record_channel_result(self, notification: Notification, result: ChannelResult) -> bool:
        """Keep what a channel did (its latest try); False, and nothing written, once it was sent."""
        ...


@dataclass(frozen=True)
class WaitingDelivery:
    """A delivery held until due_at: quiet hours ("quiet"), or a retry further off than a queue delays."""

    notification: Notification
    key: str  # the delivery's key (otklik.domain.notify.plan.Target.key)
    attempt: int  # tries made so far
    reason: str
    due_at: datetime


@dataclass(frozen=True)
class DigestDue:
    """The digest of one recipient's channel for one window: what it stands for, due at the window's end."""

    id: str
    recipient: str
    channel: str
    minutes: int
    counts: DigestCounts
    due_at: datetime
    attempts: int = 0


class NotifyWaits(Protocol):
    """Deliveries held for later, rate caps and digests (otklik.adapters.notify_store)."""

    def wait(
        self, notification: Notification, key: str, until: datetime, attempt: int, reason: str
    ) -> None: ...
    def waiting(self, now: datetime, limit: int) -> list[WaitingDelivery]: ...
    def released(self, waiting: WaitingDelivery) -> bool: ...
    def take(
        self, recipient: str, channel: str, messages: int, minutes: int, now: datetime
    ) -> datetime | None: ...
    def add_to_digest(
        self, recipient: str, channel: str, window_start: datetime, minutes: int, notification: Notification
    ) -> bool: ...
    def digests_due(self, now: datetime, limit: int) -> list[DigestDue]: ...
    def digest_tried(self, digest: DigestDue, result: dict[str, Any], retry_at: datetime | None) -> None: ...
    def postpone_digest(self, digest: DigestDue, until: datetime) -> None: ...
    def open_episode(self, queue: str, now: datetime) -> bool: ...
    def close_episode(self, queue: str) -> None: ...


class QueueDepths(Protocol):
    """How many messages wait in each dead-letter queue, by name."""

    def depths(self) -> dict[str, int]: ...


# ---------------------------------------------------------------- marketplaces


class Connector(Protocol):
    """A marketplace account's API, as the pipeline uses it."""

    streams: tuple[str, ...]  # what poll() can read, e.g. ("feedbacks", "questions")

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage: ...
    # A page of the stream's items created within the window, from the backfill's own cursor ({} first);
    # the platform's list filters where it has them, else read until the items are older than the window.
    def backfill(
        self, stream: str, cursor: dict[str, Any], window: BackfillWindow, now: datetime
    ) -> PollPage: ...
    def publish(self, reply: ApprovedReply) -> PublishedReply: ...
    # What the platform shows now of a reply published earlier (its own moderation's verdict).
    def read_back(self, reply: ApprovedReply, platform_answer_id: str | None) -> ReplyReadBack: ...
    # A corrected reply where the previous one was refused, by the platform's rules (edit, or delete
    # and create); the same limits as publish; PermanentRejection where the platform allows no change.
    def replace(self, reply: ApprovedReply, previous_answer_id: str | None) -> PublishedReply: ...


class NotifiedFetcher(Protocol):
    """A connector that can fetch the feedback a push named by id only (Yandex Market)."""

    def fetch(self, job: FetchJob, now: datetime) -> list[FeedbackEnvelope]: ...


class Connections(Protocol):
    """The seller's marketplace accounts, by name."""

    def all(self) -> Mapping[str, Connection]: ...


class Connectors(Protocol):
    """Builds the API client of a connection; raises on a marketplace it does not know."""

    def connector(self, connection: Connection) -> Connector: ...
    def fetcher(self, connection: Connection) -> NotifiedFetcher: ...


class Cursors(Protocol):
    """Where each connection's streams resume; a save fails if another poll moved the cursor."""

    def get(self, connection: str, stream: str) -> StoredCursor: ...
    def save(
        self, connection: str, stream: str, cursor: dict[str, Any], read: StoredCursor, now: datetime
    ) -> int: ...
    def last_polled(self, connection: str) -> datetime | None: ...
    def record_poll(self, connection: str, now: datetime) -> None: ...
