"""Reading back published replies (run with each poll): what each marketplace shows of the replies otklik
published. One the platform refused, or does not show, reopens its ticket with the reason and tells the
team (reply_rejected), so that a person corrects it; the correction is approved and published as any reply
(approve_reply: by the platform's rules for changing a reply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from otklik.domain import lifecycle
from otklik.domain.errors import NotFound
from otklik.domain.marketplaces.models import PermanentRejection, TransientError
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import Ticket
from otklik.domain.notifications import reply_rejected
from otklik.domain.replies.watch import Look, ReadBackDue, looked
from otklik.domain.sla.settings import NO_SLA_SETTINGS, SlaSettings
from otklik.ports import Connections, Connectors, Publisher, Replies, ReplyWatchStore, TicketChanges
from otklik.usecases.tickets import change_ticket, clocked

if TYPE_CHECKING:
    from otklik.domain.config import Config

# The most replies one run reads back (each one call to its platform, beside the poll's own).
MAX_LOOKS = 50


@dataclass
class ReadBackReport:
    published: int = 0
    pending: int = 0
    refused: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (reply id, error class)


def read_back_replies(
    now: datetime,
    config: Config,
    watch: ReplyWatchStore,
    connections: Connections,
    connectors: Connectors,
    tickets: TicketChanges,
    replies: Replies,
    notify_queue: Publisher,
    limit: int = MAX_LOOKS,
) -> ReadBackReport:
    """Look at every reply due a look; a platform that fails leaves its replies for the next run."""
    report = ReadBackReport()
    known = connections.all()
    for due in watch.due(now, limit):
        connection = known.get(due.reply.connection)
        if connection is None or connection.marketplace != due.reply.marketplace:
            watch.done(due.reply.reply_id)  # the connection is gone: nothing to read back through
            continue
        try:
            read = connectors.connector(connection).read_back(due.reply, due.platform_answer_id)
        except (TransientError, PermanentRejection) as error:
            report.failed.append((due.reply.reply_id, type(error).__name__))
            continue
        look = looked(due, read, now)
        _record(due, look, now, config, tickets, replies, notify_queue, config.sla)
        if look.again is not None:
            watch.watch(look.again)
        else:
            watch.done(due.reply.reply_id)
        if look.outcome == "published":
            report.published += 1
        elif look.outcome == "refused":
            report.refused += 1
        else:
            report.pending += 1
    return report


def _record(
    due: ReadBackDue,
    look: Look,
    now: datetime,
    config: Config,
    tickets: TicketChanges,
    replies: Replies,
    notify_queue: Publisher,
    sla: SlaSettings = NO_SLA_SETTINGS,
) -> None:
    reply = due.reply
    if not reply.on_ticket:
        state = replies.get_auto(reply.ticket_id)
        if state is not None and state.reply_id == reply.reply_id:
            status = "rejected" if look.outcome == "refused" else state.status
            updated = state.model_copy(
                update={
                    "platform_state": look.state,
                    "checked_at": now,
                    "status": status,
                    "reason": look.reason,
                }
            )
            replies.record_auto(reply.ticket_id, updated)
        return
    reason = look.reason or ""

    def change(ticket: Ticket) -> Ticket | None:
        if look.outcome == "refused":
            refused = lifecycle.reply_refused(ticket, reply.reply_id, now, look.state, reason)
            return clocked(ticket, refused, now, sla)
        return lifecycle.reply_looked_at(ticket, reply.reply_id, now, look.state, look.reason)

    try:
        ticket = change_ticket(tickets, reply.ticket_id, change)
    except NotFound:
        return
    if look.outcome == "refused" and ticket.reply is not None and ticket.reply.reply_id == reply.reply_id:
        notification = reply_rejected(ticket, reply.reply_id, reason, now, config.notifications)
        notify_queue.send(NotifyMessage(notification=notification))
