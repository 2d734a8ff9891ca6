"""What a notification about a ticket says; channels only carry it."""

from datetime import UTC, datetime

from otklik.ids import notification_id
from otklik.models import Notification, Ticket

_KIND_RU = {
    "review": "отзыв",
    "question": "вопрос",
    "chat": "сообщение в чате",
    "complaint": "жалоба",
    "survey": "ответ на опрос",
}


def _stars(rating: int | None) -> str:
    return "без оценки" if rating is None else "★" * rating + "☆" * (5 - rating)


def _body(ticket: Ticket) -> str:
    due = ticket.first_response_due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"{_KIND_RU[ticket.kind]} · {ticket.source}/{ticket.account} · {_stars(ticket.rating)}"
            f" · тональность: {ticket.tonality_label}",
            f"команда: {ticket.team} · приоритет: {ticket.priority} · ответить до {due}",
            f"«{ticket.excerpt}»",
        ]
    )


def ticket_opened(ticket: Ticket, now: datetime) -> Notification:
    return Notification(
        id=notification_id(ticket.id, "ticket_opened"),
        ticket_id=ticket.id,
        event="ticket_opened",
        created_at=now,
        title=f"[{ticket.priority}] Новый тикет {ticket.id}",
        text=_body(ticket),
    )


def sla_breached(ticket: Ticket, now: datetime) -> Notification:
    return Notification(
        id=notification_id(ticket.id, "sla_breached"),
        ticket_id=ticket.id,
        event="sla_breached",
        created_at=now,
        title=f"[{ticket.priority}] Просрочен первый ответ по тикету {ticket.id}",
        text=_body(ticket),
    )
