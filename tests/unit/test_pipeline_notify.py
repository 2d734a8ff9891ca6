"""deliver_notification: the outbox entry first, each channel's outcome kept as it happens, settled
channels never tried again, and a channel that may heal retried on the next delivery only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from otklik.adapters.slack import TransientDeliveryError
from otklik.domain.models import ChannelResult, Notification
from otklik.usecases.notify import NotificationIncomplete, deliver_notification
from tests.unit.fakes import RecordingChannel
from tests.unit.samples import NOW

NOTE = Notification(
    id="nt_1",
    ticket_id="tk_1",
    event="ticket_opened",
    created_at=NOW,
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»",
)
LATER = NOW + timedelta(minutes=3)


class MemoryOutbox:
    """The outbox port in memory: one entry per notification id, the latest result per channel."""

    def __init__(self) -> None:
        self.entries: dict[str, Notification] = {}
        self.channels: dict[str, dict[str, ChannelResult]] = {}
        self.journal: list[str] = []

    def open_notification(self, notification: Notification, now: datetime) -> dict[str, ChannelResult]:
        self.journal.append(f"open {notification.id}")
        self.entries.setdefault(notification.id, notification)
        return dict(self.channels.setdefault(notification.id, {}))

    def record_channel_result(self, notification: Notification, result: ChannelResult) -> bool:
        self.journal.append(f"record {result.channel} {result.status}")
        kept = self.channels[notification.id]
        if result.channel in kept and kept[result.channel].status == "sent":
            return False
        kept[result.channel] = result
        return True


class ScriptedChannel:
    """A channel that answers each delivery with the next outcome: a status, or an error to raise."""

    def __init__(self, name: str, *outcomes: str | Exception, outbox: MemoryOutbox | None = None) -> None:
        self.name = name
        self._outcomes = list(outcomes)
        self._outbox = outbox
        self.delivered: list[Notification] = []

    def deliver(self, notification: Notification) -> ChannelResult:
        if self._outbox is not None:
            self._outbox.journal.append(f"deliver {self.name}")
        self.delivered.append(notification)
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return ChannelResult.model_validate({"channel": self.name, "status": outcome})


def test_the_outbox_entry_is_written_before_any_channel_and_each_outcome_as_it_happens() -> None:
    outbox = MemoryOutbox()
    slack = ScriptedChannel("slack", "sent", outbox=outbox)
    managers = ScriptedChannel("managers", "failed", outbox=outbox)

    delivered = deliver_notification(NOTE, [slack, managers], outbox, NOW)

    assert outbox.journal == [
        "open nt_1",
        "deliver slack",
        "record slack sent",
        "deliver managers",
        "record managers failed",
    ]
    assert [(r.channel, r.status, r.attempts, r.at) for r in delivered.results] == [
        ("slack", "sent", 1, NOW),
        ("managers", "failed", 1, NOW),
        ("outbox", "stored", None, None),
    ]
    assert outbox.channels["nt_1"]["slack"] == delivered.results[0]


def test_each_channel_gets_the_notification_once() -> None:
    slack, telegram, outbox = RecordingChannel("slack"), RecordingChannel("telegram"), MemoryOutbox()

    deliver_notification(NOTE, [slack, telegram], outbox, NOW)

    assert slack.delivered == [NOTE]
    assert telegram.delivered == [NOTE]
    assert outbox.entries == {"nt_1": NOTE}


def test_without_channels_the_notification_is_still_kept_in_the_outbox() -> None:
    outbox = MemoryOutbox()

    delivered = deliver_notification(NOTE, [], outbox, NOW)

    assert delivered.results == (ChannelResult(channel="outbox", status="stored"),)
    assert outbox.entries == {"nt_1": NOTE}


def test_a_channel_that_may_heal_is_recorded_as_retrying_after_the_others_had_their_turn() -> None:
    # Given Slack down and a second channel up
    outbox = MemoryOutbox()
    slack = ScriptedChannel("slack", TransientDeliveryError("HTTP 503: busy", "HTTP 503"))
    managers = ScriptedChannel("managers", "sent")

    # When the notification is delivered, it raises so that SQS delivers it again
    with pytest.raises(NotificationIncomplete) as caught:
        deliver_notification(NOTE, [slack, managers], outbox, NOW)

    # Then the other channel was still tried, and the outbox says what each did and why
    assert caught.value.errors == {"slack": "HTTP 503"}
    assert managers.delivered == [NOTE]
    kept = outbox.channels["nt_1"]
    assert (kept["slack"].status, kept["slack"].detail, kept["slack"].error) == (
        "retrying",
        "HTTP 503: busy",
        "HTTP 503",
    )
    assert (kept["slack"].attempts, kept["managers"].status) == (1, "sent")
    # And the error names the channel and the cause, never the notification's words
    assert "Порвалось" not in str(caught.value)
    assert NOTE.title not in str(caught.value)


def test_a_redelivery_tries_only_the_channel_that_may_heal_and_counts_its_attempts() -> None:
    # Given a first delivery that reached managers but found Slack down
    outbox = MemoryOutbox()
    slack = ScriptedChannel("slack", TransientDeliveryError("HTTP 503: busy", "HTTP 503"), "sent")
    managers = ScriptedChannel("managers", "sent", "sent")
    with pytest.raises(NotificationIncomplete):
        deliver_notification(NOTE, [slack, managers], outbox, NOW)

    # When SQS delivers it again and Slack is back
    delivered = deliver_notification(NOTE, [slack, managers], outbox, LATER)

    # Then managers is not posted to again, Slack is, on its second attempt
    assert len(managers.delivered) == 1
    assert len(slack.delivered) == 2
    assert [(r.channel, r.status, r.attempts, r.at) for r in delivered.results] == [
        ("slack", "sent", 2, LATER),
        ("managers", "sent", 1, NOW),
        ("outbox", "stored", None, None),
    ]


def test_attempts_go_on_counting_while_a_channel_stays_down() -> None:
    outbox = MemoryOutbox()
    slack = ScriptedChannel("slack", *(TransientDeliveryError("not sent", "ConnectionRefusedError"),) * 3)

    for _ in range(3):
        with pytest.raises(NotificationIncomplete):
            deliver_notification(NOTE, [slack], outbox, NOW)

    kept = outbox.channels["nt_1"]["slack"]
    assert (kept.status, kept.attempts, kept.error) == ("retrying", 3, "ConnectionRefusedError")


@pytest.mark.parametrize("status", ["failed", "unconfirmed"])
def test_a_channel_refused_for_good_or_sent_without_an_answer_is_not_tried_again(status: str) -> None:
    # Given Slack settled one way or the other, and managers down, on the first delivery
    outbox = MemoryOutbox()
    slack = ScriptedChannel("slack", status)
    managers = ScriptedChannel("managers", TransientDeliveryError("HTTP 502", "HTTP 502"), "sent")
    with pytest.raises(NotificationIncomplete):
        deliver_notification(NOTE, [slack, managers], outbox, NOW)

    # When it is delivered again
    delivered = deliver_notification(NOTE, [slack, managers], outbox, LATER)

    # Then Slack is not posted to a second time, and keeps what it did the first time
    assert len(slack.delivered) == 1
    assert delivered.results[0].status == status
    assert delivered.results[1].status == "sent"


def test_an_error_that_is_not_a_channel_outage_is_not_taken_for_one() -> None:
    # A bug is not recorded as "retrying": it fails the record as it is, and the entry stays open
    outbox = MemoryOutbox()

    with pytest.raises(KeyError):
        deliver_notification(NOTE, [ScriptedChannel("slack", KeyError("bug"))], outbox, NOW)

    assert outbox.entries == {"nt_1": NOTE}
    assert outbox.channels["nt_1"] == {}
