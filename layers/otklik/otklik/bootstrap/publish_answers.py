"""publish_answers' builder: an approved reply published once to its marketplace, kept on the ticket as its
first response (the configuration's `tickets:` says where the ticket goes then)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, MarketplaceSettings, load_settings
from otklik.domain.marketplaces.models import ApprovedReply
from otklik.ports import (
    ConfigSource,
    Connections,
    Connectors,
    Publisher,
    RecentRepliesStore,
    Replies,
    ReplyWatchStore,
    TicketChanges,
)
from otklik.usecases.reply import publish_approved

Message = ApprovedReply


class PublishSettings(MarketplaceSettings, ConfigSettings):
    tickets_table: str
    idempotency_table: str
    answer_dlq_url: str
    idempotency_ttl_days: int = Field(default=30, ge=1)


class ReplyPublisher:
    """Publishes each approved reply once (Powertools idempotency on the reply id)."""

    def __init__(
        self,
        connections: Connections,
        connectors: Connectors,
        replies: Replies,
        tickets: TicketChanges,
        dead_letters: Publisher,
        config: ConfigSource,
        settings: PublishSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        recent: RecentRepliesStore | None = None,
        watch: ReplyWatchStore | None = None,
    ) -> None:
        # Powertools' idempotency utility imports boto3: loaded here, by build(), not with the handler.
        from otklik.adapters.idempotency import OncePerKey

        self._clock = clock
        self._connections = connections
        self._connectors = connectors
        self._replies = replies
        self._tickets = tickets
        self._dead_letters = dead_letters
        self._config = config
        self._recent = recent
        self._watch = watch
        self._once = OncePerKey(
            self._publish,
            "reply_id",
            aws.client("dynamodb"),
            settings.idempotency_table,
            timedelta(days=settings.idempotency_ttl_days),
        )

    def _publish(self, reply: dict[str, Any]) -> dict[str, Any]:
        approved = ApprovedReply.model_validate(reply)
        config = self._config.current()
        outcome = publish_approved(
            approved,
            self._clock(),
            self._connections,
            self._connectors,
            self._replies,
            self._tickets,
            self._dead_letters,
            config.tickets,
            sla=config.sla,
            moderation=config.moderation,
            reply_settings=config.replies,
            recent=self._recent,
            watch=self._watch,
        )
        return {
            "reply_id": approved.reply_id,
            "published": outcome.published is not None,
            "rejected": bool(outcome.rejected),
        }

    def bind(self, lambda_context: Any) -> None:
        self._once.bind(lambda_context)

    def __call__(self, reply: ApprovedReply) -> dict[str, Any]:
        return self._once(reply.model_dump(mode="json"))


def build() -> ReplyPublisher:
    from otklik.adapters.recent_replies import RecentReplies
    from otklik.adapters.reply_watch import ReplyWatch
    from otklik.adapters.ticket_store import ReplyStore, TicketStore

    settings = load_settings(PublishSettings)
    reader = parts.secrets()
    client = aws.client("dynamodb")
    return ReplyPublisher(
        connections=parts.connections(settings, reader),
        connectors=parts.connectors(settings, reader),
        replies=ReplyStore(client, settings.tickets_table),
        tickets=TicketStore(client, settings.tickets_table),
        dead_letters=parts.queue(settings.answer_dlq_url),
        config=parts.config_source(settings),
        settings=settings,
        recent=RecentReplies(client, settings.tickets_table),
        watch=ReplyWatch(client, settings.tickets_table),
    )
