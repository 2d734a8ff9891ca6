"""poll_marketplaces' builder: each enabled, due connection read from its cursors onto IngestQueue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import MarketplaceSettings, load_settings
from otklik.ports import Connections, Connectors, Cursors, Publisher
from otklik.usecases.poll import StreamReport, poll_due_connections


class PollSettings(MarketplaceSettings):
    cursors_table: str
    ingest_queue_url: str
    max_pages_per_stream: int = Field(default=20, ge=1)


@dataclass(frozen=True)
class Poller:
    connections: Connections
    connectors: Connectors
    cursors: Cursors
    ingest_queue: Publisher
    max_pages: int

    def __call__(self, now: datetime, force: bool = False) -> list[StreamReport]:
        return poll_due_connections(
            now, self.connections, self.connectors, self.cursors, self.ingest_queue, self.max_pages, force
        )


def build() -> Poller:
    from otklik.adapters.cursor_store import CursorStore

    settings = load_settings(PollSettings)
    reader = parts.secrets()
    return Poller(
        connections=parts.connections(settings, reader),
        connectors=parts.connectors(settings, reader),
        cursors=CursorStore(aws.client("dynamodb"), settings.cursors_table),
        ingest_queue=parts.queue(settings.ingest_queue_url),
        max_pages=settings.max_pages_per_stream,
    )
