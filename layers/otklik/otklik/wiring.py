"""What each handler is built from: settings in, ready-to-call services out. Clients are reused."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from otklik.adapters import aws
from otklik.adapters.aggregate_store import AggregateStore
from otklik.adapters.cursor_store import CursorStore
from otklik.adapters.feedback_store import FeedbackStore
from otklik.adapters.http import HttpClient
from otklik.adapters.queues import QueuePublisher
from otklik.adapters.receipts import WebhookReceipts
from otklik.adapters.secrets import SecretMissing, SecretReader
from otklik.adapters.slack import SlackWebhookChannel
from otklik.adapters.ticket_store import ReplyStore, TicketStore
from otklik.errors import NotFound
from otklik.marketplaces.base import (
    ApprovedReply,
    Connection,
    Connector,
    FetchJob,
    MalformedItem,
    Marketplace,
    PushResult,
)
from otklik.marketplaces.connections import due, parse_connections
from otklik.marketplaces.ozon import OzonConnector, handle_ozon_push
from otklik.marketplaces.push_auth import check_push
from otklik.marketplaces.ratelimit import TokenBucket
from otklik.marketplaces.wildberries import WildberriesConnector
from otklik.marketplaces.yandex_market import YandexMarketConnector, handle_yandex_notification
from otklik.messages import FetchMessage, MalformedMessage
from otklik.models import DeliveredNotification, FeedbackEnvelope, Notification
from otklik.pipeline import aggregate, ingest, notify, ops, poll, push, route, score, sla
from otklik.pipeline import reply as reply_flow
from otklik.routing import RoutingPolicy, SlaPolicy
from otklik.settings import (
    AggregateSettings,
    FetchSettings,
    IngestSettings,
    MarketplaceSettings,
    NotifySettings,
    OpsSettings,
    PollSettings,
    PublishSettings,
    RouteSettings,
    ScoreSettings,
    SlaSettings,
)

logger = Logger(child=True)

# Wildberries allows about three requests a second to the feedbacks API, with a small burst.
WILDBERRIES_RATE_PER_SECOND = 3.0
WILDBERRIES_BURST = 5


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


def once_per_key(
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    key: str,
    table: str,
    ttl_days: int,
    lambda_context: Any | None,
) -> Callable[..., dict[str, Any]]:
    """handle(document) run at most once per document[key] (Powertools idempotency on IdempotencyTable)."""
    config = IdempotencyConfig(
        event_key_jmespath=key, expires_after_seconds=ttl_days * 24 * 3600, raise_on_no_idempotency_key=True
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    persistence = DynamoDBPersistenceLayer(table_name=table, boto3_client=aws.client("dynamodb"))
    parameter = next(iter(inspect.signature(handle).parameters))
    once: Callable[..., dict[str, Any]] = idempotent_function(
        data_keyword_argument=parameter, persistence_store=persistence, config=config
    )(handle)
    return once


class NotifyService:
    """Delivers each notification id once (Powertools idempotency on IdempotencyTable)."""

    def __init__(self, settings: NotifySettings, lambda_context: Any | None = None) -> None:
        self.settings = settings
        self._deliver_once = once_per_key(
            self._deliver, "id", settings.idempotency_table, settings.idempotency_ttl_days, lambda_context
        )

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

    def approve_reply(self, ticket_id: str, request: reply_flow.ReplyRequest, now: datetime) -> ApprovedReply:
        client = aws.client("dynamodb")
        return reply_flow.approve_reply(
            ticket_id,
            request,
            now,
            TicketStore(client, self.settings.tickets_table),
            FeedbackStore(client, self.settings.feedback_table),
            ReplyStore(client, self.settings.tickets_table),
            QueuePublisher(aws.client("sqs"), self.settings.answer_queue_url),
        )

    @property
    def aggregates(self) -> AggregateStore:
        return AggregateStore(aws.client("dynamodb"), self.settings.aggregates_table, timedelta(days=1))


# ---------------------------------------------------------------- marketplaces


def marketplace_connections(settings: MarketplaceSettings) -> dict[str, Connection]:
    """The connections, from the one SSM parameter that lists them (cached like every secret).

    A deployment without marketplaces need not create the parameter: no parameter, no connections.
    """
    try:
        text = secrets().get(settings.connections_parameter)
    except SecretMissing:
        logger.warning("no marketplace connections", extra={"parameter": settings.connections_parameter})
        return {}
    document = json.loads(text)
    return {connection.name: connection for connection in parse_connections(document)}


@cache
def _wildberries_limiter(connection: str) -> TokenBucket:
    """One bucket per Wildberries account and process, kept across warm invocations."""
    return TokenBucket(rate_per_second=WILDBERRIES_RATE_PER_SECOND, burst=WILDBERRIES_BURST)


def connector_for(connection: Connection, settings: MarketplaceSettings) -> Connector:
    reader = secrets()
    credentials = {name: reader.get(parameter) for name, parameter in connection.credentials.items()}
    # Waits for a platform's rate limit are capped well inside the functions' timeouts.
    http = HttpClient(timeout_seconds=10.0, max_retry_after_seconds=5.0)
    if connection.marketplace == "wildberries":
        return WildberriesConnector(
            http,
            settings.wb_feedbacks_url,
            credentials["token"],
            connection,
            _wildberries_limiter(connection.name),
        )
    if connection.marketplace == "ozon":
        return OzonConnector(
            http, settings.ozon_api_url, credentials["client_id"], credentials["api_key"], connection
        )
    return YandexMarketConnector(http, settings.ym_api_url, credentials["api_key"], connection)


PUSH_HANDLERS = {"ozon": handle_ozon_push, "yandex_market": handle_yandex_notification}


@dataclass(frozen=True)
class PushService:
    settings: IngestSettings

    def accept(
        self,
        marketplace: Marketplace,
        connection: str,
        token: str,
        source_ip: str,
        body: bytes,
        now: datetime,
    ) -> PushResult:
        reader = secrets()

        def push_secret(found: Connection) -> str:
            if not found.push_token_parameter:
                # Same answer as an unknown connection: a push URL reveals nothing about accounts.
                raise NotFound(f"no {marketplace} connection {found.name!r} takes pushes")
            return reader.get(found.push_token_parameter)

        return push.accept_push(
            marketplace,
            connection,
            token,
            source_ip,
            body,
            now,
            marketplace_connections(self.settings),
            push_secret,
            check_push,
            PUSH_HANDLERS[marketplace],
            QueuePublisher(aws.client("sqs"), self.settings.ingest_queue_url),
            QueuePublisher(aws.client("sqs"), self.settings.fetch_queue_url),
        )


@dataclass(frozen=True)
class PollService:
    settings: PollSettings

    def poll_due(self, now: datetime, force: bool = False) -> list[poll.StreamReport]:
        """Every enabled connection whose poll interval has passed (all enabled ones when forced)."""
        cursors = CursorStore(aws.client("dynamodb"), self.settings.cursors_table)
        queue = QueuePublisher(aws.client("sqs"), self.settings.ingest_queue_url)
        reports: list[poll.StreamReport] = []
        for connection in marketplace_connections(self.settings).values():
            if not connection.enabled:
                continue
            if not force and not due(connection, cursors.last_polled(connection.name), now):
                continue
            reports.extend(
                poll.poll_connection(
                    connection,
                    connector_for(connection, self.settings),
                    cursors,
                    queue,
                    now,
                    self.settings.max_pages_per_stream,
                )
            )
        return reports


@dataclass(frozen=True)
class FetchService:
    settings: FetchSettings

    def fetch(self, message: FetchMessage, now: datetime) -> int:
        connection = marketplace_connections(self.settings).get(message.connection)
        if connection is None or connection.marketplace != "yandex_market":
            raise MalformedMessage(f"no yandex_market connection {message.connection!r} to fetch from")
        connector = connector_for(connection, self.settings)
        if not isinstance(connector, YandexMarketConnector):
            raise MalformedMessage(f"connection {connection.name} cannot fetch notified feedback")
        job = FetchJob(
            connection=message.connection, kind=message.kind, ids=message.ids, notified_at=message.notified_at
        )
        try:
            envelopes = connector.fetch(job, now)
        except MalformedItem as error:
            # The answer cannot be mapped: the record fails and, after its retries, waits in FetchDLQ.
            raise MalformedMessage(f"notified feedback cannot be mapped: {error}") from error
        queue = QueuePublisher(aws.client("sqs"), self.settings.ingest_queue_url)
        for envelope in envelopes:
            queue.send(envelope)
        return len(envelopes)


class PublishService:
    """Publishes each approved reply once (Powertools idempotency on the reply id)."""

    def __init__(self, settings: PublishSettings, lambda_context: Any | None = None) -> None:
        self.settings = settings
        self._publish_once = once_per_key(
            self._publish,
            "reply_id",
            settings.idempotency_table,
            settings.idempotency_ttl_days,
            lambda_context,
        )

    def _publish(self, reply: dict[str, Any]) -> dict[str, Any]:
        approved = ApprovedReply.model_validate(reply)
        connection = marketplace_connections(self.settings).get(approved.connection)
        if connection is None:
            raise MalformedMessage(f"no connection {approved.connection!r} to publish through")
        outcome = reply_flow.publish_reply(
            approved,
            connector_for(connection, self.settings),
            ReplyStore(aws.client("dynamodb"), self.settings.tickets_table),
            QueuePublisher(aws.client("sqs"), self.settings.answer_dlq_url),
            datetime.now(UTC),
        )
        return {
            "reply_id": approved.reply_id,
            "published": outcome.answer is not None,
            "rejected": bool(outcome.rejected),
        }

    def publish(self, reply: ApprovedReply) -> dict[str, Any]:
        result: dict[str, Any] = self._publish_once(reply=reply.model_dump(mode="json"))
        return result
