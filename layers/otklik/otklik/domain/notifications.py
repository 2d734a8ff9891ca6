"""What a notification about a ticket says: the configuration document's templates, filled in.

Channels only carry the result. A template sees the ticket (whose excerpt is PII-masked, never the raw
text), the kind's name, the stars and the deadline; nothing else of the customer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from otklik.domain.ids import notification_id
from otklik.domain.models import FeedbackKind, Frozen, Notification, NotificationEvent, Ticket
from otklik.domain.templates import render


class MessageTemplate(Frozen):
    """A notification's title and text, as Jinja2 templates."""

    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=4000)


_LINES = (
    "{{ kind }} · {{ ticket.source }}/{{ ticket.account }} · {{ stars }}"
    " · тональность: {{ ticket.tonality_label }}\n"
    "команда: {{ ticket.team }} · приоритет: {{ ticket.priority }} · ответить до {{ due }}\n"
    "«{{ ticket.excerpt }}»"
)


def _kind_names() -> dict[FeedbackKind, str]:
    return {
        "review": "отзыв",
        "question": "вопрос",
        "chat": "сообщение в чате",
        "complaint": "жалоба",
        "survey": "ответ на опрос",
    }


def _templates() -> dict[NotificationEvent, MessageTemplate]:
    return {
        "ticket_opened": MessageTemplate(
            title="[{{ ticket.priority }}] Новый тикет {{ ticket.id }}", text=_LINES
        ),
        "sla_breached": MessageTemplate(
            title="[{{ ticket.priority }}] Просрочен первый ответ по тикету {{ ticket.id }}", text=_LINES
        ),
    }


class NotificationTexts(Frozen):
    """The texts of every notification event, and the names a text uses for kinds of feedback."""

    kind_names: dict[FeedbackKind, str] = Field(default_factory=_kind_names)
    templates: dict[NotificationEvent, MessageTemplate] = Field(default_factory=_templates)


DEFAULT_TEXTS = NotificationTexts()


def _stars(rating: int | None) -> str:
    return "без оценки" if rating is None else "★" * rating + "☆" * (5 - rating)


def variables(ticket: Ticket, texts: NotificationTexts) -> dict[str, Any]:
    """What a notification template may use."""
    return {
        "ticket": ticket.model_dump(mode="json"),
        # A kind the document leaves out keeps its built-in name, as an event it leaves out keeps its text.
        "kind": texts.kind_names.get(ticket.kind) or DEFAULT_TEXTS.kind_names.get(ticket.kind, ticket.kind),
        "stars": _stars(ticket.rating),
        "due": ticket.first_response_due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def notification(
    event: NotificationEvent, ticket: Ticket, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS
) -> Notification:
    """The notification of one ticket event; its id is the same however often it is built."""
    template = texts.templates.get(event) or DEFAULT_TEXTS.templates[event]
    context = variables(ticket, texts)
    return Notification(
        id=notification_id(ticket.id, event),
        ticket_id=ticket.id,
        event=event,
        created_at=now,
        title=render(template.title, context),
        text=render(template.text, context),
    )


def ticket_opened(ticket: Ticket, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS) -> Notification:
    return notification("ticket_opened", ticket, now, texts)


def sla_breached(ticket: Ticket, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS) -> Notification:
    return notification("sla_breached", ticket, now, texts)
