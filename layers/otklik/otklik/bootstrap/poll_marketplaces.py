"""poll_marketplaces' builder: each enabled, due connection read from its cursors onto IngestQueue (or the
connections a request names, or a backfill of them from a day), then the replies published since read back
from their platforms (otklik.usecases.read_back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, MarketplaceSettings, TimezoneSettings, load_settings
from otklik.domain.marketplaces.backfill import PollRequest
from otklik.ports import (
    ConfigSource,
    Connections,
    Connectors,
    Cursors,
    Publisher,
    Replies,
    ReplyWatchStore,
    TicketChanges,
)
from otklik.usecases.poll import PageBudgets, StreamReport, poll_requested
from otklik.usecases.read_back import ReadBackReport, read_back_replies


class PollSettings(MarketplaceSettings, ConfigSettings, TimezoneSettings):
    cursors_table: str
    ingest_queue_url: str
    tickets_table: str
    notify_queue_url: str
    max_pages_per_stream: int = Field(default=20, ge=1)
    max_backfill_pages_per_stream: int = Field(default=50, ge=1)


@dataclass(frozen=True)
class ReadBack:
    config: ConfigSource
    watch: ReplyWatchStore
    connections: Connections
    connectors: Connectors
    tickets: TicketChanges
    replies: Replies
    notify_queue: Publisher

    def __call__(self, now: datetime) -> ReadBackReport:
        return read_back_replies(
            now,
            self.config.current(),
            self.watch,
            self.connections,
            self.connectors,
            self.tickets,
            self.replies,
            self.notify_queue,
        )


@dataclass(frozen=True)
class Poller:
    connections: Connections
    connectors: Connectors
    cursors: Cursors
    ingest_queue: Publisher
    budgets: PageBudgets
    read_back: ReadBack
    zone: ZoneInfo  # the day a backfill's since names is a day in the stack's day zone

    def __call__(self, now: datetime, request: PollRequest | None = None) -> list[StreamReport]:
        return poll_requested(
            request or PollRequest(),
            now,
            self.connections,
            self.connectors,
            self.cursors,
            self.ingest_queue,
            self.budgets,
        )


def build() -> Poller:
    from otklik.adapters.cursor_store import CursorStore
    from otklik.adapters.reply_watch import ReplyWatch
    from otklik.adapters.ticket_store import ReplyStore, TicketStore

    settings = load_settings(PollSettings)
    reader = parts.secrets()
    client = aws.client("dynamodb")
    connections = parts.connections(settings, reader)
    connectors = parts.connectors(settings, reader)
    return Poller(
        connections=connections,
        connectors=connectors,
        cursors=CursorStore(client, settings.cursors_table),
        ingest_queue=parts.queue(settings.ingest_queue_url),
        budgets=PageBudgets(settings.max_pages_per_stream, settings.max_backfill_pages_per_stream),
        read_back=ReadBack(
            config=parts.config_source(settings),
            watch=ReplyWatch(client, settings.tickets_table),
            connections=connections,
            connectors=connectors,
            tickets=TicketStore(client, settings.tickets_table),
            replies=ReplyStore(client, settings.tickets_table),
            notify_queue=parts.queue(settings.notify_queue_url),
        ),
        zone=settings.timezone,
    )
