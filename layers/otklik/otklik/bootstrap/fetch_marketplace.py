"""fetch_marketplace's builder: the feedback behind a Yandex Market notification, onto IngestQueue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from otklik.bootstrap import parts
from otklik.bootstrap.settings import MarketplaceSettings, load_settings
from otklik.domain.messages import FetchMessage
from otklik.ports import Connections, Connectors, Publisher
from otklik.usecases.fetch import fetch_notified

Message = FetchMessage


class FetchSettings(MarketplaceSettings):
    ingest_queue_url: str


@dataclass(frozen=True)
class Fetcher:
    connections: Connections
    connectors: Connectors
    ingest_queue: Publisher

    def __call__(self, message: FetchMessage, now: datetime) -> int:
        return fetch_notified(message, now, self.connections, self.connectors, self.ingest_queue)


def build() -> Fetcher:
    settings = load_settings(FetchSettings)
    reader = parts.secrets()
    return Fetcher(
        connections=parts.connections(settings, reader),
        connectors=parts.connectors(settings, reader),
        ingest_queue=parts.queue(settings.ingest_queue_url),
    )
