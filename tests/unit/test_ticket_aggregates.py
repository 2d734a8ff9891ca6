"""What a ticket's changes add to the numbers: opened, resolved, reopened, first-response time and the SLA,
repeat contacts, replies published by hand and automatically; each once per ticket version."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from otklik.domain.aggregates import CounterKey, frt_percentile, summarize, ticket_update
from otklik.domain.models import ReplyState, StatusChange
from tests.unit.samples import NOW, stored_ticket

MOSCOW = ZoneInfo("Europe/Moscow")


def _cells(update: object) -> dict[CounterKey, dict[str, int]]:
    return {key: dict(cell) for key, cell in update.counters.items()}  # type: ignore[attr-defined]


def test_a_new_ticket_counts_as_opened_on_its_day_for_its_team_source_and_topics() -> None:
    ticket = stored_ticket(topics=("quality",), version=1)

    update = ticket_update(None, ticket, UTC)

    assert update is not None and update.applied_marker == f"ticket_counted#{ticket.id}#v1"
    day = f"DAY#{NOW.date().isoformat()}"
    dimensions = {key.dimension for key in update.counters if key.period == day}
    assert dimensions == {"all", "source#custom", "account#custom#default", "team#support", "topic#quality"}
    assert _cells(update)[CounterKey(day, "team#support")] == {"tickets_opened": 1}


def test_a_first_response_counts_its_time_bucket_and_whether_it_met_the_deadline() -> None:
    before = stored_ticket(version=1)
    after = before.model_copy(update={"first_response_at": NOW + timedelta(hours=3), "version": 2})

    cell = _cells(ticket_update(before, after, UTC))[CounterKey(f"DAY#{NOW.date()}", "all")]

    assert cell == {"frt_seconds_sum": 3 * 3600, "frt_count": 1, "frt_le_4": 1, "sla_met": 1}


def test_a_late_first_response_missed_the_sla_and_a_breach_counts_when_it_is_marked() -> None:
    before = stored_ticket(version=1)
    late = NOW + timedelta(hours=30)
    after = before.model_copy(
        update={"first_response_at": late, "sla_breached_at": NOW + timedelta(hours=24), "version": 2}
    )

    update = ticket_update(before, after, UTC)
    cells = _cells(update)

    assert cells[CounterKey(f"DAY#{late.date()}", "all")]["sla_missed"] == 1
    assert cells[CounterKey(f"DAY#{(NOW + timedelta(hours=24)).date()}", "all")]["sla_breached"] == 1


def test_resolving_and_reopening_count_on_the_day_they_happen() -> None:
    opened = stored_ticket(version=1)
    resolved_at = NOW + timedelta(days=2)
    resolved = opened.model_copy(
        update={
            "status": "resolved",
            "resolved_at": resolved_at,
            "history": (*opened.history, StatusChange(at=resolved_at, by="anna", status="resolved")),
            "version": 2,
        }
    )
    reopened_at = NOW + timedelta(days=3)
    reopened = resolved.model_copy(
        update={
            "status": "open",
            "history": (*resolved.history, StatusChange(at=reopened_at, by="otklik", status="open")),
            "version": 3,
        }
    )

    resolving = _cells(ticket_update(opened, resolved, UTC))
    reopening = _cells(ticket_update(resolved, reopened, UTC))

    assert resolving[CounterKey(f"DAY#{resolved_at.date()}", "all")] == {"tickets_resolved": 1}
    assert reopening[CounterKey(f"DAY#{reopened_at.date()}", "all")] == {"tickets_reopened": 1}


def test_replies_published_by_hand_and_automatically_are_told_apart() -> None:
    before = stored_ticket(version=1)
    reply = ReplyState(
        reply_id="rp_1",
        text="Спасибо!",
        status="published",
        approved_by="auto:five-stars",
        approved_at=NOW,
        published_at=NOW + timedelta(minutes=5),
        auto_rule="five-stars",
    )
    after = before.model_copy(update={"reply": reply, "version": 2})

    cell = _cells(ticket_update(before, after, UTC))[CounterKey(f"DAY#{NOW.date()}", "all")]

    assert cell == {"replies_published": 1, "replies_auto": 1}
    # And the same published reply seen again in a later change counts nothing
    later = after.model_copy(update={"assignee": "anna", "version": 3})
    assert ticket_update(after, later, UTC) is None


def test_a_repeat_contact_counts_by_how_many_joined() -> None:
    before = stored_ticket(version=1, repeat_contacts=1)
    after = before.model_copy(update={"repeat_contacts": 3, "version": 2})

    cell = _cells(ticket_update(before, after, UTC))[CounterKey(f"DAY#{NOW.date()}", "all")]

    assert cell == {"repeat_contacts": 2}


def test_an_event_counts_on_the_day_of_the_report_time_zone() -> None:
    # 22:30 UTC is already the next day in Moscow
    late = NOW.replace(hour=22, minute=30)
    ticket = stored_ticket(created_at=late, version=1)

    update = ticket_update(None, ticket, MOSCOW)

    assert CounterKey(f"DAY#{(late + timedelta(days=1)).date()}", "all") in update.counters


def test_the_summary_shows_ticket_numbers_and_first_response_percentiles() -> None:
    counters = {
        "tickets_opened": 10,
        "frt_count": 10,
        "frt_seconds_sum": 10 * 5 * 3600,
        "frt_le_1": 3,
        "frt_le_4": 3,
        "frt_le_24": 3,
        "frt_gt_72": 1,
        "sla_met": 8,
        "sla_missed": 2,
    }

    tickets = summarize(counters)["tickets"]

    assert tickets["first_response"] == {
        "count": 10,
        "average_hours": 5.0,
        "p50_hours": 4.0,
        "p90_hours": 24.0,
    }
    assert tickets["sla"]["met_share"] == 0.8
    assert frt_percentile({"frt_count": 1, "frt_gt_72": 1}, 0.5) is None
