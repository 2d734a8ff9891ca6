"""`otklik rules dry-run`'s builder: the stack's feedback and tickets tables, read from the settings.

OTKLIK_FEEDBACK_TABLE and OTKLIK_TICKETS_TABLE name them (the stack's FeedbackTableName and
TicketsTableName outputs; `make run` prints the local ones), and the ordinary AWS settings say where
they are: AWS_REGION and credentials, and AWS_ENDPOINT_URL=http://127.0.0.1:4566 for the local stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from otklik.adapters import aws
from otklik.bootstrap.settings import CommonSettings, load_settings

if TYPE_CHECKING:
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.ticket_store import TicketStore


class DryRunSettings(CommonSettings):
    feedback_table: str
    tickets_table: str


@dataclass(frozen=True)
class StoredDay:
    """What a dry run reads: the day's items, and their tickets."""

    feedback: FeedbackStore
    tickets: TicketStore


def build() -> StoredDay:
    """The stores; SettingsInvalid naming the variable when one is missing."""
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.ticket_store import TicketStore

    settings = load_settings(DryRunSettings)
    client = aws.client("dynamodb")
    return StoredDay(
        FeedbackStore(client, settings.feedback_table), TicketStore(client, settings.tickets_table)
    )
