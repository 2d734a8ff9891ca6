"""send_notifications' builder: each notification delivered once to the outbox and the configured channels."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Notification
from otklik.ports import ConfigSource, Outbox
from otklik.usecases.notify import deliver_notification

if TYPE_CHECKING:
    from otklik.adapters.channels import ChannelFactory

Message = NotifyMessage


class NotifySettings(ConfigSettings):
    tickets_table: str
    idempotency_table: str
    idempotency_ttl_days: int = Field(default=7, ge=1)


class Notifier:
    """Delivers each notification id once (Powertools idempotency on IdempotencyTable)."""

    def __init__(
        self, config: ConfigSource, channels: ChannelFactory, outbox: Outbox, settings: NotifySettings
    ) -> None:
        # Powertools' idempotency utility imports boto3: loaded here, by build(), not with the handler.
        from otklik.adapters.idempotency import OncePerKey

        self._config = config
        self._channels = channels
        self._outbox = outbox
        self._once = OncePerKey(
            self._deliver,
            "id",
            aws.client("dynamodb"),
            settings.idempotency_table,
            timedelta(days=settings.idempotency_ttl_days),
        )

    def _deliver(self, notification: dict[str, Any]) -> dict[str, Any]:
        channels = self._channels.channels(self._config.current())
        delivered = deliver_notification(Notification.model_validate(notification), channels, self._outbox)
        return delivered.model_dump(mode="json")

    def bind(self, lambda_context: Any) -> None:
        self._once.bind(lambda_context)

    def __call__(self, notification: Notification) -> dict[str, Any]:
        return self._once(notification.model_dump(mode="json"))


def build() -> Notifier:
    from otklik.adapters.channels import ChannelFactory
    from otklik.adapters.ticket_store import TicketStore

    settings = load_settings(NotifySettings)
    reader = parts.secrets()
    return Notifier(
        config=parts.config_source(settings),
        channels=ChannelFactory(reader, settings.parameter_prefix),
        outbox=TicketStore(aws.client("dynamodb"), settings.tickets_table),
        settings=settings,
    )
