"""What each handler is built from: settings in, ready-to-call services out. Clients are reused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from otklik.adapters import aws
from otklik.adapters.aggregate_store import AggregateStore
from otklik.adapters.feedback_store import FeedbackStore
from otklik.adapters.http import HttpClient
from otklik.adapters.queues import QueuePublisher
from otklik.adapters.receipts import WebhookReceipts
from otklik.adapters.secrets import SecretReader
from otklik.adapters.slack import SlackWebhookChannel
from otklik.adapters.ticket_store import TicketStore
from otklik.models import DeliveredNotification, FeedbackEnvelope, Notification
from otklik.pipeline import aggregate, ingest, notify, ops, route, score, sla
from otklik.routing import RoutingPolicy, SlaPolicy
from otklik.settings import (
    AggregateSettings,
    IngestSettings,
    NotifySettings,
    OpsSettings,
    RouteSettings,
    ScoreSettings,
    SlaSettings,
)


@cache
def _secret_reader(ssm_client: Any) -> SecretReader:
    return SecretReader(ssm_client)


def secrets() -> SecretReader:
    """One reader per SSM client, so Powertools' cache lasts across warm invocations."""
    return _secret_reader(aws.client("ssm"))


@dataclass(frozen=True)
class IngestService:
    settings: IngestSettings

    def accept(self, source: str, headers: Mapping[str, str], body: bytes, now: datetime) -> ingest.Accepted:
        policy = ingest.WebhookPolicy(
            sources=self.settings.sources,
            max_body_bytes=self.settings.max_body_bytes,
            tolerance_seconds=self.settings.signature_tolerance_seconds,
        )
        reader = secrets()
        return ingest.accept_webhook(
            source,
            headers,
            body,
            now,
            policy,
            secret_for=lambda name: reader.get(self.settings.secret_parameter(name)),
            receipts=WebhookReceipts(
                aws.client("dynamodb"),
                self.settings.idempotency_table,
                timedelta(days=self.settings.receipt_ttl_days),
            ),
            queue=QueuePublisher(aws.client("sqs"), self.settings.ingest_queue_url),
        )


@dataclass(frozen=True)
class ScoreService:
    settings: ScoreSettings

    def score(self, envelope: FeedbackEnvelope) -> score.Scored:
        return score.score_feedback(
            envelope,
            self.settings.timezone,
            FeedbackStore(aws.client("dynamodb"), self.settings.feedback_table),
            QueuePublisher(aws.client("sqs"), self.settings.route_queue_url),
            self.settings.overrides,
        )


@dataclass(frozen=True)
class RouteService:
    settings: RouteSettings

    def route(self, feedback_id: str, now: datetime) -> route.Routed:
        policy = RoutingPolicy(
            sla=SlaPolicy(
                first_response_hours=self.settings.first_response_hours,
                question_response_hours=self.settings.question_response_hours,
            )
        )
        return route.route_feedback(
            feedback_id,
            now,
            policy,
            FeedbackStore(aws.client("dynamodb"), self.settings.feedback_table),
            TicketStore(aws.client("dynamodb"), self.settings.tickets_table),
            QueuePublisher(aws.client("sqs"), self.settings.notify_queue_url),
        )


class NotifyService:
    """Delivers each notification id once (Powertools idempotency on IdempotencyTable)."""

    def __init__(self, settings: NotifySettings, lambda_context: Any | None = None) -> None:
        self.settings = settings
        config = IdempotencyConfig(
            event_key_jmespath="id",
            expires_after_seconds=settings.idempotency_ttl_days * 24 * 3600,
            raise_on_no_idempotency_key=True,
        )
        if lambda_context is not None:
            config.register_lambda_context(lambda_context)
        persistence = DynamoDBPersistenceLayer(
            table_name=settings.idempotency_table, boto3_client=aws.client("dynamodb")
        )
        self._deliver_once = idempotent_function(
            data_keyword_argument="notification",
            persistence_store=persistence,
            config=config,
            output_serializer=None,
        )(self._deliver)

    def _channels(self) -> list[notify.Channel]:
        channels: list[notify.Channel] = []
        if "slack" in self.settings.channels:
            url = secrets().get(self.settings.slack_webhook_parameter)
            channels.append(SlackWebhookChannel(HttpClient(), url))
        return channels

    def _deliver(self, notification: dict[str, Any]) -> dict[str, Any]:
        delivered: DeliveredNotification = notify.deliver_notification(
            Notification.model_validate(notification),
            self._channels(),
            TicketStore(aws.client("dynamodb"), self.settings.tickets_table),
        )
        return delivered.model_dump(mode="json")

    def deliver(self, notification: Notification) -> dict[str, Any]:
        result: dict[str, Any] = self._deliver_once(notification=notification.model_dump(mode="json"))
        return result


@dataclass(frozen=True)
class AggregateService:
    settings: AggregateSettings

    def count(self, document: dict[str, Any], now: datetime) -> bool:
        store = AggregateStore(
            aws.client("dynamodb"),
            self.settings.aggregates_table,
            timedelta(days=self.settings.marker_ttl_days),
        )
        return aggregate.count_new_feedback(document, now, store)


@dataclass(frozen=True)
class SlaService:
    settings: SlaSettings

    def sweep(self, now: datetime) -> list[str]:
        return sla.sweep_first_responses(
            now,
            TicketStore(aws.client("dynamodb"), self.settings.tickets_table),
            QueuePublisher(aws.client("sqs"), self.settings.notify_queue_url),
        )


@dataclass(frozen=True)
class OpsService:
    settings: OpsSettings

    def authorize(self, authorization: str | None) -> None:
        ops.check_bearer(authorization, secrets().get(self.settings.token_parameter))

    @property
    def feedback(self) -> FeedbackStore:
        return FeedbackStore(aws.client("dynamodb"), self.settings.feedback_table)

    @property
    def tickets(self) -> TicketStore:
        return TicketStore(aws.client("dynamodb"), self.settings.tickets_table)

    @property
    def aggregates(self) -> AggregateStore:
        return AggregateStore(aws.client("dynamodb"), self.settings.aggregates_table, timedelta(days=1))
