"""ops_api's builder: the stores and use cases behind the ops routes, and the token that guards them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, load_settings
from otklik.usecases import explain, ops, reply
from otklik.usecases import tickets as ticket_changes

if TYPE_CHECKING:
    from otklik.adapters.aggregate_store import AggregateStore
    from otklik.adapters.alert_store import AlertStore
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.recent_replies import RecentReplies
    from otklik.adapters.report_store import ReportStore
    from otklik.adapters.ticket_store import ReplyStore, TicketStore
    from otklik.domain.marketplaces.models import ApprovedReply
    from otklik.domain.models import Ticket
    from otklik.ports import AccountTonality, ConfigSource, Publisher, Secrets
    from otklik.usecases.dry_run import DryRunRequest


class OpsSettings(ConfigSettings):
    feedback_table: str
    tickets_table: str
    aggregates_table: str
    answer_queue_url: str
    reports_bucket: str
    models_bucket: str

    @property
    def token_parameter(self) -> str:
        return f"{self.parameter_prefix}/ops/token"


@dataclass(frozen=True)
class OpsService:
    settings: OpsSettings
    secrets: Secrets
    feedback: FeedbackStore
    tickets: TicketStore
    replies: ReplyStore
    aggregates: AggregateStore
    reply_queue: Publisher
    config: ConfigSource
    reports: ReportStore
    recent: RecentReplies | None = None
    alerts: AlertStore | None = None
    models: AccountTonality | None = None  # the account models explain scores again with

    def authorize(self, authorization: str | None) -> None:
        ops.check_bearer(authorization, self.secrets.get(self.settings.token_parameter))

    def explain(self, feedback_id: str) -> dict[str, Any]:
        config = self.config.current()
        return explain.explain_feedback(
            feedback_id,
            self.feedback,
            self.tickets,
            config.tonality.parsed(),
            config.routing,
            config.rules,
            models=self.models,
        )

    def dry_run(self, request: DryRunRequest) -> dict[str, Any]:
        from otklik.usecases.dry_run import dry_run_request

        return dry_run_request(request, self.feedback, self.tickets)

    def change_status(self, ticket_id: str, request: ticket_changes.StatusRequest, now: datetime) -> Ticket:
        config = self.config.current()
        return ticket_changes.change_status(
            ticket_id, request, now, config.tickets, self.tickets, sla=config.sla
        )

    def assign(self, ticket_id: str, request: ticket_changes.AssignRequest, now: datetime) -> Ticket:
        config = self.config.current()
        return ticket_changes.assign_ticket(
            ticket_id, request, now, lambda team: ticket_changes.team_members(config, team), self.tickets
        )

    def approve_reply(self, ticket_id: str, request: reply.ReplyRequest, now: datetime) -> ApprovedReply:
        config = self.config.current()
        return reply.approve_reply(
            ticket_id,
            request,
            now,
            self.tickets,
            self.feedback,
            self.replies,
            self.reply_queue,
            settings=config.tickets,
            moderation=config.moderation,
            reply_settings=config.replies,
            recent=self.recent,
        )

    def draft(self, ticket_id: str) -> dict[str, Any]:
        config = self.config.current()
        return reply.ticket_draft(
            ticket_id,
            self.tickets,
            self.feedback,
            recent=self.recent,
            moderation=config.moderation,
            reply_settings=config.replies,
        )


def build() -> OpsService:
    from otklik.adapters.account_models import AccountModels
    from otklik.adapters.aggregate_store import AggregateStore
    from otklik.adapters.alert_store import AlertStore
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.model_store import S3ModelStore
    from otklik.adapters.recent_replies import RecentReplies
    from otklik.adapters.report_store import ReportStore
    from otklik.adapters.ticket_store import ReplyStore, TicketStore

    settings = load_settings(OpsSettings)
    client = aws.client("dynamodb")
    return OpsService(
        settings=settings,
        secrets=parts.secrets(),
        feedback=FeedbackStore(client, settings.feedback_table),
        tickets=TicketStore(client, settings.tickets_table),
        replies=ReplyStore(client, settings.tickets_table),
        aggregates=AggregateStore(client, settings.aggregates_table, timedelta(days=1)),
        reply_queue=parts.queue(settings.answer_queue_url),
        config=parts.config_source(settings),
        reports=ReportStore(client, settings.aggregates_table, aws.client("s3"), settings.reports_bucket),
        recent=RecentReplies(client, settings.tickets_table),
        alerts=AlertStore(client, settings.aggregates_table),
        models=AccountModels(S3ModelStore(aws.client("s3"), settings.models_bucket)),
    )
