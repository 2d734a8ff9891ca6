"""sweep_sla's builder: the SLA events due on tickets (warnings, breaches, escalations), told and recorded
once each, several tickets at a time."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.ports import ConfigSource, DeadlineWatch, Publisher
from otklik.usecases.sla import SweepResult, sweep_sla

# Tickets swept at once: each is a few calls that wait on DynamoDB and SQS, so threads overlap the waits
# (make bench, tests/bench/bench_sweep.py, measures what this buys). boto3's clients are thread-safe.
WORKERS = 8


class SlaSettings(ConfigSettings):
    tickets_table: str
    notify_queue_url: str


@dataclass(frozen=True)
class Sweeper:
    config: ConfigSource
    tickets: DeadlineWatch
    notify_queue: Publisher
    workers: int = WORKERS

    def __call__(self, now: datetime, time_left: Callable[[], float] | None = None) -> SweepResult:
        config = self.config.current()
        if self.workers <= 1:
            return sweep_sla(now, config, self.tickets, self.notify_queue, time_left=time_left)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return sweep_sla(now, config, self.tickets, self.notify_queue, each=pool.map, time_left=time_left)


def build() -> Sweeper:
    from otklik.adapters.ticket_store import TicketStore

    settings = load_settings(SlaSettings)
    return Sweeper(
        config=parts.config_source(settings),
        tickets=TicketStore(aws.client("dynamodb"), settings.tickets_table),
        notify_queue=parts.queue(settings.notify_queue_url),
    )
