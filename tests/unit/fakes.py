"""In-memory stand-ins for the pipeline's ports (queues, stores, channels), recording what they were asked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from otklik.adapters.slack import TransientDeliveryError
from otklik.domain.learning import RatedReview
from otklik.domain.models import ChannelResult, FeedbackItem, Notification, TextOrigin, Ticket
from otklik.domain.repeat_contact import CustomerClaim, CustomerHasTicket
from otklik.domain.sla.clock import next_check
from otklik.domain.tonality.learned import Model
from otklik.ports import ModelStoreError

# Shared by several fakes so a test can check the order of calls across ports.
Journal = list[tuple[str, str]]


class QueueUnavailable(Exception):
    """The queue refused a message."""


class RecordingQueue:
    def __init__(self, journal: Journal | None = None) -> None:
        self.sent: list[BaseModel] = []
        self._journal = journal if journal is not None else []

    def send(self, message: BaseModel) -> str:
        self.sent.append(message)
        self._journal.append(("send", type(message).__name__))
        return f"message-{len(self.sent)}"


class UnavailableQueue:
    def send(self, message: BaseModel) -> str:
        raise QueueUnavailable("queue is down")


class InMemoryReceipts:
    def __init__(self, journal: Journal | None = None) -> None:
        self.recorded: dict[str, datetime] = {}
        self._journal = journal if journal is not None else []

    def seen(self, feedback_id: str, now: datetime) -> bool:
        return feedback_id in self.recorded

    def record(self, feedback_id: str, now: datetime) -> None:
        self.recorded[feedback_id] = now
        self._journal.append(("record", feedback_id))


class InMemoryFeedback:
    def __init__(self, *items: FeedbackItem) -> None:
        self.items = {item.id: item for item in items}

    def put_new(self, item: FeedbackItem) -> bool:
        if item.id in self.items:
            return False
        self.items[item.id] = item
        return True

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        return self.items.get(feedback_id)


class InMemorySeenTexts:
    """The first origin of each fingerprint, as SeenTextsTable's conditional put keeps it."""

    def __init__(self) -> None:
        self.origins: dict[str, TextOrigin] = {}

    def first_seen(self, origin: TextOrigin, now: datetime) -> TextOrigin:
        return self.origins.setdefault(origin.fingerprint, origin)


class InMemoryTickets:
    def __init__(self, *tickets: Ticket, journal: Journal | None = None) -> None:
        self.tickets = {ticket.id: ticket for ticket in tickets}
        self._journal = journal if journal is not None else []
        self.claims: dict[str, Ticket] = {}  # customer key -> the ticket holding its claim
        # A stale watch moment per ticket (as an index may hold one); by default the ticket's own.
        self.watched: dict[str, datetime | None] = {}

    def create(self, ticket: Ticket, claim: CustomerClaim | None = None) -> bool:
        if ticket.id in self.tickets:
            return False
        if claim is not None:
            holder = self.claims.get(claim.customer_key)
            held = holder is not None and holder.id not in (ticket.id, claim.replaces)
            if held and holder is not None and holder.created_at >= claim.since:
                raise CustomerHasTicket(holder.id)
            self.claims[claim.customer_key] = ticket
        self.tickets[ticket.id] = ticket
        return True

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        return self.tickets.get(ticket_id)

    def update(self, before: Ticket, after: Ticket) -> bool:
        """The store's optimistic write: only over the version read, raising it by one."""
        stored = self.tickets.get(before.id)
        if stored is None or stored.version != before.version:
            return False
        self.tickets[before.id] = after.model_copy(update={"version": before.version + 1})
        self.watched.pop(before.id, None)
        self._journal.append(("update", before.id))
        return True

    def find_open_for_customer(self, customer_key: str, since: datetime) -> list[Ticket]:
        found = [t for t in self.tickets.values() if t.customer_key == customer_key and t.created_at >= since]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    def sla_due(self, now: datetime) -> list[str]:
        # Like an index that lags behind changes: whatever has something pending by now, whatever its status
        # now (the sweep must look again at what it reads).
        return [
            t.id
            for t in self.tickets.values()
            if (moment := self.watched.get(t.id, next_check(t))) is not None and moment <= now
        ]

    def get_tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        return {i: self.tickets[i] for i in ticket_ids if i in self.tickets}

    def rewatch(self, ticket: Ticket) -> bool:
        self._journal.append(("rewatch", ticket.id))
        self.watched[ticket.id] = next_check(ticket)
        return True


class RecordingChannel:
    def __init__(self, name: str) -> None:
        self.name = name
        self.delivered: list[Notification] = []

    def deliver(self, notification: Notification) -> ChannelResult:
        self.delivered.append(notification)
        return ChannelResult(channel=self.name, status="sent")


class UnreachableChannel:
    name = "slack"

    def deliver(self, notification: Notification) -> ChannelResult:
        raise TransientDeliveryError("HTTP 503: try later")


class InMemoryRatedReviews:
    """Rated reviews by day, as the by_day index holds them; records which days were read."""

    def __init__(self, *reviews: RatedReview) -> None:
        self.reviews = list(reviews)
        self.days_read: list[str] = []

    def rated_reviews_of_day(self, day: str) -> Iterator[RatedReview]:
        self.days_read.append(day)
        return iter([review for review in self.reviews if review.day == day])


class InMemoryModelStore:
    """Accounts' models, manifests and pointers, as the models bucket keeps them; `failing` makes every
    call raise as S3 does when it is throttled or unreachable."""

    def __init__(self) -> None:
        self.models: dict[tuple[str, str], bytes] = {}
        self.manifests: dict[tuple[str, str], dict[str, Any]] = {}
        self.pointers: dict[str, dict[str, Any]] = {}
        self.writes: list[tuple[str, str, str]] = []  # (what, account, version), in order
        self.reads = 0
        self.failing = False

    def _call(self) -> None:
        self.reads += 1
        if self.failing:
            raise ModelStoreError("s3://models/...: SlowDown")

    def current(self, account: str) -> str | None:
        self._call()
        pointer = self.pointers.get(account)
        return str(pointer["version"]) if pointer else None

    def load(self, account: str, version: str) -> Model | None:
        self._call()
        data = self.models.get((account, version))
        return Model.loads(data) if data is not None else None

    def save_model(self, account: str, model: Model) -> None:
        self.models[(account, model.version)] = model.dumps()
        self.writes.append(("model", account, model.version))

    def save_manifest(self, account: str, version: str, manifest: Mapping[str, Any]) -> None:
        self.manifests[(account, version)] = dict(manifest)
        self.writes.append(("manifest", account, version))

    def promote(self, account: str, pointer: Mapping[str, Any]) -> None:
        self.pointers[account] = dict(pointer)
        self.writes.append(("pointer", account, str(pointer["version"])))
