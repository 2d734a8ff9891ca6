"""send_notifications' builder: each notification kept in the outbox and delivered to its channels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Notification
from otklik.ports import ConfigSource, Outbox
from otklik.usecases.notify import NotificationIncomplete, deliver_notification

if TYPE_CHECKING:
    from otklik.adapters.channels import ChannelFactory

Message = NotifyMessage
Incomplete = NotificationIncomplete


class NotifySettings(ConfigSettings):
    tickets_table: str
    idempotency_table: str
    idempotency_ttl_days: int = Field(default=7, ge=1)
    channel_timeout_seconds: float = Field(default=5.0, gt=0, le=20)


class Notifier:
    """Delivers each notification id once (Powertools idempotency on IdempotencyTable); across
    redeliveries of one that did not finish, the outbox keeps each channel from being sent twice."""

    def __init__(
        self,
        config: ConfigSource,
        channels: ChannelFactory,
        outbox: Outbox,
        settings: NotifySettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        # Powertools' idempotency utility imports boto3: loaded here, by build(), not with the handler.
        from otklik.adapters.idempotency import OncePerKey

        self._config = config
        self._channels = channels
        self._outbox = outbox
        self._clock = clock
        self._once = OncePerKey(
            self._deliver,
            "id",
            aws.client("dynamodb"),
            settings.idempotency_table,
            timedelta(days=settings.idempotency_ttl_days),
        )

    def _deliver(self, notification: dict[str, Any]) -> dict[str, Any]:
        channels = self._channels.channels(self._config.current())
        delivered = deliver_notification(
            Notification.model_validate(notification), channels, self._outbox, self._clock()
        )
        # Only the results: Powertools keeps this in IdempotencyTable, which needs no copy of the text.
        return {"results": [result.model_dump(mode="json") for result in delivered.results]}

    def bind(self, lambda_context: Any) -> None:
        self._once.bind(lambda_context)

    def __call__(self, notification: Notification) -> dict[str, Any]:
        return self._once(notification.model_dump(mode="json"))


def build() -> Notifier:
    from otklik.adapters.channels import ChannelFactory
    from otklik.adapters.http import HttpClient
    from otklik.adapters.ticket_store import TicketStore

    settings = load_settings(NotifySettings)
    reader = parts.secrets()
    # A rate limit's wait is capped well inside the function's 30 s; a longer one is SQS's to wait.
    http = HttpClient(timeout_seconds=settings.channel_timeout_seconds, max_retry_after_seconds=5.0)
    return Notifier(
        config=parts.config_source(settings),
        channels=ChannelFactory(reader, settings.parameter_prefix, http),
        outbox=TicketStore(aws.client("dynamodb"), settings.tickets_table),
        settings=settings,
    )
