"""Ticket notifications: one id per ticket event, and a text that tells who, how urgent, by when, and what."""

from __future__ import annotations

from datetime import timedelta, timezone

from otklik.domain.ids import notification_id
from otklik.domain.models import Ticket
from otklik.domain.notifications import sla_breached, ticket_opened
from otklik.domain.routing import RoutingPolicy, open_ticket, plan_ticket
from tests.unit.samples import NOW, RAW_EMAIL, RAW_PHONE, TEXT_WITH_CONTACTS, feedback_item

LATER = NOW + timedelta(days=1, hours=1)


def one_star_ticket() -> Ticket:
    item = feedback_item(text=TEXT_WITH_CONTACTS, rating=1, label="negative", compound=-1.0)
    plan = plan_ticket(item, RoutingPolicy())
    assert plan is not None
    return open_ticket(item, plan, NOW)


def test_each_event_of_a_ticket_has_its_own_stable_notification_id() -> None:
    ticket = one_star_ticket()

    opened = ticket_opened(ticket, NOW)
    breached = sla_breached(ticket, LATER)

    assert opened.id == ticket_opened(ticket, NOW + timedelta(minutes=3)).id
    assert opened.id == notification_id(ticket.id, "ticket_opened")
    assert breached.id == sla_breached(ticket, LATER + timedelta(minutes=3)).id
    assert breached.id == notification_id(ticket.id, "sla_breached")
    assert opened.id != breached.id
    assert (opened.event, breached.event) == ("ticket_opened", "sla_breached")
    assert opened.ticket_id == breached.ticket_id == ticket.id


def test_a_new_ticket_notification_names_team_priority_deadline_and_excerpt() -> None:
    ticket = one_star_ticket()

    note = ticket_opened(ticket, NOW)

    assert ticket.id in note.title
    assert "[high]" in note.title
    assert "команда: support" in note.text
    assert "приоритет: high" in note.text
    # 24 working hours from Sunday evening: Wednesday 15:00 Moscow time
    assert "ответить до 2026-11-25 12:00 UTC" in note.text
    assert f"«{ticket.excerpt}»" in note.text
    assert "★☆☆☆☆" in note.text


def test_a_breach_notification_says_the_first_response_is_overdue() -> None:
    ticket = one_star_ticket()

    note = sla_breached(ticket, LATER)

    assert note.title == f"[high] Просрочен первый ответ по тикету {ticket.id}"
    assert "первый ответ: до 2026-11-25 12:00 UTC" in note.text
    assert note.created_at == LATER


def test_notifications_never_carry_the_raw_email_or_phone() -> None:
    ticket = one_star_ticket()

    for note in (ticket_opened(ticket, NOW), sla_breached(ticket, LATER)):
        assert RAW_EMAIL not in note.title + note.text
        assert RAW_PHONE not in note.title + note.text
        assert "[email]" in note.text
        assert "[phone]" in note.text


def test_a_deadline_held_in_another_time_zone_is_shown_in_utc() -> None:
    # Given the same deadline expressed in Moscow time (15:00 +03:00 == 12:00 UTC)
    moscow = timezone(timedelta(hours=3))
    ticket = one_star_ticket()
    due_in_moscow = ticket.first_response_due_at.astimezone(moscow)
    ticket = ticket.model_copy(update={"first_response_due_at": due_in_moscow})

    note = ticket_opened(ticket, NOW)

    assert "ответить до 2026-11-25 12:00 UTC" in note.text


def test_an_english_reader_gets_english_names_and_stars_without_a_rating() -> None:
    from datetime import UTC

    from otklik.domain.notifications import DEFAULT_TEXTS, render_for

    question = ticket_opened(one_star_ticket().model_copy(update={"rating": None, "kind": "question"}), NOW)

    title, text = render_for(question, DEFAULT_TEXTS, "en", UTC, "")

    assert title.startswith("[high] New ticket") and text.startswith("question · ")
    assert "no rating" in text and "без оценки" not in text


def test_an_english_section_that_rewords_one_template_keeps_the_built_in_english_for_the_rest() -> None:
    from otklik.domain.config import parse_config

    config = parse_config(
        "notifications:\n  english:\n    templates:\n"
        "      ticket_opened: {title: 'Hey {{ ticket.id }}', text: x}\n"
    )

    english = config.notifications.english
    assert english.templates["ticket_opened"].title == "Hey {{ ticket.id }}"
    assert english.templates["sla_breached"].title.startswith(
        "[{{ ticket.priority }}] {{ target | capitalize }}"
    )
    assert english.link_label == "Open the ticket" and english.kind_names["review"] == "review"
