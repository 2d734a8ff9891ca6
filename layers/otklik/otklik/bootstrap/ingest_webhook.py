"""ingest_webhook's builder: signed own-channel webhooks and marketplace pushes, onto IngestQueue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import MarketplaceSettings, load_settings
from otklik.domain.marketplaces.models import Marketplace, PushResult
from otklik.ports import Connections, Publisher, Receipts, Secrets
from otklik.usecases import ingest, push


class IngestSettings(MarketplaceSettings):
    ingest_queue_url: str
    fetch_queue_url: str
    idempotency_table: str
    webhook_sources: str = "custom"
    signature_tolerance_seconds: int = Field(default=300, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1)
    receipt_ttl_days: int = Field(default=7, ge=1)

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.webhook_sources.split(",") if s.strip())

    def secret_parameter(self, source: str) -> str:
        return f"{self.parameter_prefix}/webhooks/{source}/secret"


@dataclass(frozen=True)
class Intake:
    """The two ways feedback is pushed to us, ready to call."""

    settings: IngestSettings
    policy: ingest.WebhookPolicy
    secrets: Secrets
    receipts: Receipts
    ingest_queue: Publisher
    fetch_queue: Publisher
    connections: Connections

    def webhook(self, source: str, headers: Mapping[str, str], body: bytes, now: datetime) -> ingest.Accepted:
        return ingest.accept_webhook(
            source,
            headers,
            body,
            now,
            self.policy,
            secret_for=lambda name: self.secrets.get(self.settings.secret_parameter(name)),
            receipts=self.receipts,
            queue=self.ingest_queue,
        )

    def push(
        self,
        marketplace: Marketplace,
        connection: str,
        token: str,
        source_ip: str,
        body: bytes,
        now: datetime,
    ) -> PushResult:
        return push.accept_push(
            marketplace,
            connection,
            token,
            source_ip,
            body,
            now,
            self.connections,
            self.secrets,
            self.ingest_queue,
            self.fetch_queue,
            self.policy.max_body_bytes,
        )


def build() -> Intake:
    from otklik.adapters.receipts import WebhookReceipts

    settings = load_settings(IngestSettings)
    reader = parts.secrets()
    return Intake(
        settings=settings,
        policy=ingest.WebhookPolicy(
            sources=settings.sources,
            max_body_bytes=settings.max_body_bytes,
            tolerance_seconds=settings.signature_tolerance_seconds,
        ),
        secrets=reader,
        receipts=WebhookReceipts(
            aws.client("dynamodb"), settings.idempotency_table, timedelta(days=settings.receipt_ttl_days)
        ),
        ingest_queue=parts.queue(settings.ingest_queue_url),
        fetch_queue=parts.queue(settings.fetch_queue_url),
        connections=parts.connections(settings, reader),
    )
