"""send_notifications' builder: each notification kept in the outbox and delivered to whom its subscriptions
name; the schedule's pass releases what waited (quiet hours, long retries) and tells the digests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.domain.messages import NotifyMessage
from otklik.ports import ConfigSource, DelayedPublisher, NotifyWaits, Outbox, QueueDepths
from otklik.usecases.notify import (
    NotifyParts,
    Released,
    deliver_notification,
    release,
)

if TYPE_CHECKING:
    from otklik.adapters.channels import ChannelFactory

Message = NotifyMessage


class NotifySettings(ConfigSettings):
    tickets_table: str
    idempotency_table: str
    notify_queue_url: str
    idempotency_ttl_days: int = Field(default=7, ge=1)
    channel_timeout_seconds: float = Field(default=5.0, gt=0, le=20)
    # The API's base URL, for the ticket links of notifications (the template sets it to the stack's API).
    public_url: str
    telegram_api_url: str = "https://api.telegram.org"
    # The dead-letter queues the schedule's pass watches: Name=<queue url>, comma-separated.
    dead_letter_queues: str


def _idempotency_key(message: NotifyMessage) -> str:
    """One delivery run per notification and try: a retry or a released wait is a run of its own."""
    note = message.notification
    if not message.only:
        return note.id
    return f"{note.id}#{','.join(message.only)}#{message.attempt}#{'r' if message.released else 't'}"


class Notifier:
    """Runs each (notification, try) once (Powertools idempotency on IdempotencyTable, so two deliveries of
    one SQS message at once do not both send); across tries, the outbox keeps each delivery from being sent
    twice."""

    def __init__(
        self,
        config: ConfigSource,
        channels: ChannelFactory,
        outbox: Outbox,
        waits: NotifyWaits,
        retries: DelayedPublisher,
        settings: NotifySettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        dead_letters: QueueDepths | None = None,
    ) -> None:
        # Powertools' idempotency utility imports boto3: loaded here, by build(), not with the handler.
        from otklik.adapters.idempotency import OncePerKey

        self._config = config
        self._channels = channels
        self._outbox = outbox
        self._waits = waits
        self._retries = retries
        self._base_url = settings.public_url
        self._dead_letters = dead_letters
        self._clock = clock
        self._once = OncePerKey(
            self._deliver,
            "id",
            aws.client("dynamodb"),
            settings.idempotency_table,
            timedelta(days=settings.idempotency_ttl_days),
        )

    def parts(self) -> NotifyParts:
        config = self._config.current()
        return NotifyParts(
            config=config,
            channels=self._channels.by_name(config),
            outbox=self._outbox,
            waits=self._waits,
            retries=self._retries,
            base_url=self._base_url,
        )

    def _deliver(self, payload: dict[str, Any]) -> dict[str, Any]:
        message = NotifyMessage.model_validate(payload["message"])
        delivered = deliver_notification(message, self.parts(), self._clock())
        # Only the results: Powertools keeps this in IdempotencyTable, which needs no copy of the text.
        return {"results": [result.model_dump(mode="json") for result in delivered.results]}

    def bind(self, lambda_context: Any) -> None:
        self._once.bind(lambda_context)

    def __call__(self, message: NotifyMessage) -> dict[str, Any]:
        return self._once({"id": _idempotency_key(message), "message": message.model_dump(mode="json")})

    def release(self, now: datetime | None = None) -> Released:
        return release(self.parts(), now or self._clock(), dead_letters=self._dead_letters)


def build() -> Notifier:
    from otklik.adapters.channels import ChannelFactory
    from otklik.adapters.http import HttpClient
    from otklik.adapters.notify_store import NotifyStore
    from otklik.adapters.queues import QueueDepths as SqsQueueDepths
    from otklik.adapters.ticket_store import TicketStore

    settings = load_settings(NotifySettings)
    reader = parts.secrets()
    # A rate limit's wait is capped well inside the function's 60 s; a longer one is a retry's to wait.
    http = HttpClient(timeout_seconds=settings.channel_timeout_seconds, max_retry_after_seconds=5.0)
    channels = ChannelFactory(
        reader,
        settings.parameter_prefix,
        http,
        telegram_api_url=settings.telegram_api_url,
        timeout_seconds=settings.channel_timeout_seconds,
    )
    return Notifier(
        config=parts.config_source(settings),
        channels=channels,
        outbox=TicketStore(aws.client("dynamodb"), settings.tickets_table),
        waits=NotifyStore(aws.client("dynamodb"), settings.tickets_table),
        retries=parts.queue(settings.notify_queue_url),
        settings=settings,
        dead_letters=SqsQueueDepths.parse(aws.client("sqs"), settings.dead_letter_queues),
    )
