"""sweep_sla's builder: tickets past their first-response deadline, breached and notified once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.ports import ConfigSource, DeadlineWatch, Publisher
from otklik.usecases.sla import sweep_first_responses


class SlaSettings(ConfigSettings):
    tickets_table: str
    notify_queue_url: str


@dataclass(frozen=True)
class Sweeper:
    config: ConfigSource
    tickets: DeadlineWatch
    notify_queue: Publisher

    def __call__(self, now: datetime) -> list[str]:
        return sweep_first_responses(now, self.config.current(), self.tickets, self.notify_queue)


def build() -> Sweeper:
    from otklik.adapters.ticket_store import TicketStore

    settings = load_settings(SlaSettings)
    return Sweeper(
        config=parts.config_source(settings),
        tickets=TicketStore(aws.client("dynamodb"), settings.tickets_table),
        notify_queue=parts.queue(settings.notify_queue_url),
    )
