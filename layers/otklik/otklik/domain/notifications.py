"""What a notification about a ticket says: the configuration document's templates, filled in.

Channels only carry the result. A template sees the ticket (whose excerpt is PII-masked, never the raw
text), the kind's name, the stars and the deadline; for an SLA event also the deadline's name (`target`)
and whom an escalation tells (`notify`); nothing else of the customer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field

from otklik.domain.ids import notification_id
from otklik.domain.models import FeedbackKind, Frozen, Notification, NotificationEvent, SlaTarget, Ticket
from otklik.domain.templates import render

if TYPE_CHECKING:
    from otklik.domain.sla.clock import SlaEvent


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
_SLA_LINES = (
    "{{ kind }} · {{ ticket.source }}/{{ ticket.account }} · {{ stars }}"
    " · тональность: {{ ticket.tonality_label }}\n"
    "команда: {{ ticket.team }} · приоритет: {{ ticket.priority }} · {{ target }}: до {{ due }}\n"
    "«{{ ticket.excerpt }}»"
)
_REJECTED_LINES = (
    "{{ kind }} · {{ ticket.source }}/{{ ticket.account }} · {{ stars }}\n"
    "причина: {{ reason }}\n"
    "тикет снова открыт: исправьте ответ и одобрите его ещё раз\n"
    "«{{ ticket.excerpt }}»"
)
# What an SLA notification calls each deadline (nominative: "Просрочен {{ target }}").
TARGET_NAMES: dict[SlaTarget, str] = {
    "first_response": "первый ответ",
    "next_response": "следующий ответ",
    "resolution": "срок решения",
}
_EVENTS: dict[str, NotificationEvent] = {
    "warning": "sla_warning",
    "breach": "sla_breached",
    "escalation": "sla_escalated",
}


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
            title="[{{ ticket.priority }}] Просрочен {{ target }} по тикету {{ ticket.id }}", text=_SLA_LINES
        ),
        "sla_warning": MessageTemplate(
            title="[{{ ticket.priority }}] Подходит срок ({{ target }}) по тикету {{ ticket.id }}",
            text=_SLA_LINES,
        ),
        "sla_escalated": MessageTemplate(
            title="[{{ ticket.priority }}] Эскалация для {{ notify }}: просрочен {{ target }}"
            " по тикету {{ ticket.id }}",
            text=_SLA_LINES,
        ),
        "reply_rejected": MessageTemplate(
            title="[{{ ticket.priority }}] {{ ticket.source }} не показывает ответ по тикету {{ ticket.id }}",
            text=_REJECTED_LINES,
        ),
    }


class NotificationTexts(Frozen):
    """The texts of every notification event, and the names a text uses for kinds of feedback."""

    kind_names: dict[FeedbackKind, str] = Field(default_factory=_kind_names)
    templates: dict[NotificationEvent, MessageTemplate] = Field(default_factory=_templates)


DEFAULT_TEXTS = NotificationTexts()


def _stars(rating: int | None) -> str:
    return "без оценки" if rating is None else "★" * rating + "☆" * (5 - rating)


def _utc(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def variables(
    ticket: Ticket,
    texts: NotificationTexts,
    target: SlaTarget = "first_response",
    notify: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """What a notification template may use; `due` is the target's deadline (the first response's)."""
    return {
        "ticket": ticket.model_dump(mode="json"),
        # A kind the document leaves out keeps its built-in name, as an event it leaves out keeps its text.
        "kind": texts.kind_names.get(ticket.kind) or DEFAULT_TEXTS.kind_names.get(ticket.kind, ticket.kind),
        "stars": _stars(ticket.rating),
        "due": _utc(getattr(ticket, f"{target}_due_at")),
        "target": TARGET_NAMES[target],
        "notify": notify,
        "reason": reason,  # why a marketplace refused the ticket's reply (reply_rejected)
    }


def notification(
    event: NotificationEvent,
    ticket: Ticket,
    now: datetime,
    texts: NotificationTexts = DEFAULT_TEXTS,
    *,
    key: str | None = None,
    target: SlaTarget | None = None,
    to: str | None = None,
    reason: str = "",
) -> Notification:
    """The notification of one ticket event (key: which one, when a ticket has several of the event); its
    id is the same however often it is built."""
    template = texts.templates.get(event) or DEFAULT_TEXTS.templates[event]
    context = variables(ticket, texts, target or "first_response", to or "", reason)
    return Notification(
        id=notification_id(ticket.id, key or event),
        ticket_id=ticket.id,
        event=event,
        created_at=now,
        title=render(template.title, context),
        text=render(template.text, context),
        to=to,
        target=target,
    )


def ticket_opened(ticket: Ticket, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS) -> Notification:
    return notification("ticket_opened", ticket, now, texts)


def reply_rejected(
    ticket: Ticket, reply_id: str, reason: str, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS
) -> Notification:
    """A marketplace refused or hides the ticket's published reply `reply_id`: told once a reply."""
    return notification("reply_rejected", ticket, now, texts, key=f"reply_rejected:{reply_id}", reason=reason)


def sla_breached(ticket: Ticket, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS) -> Notification:
    """The first response's breach (its id the one it always had, so a ticket is told of it once)."""
    return notification("sla_breached", ticket, now, texts, target="first_response")


def sla_notification(
    ticket: Ticket, event: SlaEvent, now: datetime, texts: NotificationTexts = DEFAULT_TEXTS
) -> Notification:
    """The notification of an SLA event of the ticket (otklik.domain.sla.clock.due), one per event."""
    if event.kind == "breach" and event.target == "first_response":
        return sla_breached(ticket, now, texts)
    return notification(
        _EVENTS[event.kind], ticket, now, texts, key=event.key, target=event.target, to=event.notify
    )
