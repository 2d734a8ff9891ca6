"""deliver_notification: every channel once, then the outbox; a transient channel failure fails it all."""

from __future__ import annotations

import pytest

from otklik.adapters.slack import TransientDeliveryError
from otklik.domain.models import ChannelResult, Notification
from otklik.usecases.notify import deliver_notification
from tests.unit.fakes import InMemoryOutbox, RecordingChannel, UnreachableChannel
from tests.unit.samples import NOW

NOTE = Notification(
    id="nt_1",
    ticket_id="tk_1",
    event="ticket_opened",
    created_at=NOW,
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»",
)


def test_each_channel_gets_the_notification_once_and_the_outbox_keeps_the_results() -> None:
    slack, telegram, outbox = RecordingChannel("slack"), RecordingChannel("telegram"), InMemoryOutbox()

    delivered = deliver_notification(NOTE, [slack, telegram], outbox)

    assert slack.delivered == [NOTE]
    assert telegram.delivered == [NOTE]
    assert delivered.results == (
        ChannelResult(channel="slack", status="sent"),
        ChannelResult(channel="telegram", status="sent"),
        ChannelResult(channel="outbox", status="stored"),
    )
    assert outbox.records == [delivered]


def test_without_channels_the_notification_is_still_kept_in_the_outbox() -> None:
    outbox = InMemoryOutbox()

    delivered = deliver_notification(NOTE, [], outbox)

    assert delivered.results == (ChannelResult(channel="outbox", status="stored"),)
    assert [record.notification for record in outbox.records] == [NOTE]


def test_a_channel_that_fails_transiently_raises_and_nothing_is_recorded() -> None:
    outbox = InMemoryOutbox()

    with pytest.raises(TransientDeliveryError):
        deliver_notification(NOTE, [RecordingChannel("telegram"), UnreachableChannel()], outbox)

    assert outbox.records == []
