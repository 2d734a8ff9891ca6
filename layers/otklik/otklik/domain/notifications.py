"""What a notification says: the configuration document's templates, filled in, in each reader's language.

Channels only carry the result. A template sees the ticket (whose excerpt is PII-masked, never the raw
text), the kind's name, the stars and the deadline; for an SLA event also the deadline's name (`target`)
and whom an escalation tells (`notify`); for events about no ticket (a spike alert, a report, a dead-letter
queue) their own facts (`alert`, `report`, `queue`); nothing else of the customer.

A notification is built once, where its event happens, with the default (Russian) texts and UTC: that is
what the outbox lists. It also carries its facts (`ticket`, `details`), so send_notifications renders it
again for each recipient, in the recipient's language and time zone (render_for).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from otklik.domain.ids import notification_id
from otklik.domain.models import FeedbackKind, Frozen, Notification, NotificationEvent, SlaTarget, Ticket
from otklik.domain.notify.settings import UrgentEvents
from otklik.domain.templates import render

if TYPE_CHECKING:
    from otklik.domain.sla.clock import SlaEvent

Language = Literal["ru", "en"]


class MessageTemplate(Frozen):
    """A notification's title and text, as Jinja2 templates."""

    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=4000)


_HEAD = "{{ kind }} · {{ ticket.source }}/{{ ticket.account }} · {{ stars }}"
_LINES = (
    _HEAD + " · тональность: {{ ticket.tonality_label }}\n"
    "команда: {{ ticket.team }} · приоритет: {{ ticket.priority }} · ответить до {{ due }}\n"
    "«{{ ticket.excerpt }}»"
)
_SLA_LINES = (
    _HEAD + " · тональность: {{ ticket.tonality_label }}\n"
    "команда: {{ ticket.team }} · приоритет: {{ ticket.priority }} · {{ target }}: до {{ due }}\n"
    "«{{ ticket.excerpt }}»"
)
_REJECTED_LINES = (
    _HEAD + "\n"
    "причина: {{ reason }}\n"
    "тикет снова открыт: исправьте ответ и одобрите его ещё раз\n"
    "«{{ ticket.excerpt }}»"
)
_EN_LINES = (
    _HEAD + " · tonality: {{ ticket.tonality_label }}\n"
    "team: {{ ticket.team }} · priority: {{ ticket.priority }} · reply by {{ due }}\n"
    "“{{ ticket.excerpt }}”"
)
_EN_SLA_LINES = (
    _HEAD + " · tonality: {{ ticket.tonality_label }}\n"
    "team: {{ ticket.team }} · priority: {{ ticket.priority }} · {{ target }}: by {{ due }}\n"
    "“{{ ticket.excerpt }}”"
)
_EN_REJECTED_LINES = (
    _HEAD + "\n"
    "reason: {{ reason }}\n"
    "the ticket is open again: correct the reply and approve it again\n"
    "“{{ ticket.excerpt }}”"
)
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


def _target_names() -> dict[SlaTarget, str]:
    # What an SLA notification calls each deadline (nominative: "Просрочен {{ target }}").
    return {
        "first_response": "первый ответ",
        "next_response": "следующий ответ",
        "resolution": "срок решения",
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
        "spike_alert": MessageTemplate(
            title="Всплеск: {{ alert.topic }}{% if alert.product %} · {{ alert.product }}{% endif %}",
            text="{{ alert.count }} за {{ alert.window }} при обычных {{ alert.baseline }}\n"
            "{{ alert.summary }}",
        ),
        "report_ready": MessageTemplate(
            title="Отчёт готов: {{ report.title }}",
            text="{{ report.period }}\n{{ report.summary }}",
        ),
        "dlq_not_empty": MessageTemplate(
            title="Очередь ошибок {{ queue.name }} не пуста",
            text="сообщений: {{ queue.messages }}. Посмотрите причину и верните их в работу (otklik dlq)",
        ),
    }


def _event_names() -> dict[str, tuple[str, str, str]]:
    # A digest counts events: the forms for 1, 2-4 and 5+ (Russian plurals).
    return {
        "ticket_opened": ("новый тикет", "новых тикета", "новых тикетов"),
        "sla_warning": ("предупреждение о сроке", "предупреждения о сроке", "предупреждений о сроке"),
        "sla_breached": ("просрочка", "просрочки", "просрочек"),
        "sla_escalated": ("эскалация", "эскалации", "эскалаций"),
        "reply_rejected": ("отклонённый ответ", "отклонённых ответа", "отклонённых ответов"),
        "spike_alert": ("всплеск", "всплеска", "всплесков"),
        "report_ready": ("отчёт", "отчёта", "отчётов"),
        "dlq_not_empty": ("очередь ошибок", "очереди ошибок", "очередей ошибок"),
        "other": ("уведомление", "уведомления", "уведомлений"),
    }


def _digest() -> MessageTemplate:
    return MessageTemplate(
        title="{{ summary }} за {{ period }}",
        text="{% for line in lines %}{{ line }}\n{% endfor %}"
        "{% if topics %}темы: {{ topics | join(', ') }}{% endif %}",
    )


class LanguageTexts(Frozen):
    """Every text of one language: the templates, and the names they use."""

    kind_names: dict[FeedbackKind, str] = Field(default_factory=_kind_names)
    target_names: dict[SlaTarget, str] = Field(default_factory=_target_names)
    templates: dict[NotificationEvent, MessageTemplate] = Field(default_factory=_templates)
    event_names: dict[str, tuple[str, str, str]] = Field(default_factory=_event_names)
    digest: MessageTemplate = Field(default_factory=_digest)
    link_label: str = Field(default="Открыть тикет", min_length=1, max_length=64)
    hour: str = Field(default="час", description="How a digest names its period when it is an hour")
    minutes: str = Field(default="{n} мин", description="... and when it is not")
    no_rating: str = Field(
        default="без оценки", min_length=1, max_length=64, description="`stars` without one"
    )


def english() -> LanguageTexts:
    return LanguageTexts(
        kind_names={
            "review": "review",
            "question": "question",
            "chat": "chat message",
            "complaint": "complaint",
            "survey": "survey answer",
        },
        target_names={
            "first_response": "first response",
            "next_response": "next response",
            "resolution": "resolution",
        },
        templates={
            "ticket_opened": MessageTemplate(
                title="[{{ ticket.priority }}] New ticket {{ ticket.id }}", text=_EN_LINES
            ),
            "sla_breached": MessageTemplate(
                title="[{{ ticket.priority }}] {{ target | capitalize }} overdue on ticket {{ ticket.id }}",
                text=_EN_SLA_LINES,
            ),
            "sla_warning": MessageTemplate(
                title="[{{ ticket.priority }}] {{ target | capitalize }} due soon on ticket {{ ticket.id }}",
                text=_EN_SLA_LINES,
            ),
            "sla_escalated": MessageTemplate(
                title="[{{ ticket.priority }}] Escalation to {{ notify }}: {{ target }} overdue"
                " on ticket {{ ticket.id }}",
                text=_EN_SLA_LINES,
            ),
            "reply_rejected": MessageTemplate(
                title="[{{ ticket.priority }}] {{ ticket.source }} does not show the reply on ticket"
                " {{ ticket.id }}",
                text=_EN_REJECTED_LINES,
            ),
            "spike_alert": MessageTemplate(
                title="Spike: {{ alert.topic }}{% if alert.product %} · {{ alert.product }}{% endif %}",
                text="{{ alert.count }} in {{ alert.window }} against a usual {{ alert.baseline }}\n"
                "{{ alert.summary }}",
            ),
            "report_ready": MessageTemplate(
                title="Report ready: {{ report.title }}", text="{{ report.period }}\n{{ report.summary }}"
            ),
            "dlq_not_empty": MessageTemplate(
                title="Dead-letter queue {{ queue.name }} is not empty",
                text="messages: {{ queue.messages }}. Look at why and move them back (otklik dlq)",
            ),
        },
        event_names={
            "ticket_opened": ("new ticket", "new tickets", "new tickets"),
            "sla_warning": ("deadline warning", "deadline warnings", "deadline warnings"),
            "sla_breached": ("breach", "breaches", "breaches"),
            "sla_escalated": ("escalation", "escalations", "escalations"),
            "reply_rejected": ("rejected reply", "rejected replies", "rejected replies"),
            "spike_alert": ("spike", "spikes", "spikes"),
            "report_ready": ("report", "reports", "reports"),
            "dlq_not_empty": ("dead-letter queue", "dead-letter queues", "dead-letter queues"),
            "other": ("notification", "notifications", "notifications"),
        },
        digest=MessageTemplate(
            title="{{ summary }} in the last {{ period }}",
            text="{% for line in lines %}{{ line }}\n{% endfor %}"
            "{% if topics %}topics: {{ topics | join(', ') }}{% endif %}",
        ),
        link_label="Open the ticket",
        hour="hour",
        minutes="{n} minutes",
        no_rating="no rating",
    )


class NotificationTexts(LanguageTexts):
    """The texts of every notification event in the default language (Russian), English beside them, the
    ticket's link, and what counts as urgent."""

    # What the document gives of `english:` is laid over the built-in English, key by key (and template by
    # template), so a seller who rewords one English template keeps English for everything else.
    english: LanguageTexts = Field(default_factory=english)

    @field_validator("english", mode="before")
    @classmethod
    def _over_builtin_english(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        merged = english().model_dump()
        for key, given in value.items():
            if isinstance(given, dict) and isinstance(merged.get(key), dict) and key != "digest":
                merged[key] = {**merged[key], **given}
            else:
                merged[key] = given
        return merged

    # Where a notification's button and link take the reader: the ticket on the dashboard; base_url is
    # the stack's API (OTKLIK_PUBLIC_URL). A seller's own helpdesk page may take its place.
    ticket_link: str = Field(
        default="{{ base_url }}/dashboard#/tickets/{{ ticket.id }}", min_length=1, max_length=500
    )
    urgent: UrgentEvents = UrgentEvents()

    def language(self, language: str) -> LanguageTexts:
        return self.english if language == "en" else self


DEFAULT_TEXTS = NotificationTexts()


def _stars(rating: int | None, texts: LanguageTexts | None = None) -> str:
    if rating is None:
        return (texts or DEFAULT_TEXTS).no_rating
    return "★" * rating + "☆" * (5 - rating)


def format_moment(moment: datetime | None, zone: tzinfo = UTC) -> str:
    """A deadline as its reader reads it: in the reader's zone, named (UTC, MSK...)."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "UTC")


# What of a ticket a notification carries: ids, routing and deadlines, the masked excerpt. Not the
# history, replies or drafts (they can be long, and a reader needs none of them).
SNAPSHOT_FIELDS = (
    "id",
    "feedback_id",
    "source",
    "account",
    "kind",
    "team",
    "priority",
    "status",
    "reasons",
    "rating",
    "tonality_label",
    "excerpt",
    "topics",
    "tags",
    "assignee",
    "notify",
    "created_at",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_breached",
)


def snapshot(ticket: Ticket) -> dict[str, Any]:
    return ticket.model_dump(mode="json", include=set(SNAPSHOT_FIELDS))


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None


def variables(
    ticket: Ticket | dict[str, Any] | None,
    texts: LanguageTexts,
    target: SlaTarget = "first_response",
    notify: str = "",
    reason: str = "",
    *,
    zone: tzinfo = UTC,
    details: dict[str, Any] | None = None,
    link: str = "",
) -> dict[str, Any]:
    """What a notification template may use; `due` is the target's deadline (the first response's), in the
    reader's zone, `due_utc` the same in UTC."""
    facts = snapshot(ticket) if isinstance(ticket, Ticket) else dict(ticket or {})
    kind = facts.get("kind", "")
    due = _moment(facts.get(f"{target}_due_at"))
    names = texts.target_names
    return {
        "ticket": facts,
        # A kind the document leaves out keeps its built-in name, as an event it leaves out keeps its text.
        "kind": texts.kind_names.get(kind) or DEFAULT_TEXTS.kind_names.get(kind, kind),
        "stars": _stars(facts.get("rating"), texts),
        "due": format_moment(due, zone),
        "due_utc": format_moment(due),
        "target": names.get(target) or DEFAULT_TEXTS.target_names[target],
        "notify": notify,
        "reason": reason,  # why a marketplace refused the ticket's reply (reply_rejected)
        "link": link,
        **_details(details),
    }


def _details(details: dict[str, Any] | None) -> dict[str, Any]:
    """An event about no ticket: its facts under their own names, each with every key a template may use."""
    given = details or {}
    return {
        "alert": {
            "topic": "",
            "product": "",
            "count": 0,
            "baseline": 0,
            "window": "",
            "summary": "",
            **given.get("alert", {}),
        },
        "report": {"title": "", "period": "", "summary": "", "url": "", **given.get("report", {})},
        "queue": {"name": "", "messages": 0, **given.get("queue", {})},
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
        ticket=snapshot(ticket),
        reason=reason,
    )


def event_notification(
    event: NotificationEvent,
    key: str,
    details: dict[str, Any],
    now: datetime,
    texts: NotificationTexts = DEFAULT_TEXTS,
) -> Notification:
    """An event about no ticket (a spike alert, a report, a dead-letter queue), once per key."""
    template = texts.templates.get(event) or DEFAULT_TEXTS.templates[event]
    context = variables(None, texts, details=details)
    return Notification(
        id=notification_id("-", f"{event}:{key}"),
        ticket_id=None,
        event=event,
        created_at=now,
        title=render(template.title, context),
        text=render(template.text, context),
        details=details,
    )


def render_for(
    note: Notification, texts: NotificationTexts, language: str, zone: tzinfo, link: str
) -> tuple[str, str]:
    """The title and text of a notification for one reader. A notification queued before it carried its
    facts (no ticket, no details) keeps the texts it was built with."""
    if note.ticket is None and not note.details:
        return note.title, note.text
    chosen = texts.language(language)
    template = chosen.templates.get(note.event) or texts.templates.get(note.event)
    template = template or DEFAULT_TEXTS.language(language).templates[note.event]
    context = variables(
        note.ticket,
        chosen,
        note.target or "first_response",
        note.to or "",
        note.reason,
        zone=zone,
        details=note.details,
        link=link,
    )
    return render(template.title, context), render(template.text, context)


def ticket_link(texts: NotificationTexts, base_url: str, note: Notification) -> str | None:
    """Where the notification's button takes the reader: its ticket, or a report's own page."""
    report_url = (note.details.get("report") or {}).get("url") if note.details else None
    if report_url:
        return str(report_url)
    if note.ticket is None or not base_url:
        return None
    return (
        render(texts.ticket_link, {"base_url": base_url.rstrip("/"), "ticket": note.ticket}).strip() or None
    )


def urgent(note: Notification, settings: UrgentEvents) -> bool:
    """What goes through quiet hours and caps: an urgent event, or any event of an urgent ticket."""
    priority = (note.ticket or {}).get("priority")
    return note.event in settings.events or (priority is not None and priority in settings.priorities)


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
    built = notification(
        _EVENTS[event.kind], ticket, now, texts, key=event.key, target=event.target, to=event.notify
    )
    if event.kind != "escalation":
        return built
    step = event.key.rpartition(":")[2]
    return built.model_copy(update={"level": int(step) + 1 if step.isdigit() else None})


TARGET_NAMES = _target_names()
