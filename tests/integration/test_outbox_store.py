"""The outbox in TicketsTable on moto: one entry per notification id, the latest try per channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from otklik.adapters.ticket_store import TicketStore
from otklik.domain.models import ChannelResult, Notification
from tests.integration.conftest import Stack

NOW = datetime(2026, 11, 22, 6, 41, 5, tzinfo=UTC)
NOTE = Notification(
    id="nt_1",
    ticket_id="tk_1",
    event="ticket_opened",
    created_at=NOW,
    title="[high] Новый тикет tk_1",
    text="команда: support",
)


def _store(stack: Stack) -> TicketStore:
    return TicketStore(stack.dynamodb, stack.table("TicketsTable"))


def test_a_notification_opened_again_keeps_its_first_entry_and_what_its_channels_did(stack: Stack) -> None:
    # Given a notification kept and sent to slack, with a retry pending for managers
    store = _store(stack)
    assert store.open_notification(NOTE, NOW) == {}
    sent = ChannelResult(channel="slack", status="sent", detail="HTTP 200", attempts=1, at=NOW)
    retrying = ChannelResult(
        channel="managers", status="retrying", detail="HTTP 503: busy", error="HTTP 503", attempts=1, at=NOW
    )
    assert store.record_channel_result(NOTE, sent)
    assert store.record_channel_result(NOTE, retrying)
    # When it is opened again (a redelivery), even with other words
    again = store.open_notification(NOTE.model_copy(update={"title": "changed"}), NOW + timedelta(minutes=3))
    # Then it answers what each channel did, and the entry is the first one
    assert again == {"slack": sent, "managers": retrying}
    [entry] = store.list_notifications("tk_1")
    assert entry["title"] == NOTE.title
    at = "2026-11-22T06:41:05Z"
    assert entry["results"] == [
        {"channel": "managers", "status": "retrying", "detail": "HTTP 503: busy", "error": "HTTP 503",
         "attempts": 1, "at": at},
        {"channel": "slack", "status": "sent", "detail": "HTTP 200", "attempts": 1, "at": at},
        {"channel": "outbox", "status": "stored"},
    ]  # fmt: skip


def test_a_channel_recorded_as_sent_is_never_overwritten(stack: Stack) -> None:
    store = _store(stack)
    store.open_notification(NOTE, NOW)
    sent = ChannelResult(channel="slack", status="sent", attempts=1, at=NOW)
    assert store.record_channel_result(NOTE, sent)

    late = ChannelResult(channel="slack", status="retrying", error="HTTP 503", attempts=2, at=NOW)
    assert store.record_channel_result(NOTE, late) is False

    assert store.open_notification(NOTE, NOW) == {"slack": sent}


def test_an_entry_written_before_per_channel_results_still_reads(stack: Stack) -> None:
    # Given an outbox entry as the previous version wrote it: a results list, once delivery was done
    stack.dynamodb.put_item(
        TableName=stack.table("TicketsTable"),
        Item={
            "pk": {"S": "TICKET#tk_1"},
            "sk": {"S": "NOTIFICATION#nt_1"},
            "id": {"S": "nt_1"},
            "ticket_id": {"S": "tk_1"},
            "created_at": {"S": "2026-11-22T06:41:05Z"},
            "results": {
                "L": [
                    {"M": {"channel": {"S": "slack"}, "status": {"S": "sent"}, "detail": {"S": "HTTP 200"}}},
                    {"M": {"channel": {"S": "outbox"}, "status": {"S": "stored"}, "detail": {"S": ""}}},
                ]
            },
        },
    )
    store = _store(stack)
    # Then a redelivery finds slack settled, and the listing shows the entry as it was written
    assert store.open_notification(NOTE, NOW) == {
        "slack": ChannelResult(channel="slack", status="sent", detail="HTTP 200")
    }
    [entry] = store.list_notifications("tk_1")
    assert [(r["channel"], r["status"]) for r in entry["results"]] == [
        ("slack", "sent"),
        ("outbox", "stored"),
    ]
