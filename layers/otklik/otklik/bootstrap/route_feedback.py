"""route_feedback's builder: the configured routing rules over stored feedback, tickets, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.domain.messages import RouteMessage
from otklik.ports import Assigner, ConfigSource, FeedbackReader, Publisher, RouteTickets
from otklik.usecases.drafts import ReplyParts
from otklik.usecases.route import Routed, route_feedback

Message = RouteMessage


class RouteSettings(ConfigSettings):
    feedback_table: str
    tickets_table: str
    notify_queue_url: str
    answer_queue_url: str


@dataclass(frozen=True)
class Router:
    config: ConfigSource
    feedback: FeedbackReader
    tickets: RouteTickets
    notify_queue: Publisher
    turns: Assigner
    replies: ReplyParts | None = None

    def __call__(self, feedback_id: str, now: datetime) -> Routed:
        return route_feedback(
            feedback_id,
            now,
            self.config.current(),
            self.feedback,
            self.tickets,
            self.notify_queue,
            self.turns,
            self.replies,
        )


def build() -> Router:
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.recent_replies import RecentReplies
    from otklik.adapters.team_turns import TeamTurns
    from otklik.adapters.ticket_store import ReplyStore, TicketStore

    settings = load_settings(RouteSettings)
    client = aws.client("dynamodb")
    return Router(
        config=parts.config_source(settings),
        feedback=FeedbackStore(client, settings.feedback_table),
        tickets=TicketStore(client, settings.tickets_table),
        notify_queue=parts.queue(settings.notify_queue_url),
        turns=TeamTurns(client, settings.tickets_table),
        replies=ReplyParts(
            recent=RecentReplies(client, settings.tickets_table),
            replies=ReplyStore(client, settings.tickets_table),
            answer_queue=parts.queue(settings.answer_queue_url),
        ),
    )
