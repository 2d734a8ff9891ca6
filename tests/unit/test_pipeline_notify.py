"""deliver_notification and release: whom the subscriptions name, quiet hours, rate caps and digests,
retries with backoff, and each delivery settled once in the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from otklik.domain.config import Config, parse_config
from otklik.domain.messages import NotifyMessage
from otklik.domain.models import ChannelResult, Delivery, Notification
from otklik.domain.notify.plan import MAX_ATTEMPTS, DigestCounts
from otklik.ports import ChannelUnavailable, DigestDue, WaitingDelivery
from otklik.usecases.notify import NotifyParts, deliver_notification, release, watch_dead_letters

# Tuesday 2026-12-01 10:00 UTC = 13:00 in Moscow; 20:00 UTC = 23:00 in Moscow (quiet).
DAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NIGHT = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)

DOCUMENT = """
teams: [{name: support}, {name: logistics}]
channels:
  - {name: tg, type: telegram, bot_token_parameter: notify/bot}
  - {name: mail, type: email, sender: bot@shop.example}
  - {name: sms, type: sms}
  - {name: crm, type: webhook, url_parameter: notify/crm, secret_parameter: notify/crm-key}
recipients:
  - name: duty
    timezone: Europe/Moscow
    addresses: {tg: "100", mail: duty@shop.example}
    quiet_hours: {start: "22:00", end: "08:00"}
    rate_cap: {messages: 3, minutes: 60}
  - name: head
    language: en
    timezone: Asia/Yekaterinburg
    addresses: {mail: head@shop.example, sms: "+79990001122"}
subscriptions:
  - name: support-tickets
    events: [ticket_opened, sla_breached]
    recipients: [duty]
    channels: [tg]
    when: {teams: [support]}
  - name: urgent
    events: [ticket_opened, sla_breached]
    recipients: [head]
    when: {priorities: [urgent]}
  - name: quality-to-crm
    events: [ticket_opened]
    channels: [crm]
    when: {topics: [quality]}
"""
CONFIG = parse_config(DOCUMENT)


def ticket(**changes: Any) -> dict[str, Any]:
    facts = {
        "id": "tk_1",
        "feedback_id": "fb_1",
        "source": "wildberries",
        "account": "main",
        "kind": "review",
        "team": "support",
        "priority": "high",
        "status": "open",
        "reasons": ["low_rating"],
        "rating": 1,
        "tonality_label": "negative",
        "excerpt": "Порвалось, пишите [email]",
        "topics": ["quality"],
        "tags": [],
        "assignee": None,
        "notify": [],
        "created_at": "2026-12-01T09:00:00Z",
        "first_response_due_at": "2026-12-01T15:00:00Z",
        "next_response_due_at": None,
        "resolution_due_at": None,
        "sla_breached": False,
    }
    return {**facts, **changes}


def note(event: str = "ticket_opened", number: int = 1, **changes: Any) -> Notification:
    facts = ticket(id=f"tk_{number}", **changes)
    return Notification(
        id=f"nt_{number}_{event}",
        ticket_id=facts["id"],
        event=event,  # type: ignore[arg-type]
        created_at=DAY,
        title="[high] Новый тикет",
        text="as built",
        ticket=facts,
    )


class MemoryOutbox:
    def __init__(self) -> None:
        self.kept: dict[str, dict[str, ChannelResult]] = {}

    def open_notification(self, notification: Notification, now: datetime) -> dict[str, ChannelResult]:
        return dict(self.kept.setdefault(notification.id, {}))

    def record_channel_result(self, notification: Notification, result: ChannelResult) -> bool:
        kept = self.kept[notification.id]
        if result.channel in kept and kept[result.channel].status == "sent":
            return False
        kept[result.channel] = result
        return True

    def status(self, notification: Notification) -> dict[str, str]:
        return {key: result.status for key, result in self.kept.get(notification.id, {}).items()}


@dataclass
class MemoryWaits:
    waits: dict[tuple[str, str], WaitingDelivery] = field(default_factory=dict)
    caps: dict[tuple[str, str], tuple[datetime, int]] = field(default_factory=dict)
    digests: dict[str, dict[str, Any]] = field(default_factory=dict)
    episodes: set[str] = field(default_factory=set)
    postponed: list[datetime] = field(default_factory=list)

    def wait(self, notification: Notification, key: str, until: datetime, attempt: int, reason: str) -> None:
        self.waits[(notification.id, key)] = WaitingDelivery(notification, key, attempt, reason, until)

    def waiting(self, now: datetime, limit: int) -> list[WaitingDelivery]:
        return [w for w in self.waits.values() if w.due_at <= now][:limit]

    def released(self, waiting: WaitingDelivery) -> bool:
        return self.waits.pop((waiting.notification.id, waiting.key), None) is not None

    def take(
        self, recipient: str, channel: str, messages: int, minutes: int, now: datetime
    ) -> datetime | None:
        start, sent = self.caps.get((recipient, channel), (now, 0))
        if now - start >= timedelta(minutes=minutes):
            start, sent = now, 0
        if sent >= messages:
            return start
        self.caps[(recipient, channel)] = (start, sent + 1)
        return None

    def add_to_digest(
        self, recipient: str, channel: str, window_start: datetime, minutes: int, notification: Notification
    ) -> bool:
        digest = self.digests.setdefault(
            f"{recipient}#{channel}#{window_start.isoformat()}",
            {
                "recipient": recipient,
                "channel": channel,
                "minutes": minutes,
                "start": window_start,
                "ids": [],
            },
        )
        if notification.id in digest["ids"]:
            return False
        digest["ids"].append(notification.id)
        return True

    def digests_due(self, now: datetime, limit: int) -> list[DigestDue]:
        due = []
        for key, digest in self.digests.items():
            at = digest["start"] + timedelta(minutes=digest["minutes"])
            if at <= now and "told" not in digest:
                events: dict[str, int] = {}
                for one in digest["ids"]:
                    event = one.split("_", 2)[2]
                    events[event] = events.get(event, 0) + 1
                counts = DigestCounts(events=events, topics={"quality": len(digest["ids"])})
                due.append(
                    DigestDue(key, digest["recipient"], digest["channel"], digest["minutes"], counts, at)
                )
        return due

    def digest_tried(self, digest: DigestDue, result: dict[str, Any], retry_at: datetime | None) -> None:
        if retry_at is None:
            self.digests[digest.id]["told"] = result

    def postpone_digest(self, digest: DigestDue, until: datetime) -> None:
        self.digests[digest.id]["start"] = until - timedelta(minutes=digest.minutes)
        self.postponed.append(until)

    def open_episode(self, queue: str, now: datetime) -> bool:
        if queue in self.episodes:
            return False
        self.episodes.add(queue)
        return True

    def close_episode(self, queue: str) -> None:
        self.episodes.discard(queue)


class Queue:
    def __init__(self) -> None:
        self.sent: list[tuple[NotifyMessage, int]] = []

    def send(self, message: BaseModel, delay_seconds: int = 0) -> str:
        assert isinstance(message, NotifyMessage)
        self.sent.append((message, delay_seconds))
        return f"m{len(self.sent)}"


class Channel:
    """A channel answering each delivery with the next scripted outcome (a status, or an error to raise)."""

    def __init__(self, name: str, *outcomes: str | Exception) -> None:
        self.name = name
        self.outcomes = list(outcomes)
        self.delivered: list[Delivery] = []

    def deliver(self, delivery: Delivery) -> ChannelResult:
        self.delivered.append(delivery)
        outcome = self.outcomes.pop(0) if self.outcomes else "sent"
        if isinstance(outcome, Exception):
            raise outcome
        return ChannelResult.model_validate({"channel": self.name, "status": outcome})


@dataclass
class World:
    config: Config = CONFIG
    outbox: MemoryOutbox = field(default_factory=MemoryOutbox)
    waits: MemoryWaits = field(default_factory=MemoryWaits)
    queue: Queue = field(default_factory=Queue)
    channels: dict[str, Channel] = field(
        default_factory=lambda: {name: Channel(name) for name in ("tg", "mail", "sms", "crm")}
    )

    def parts(self) -> NotifyParts:
        return NotifyParts(
            config=self.config,
            channels={name: (lambda c=channel: c) for name, channel in self.channels.items()},
            outbox=self.outbox,
            waits=self.waits,
            retries=self.queue,
            base_url="https://otklik.example/api",
        )

    def deliver(self, message: Notification | NotifyMessage, now: datetime = DAY) -> dict[str, str]:
        wrapped = message if isinstance(message, NotifyMessage) else NotifyMessage(notification=message)
        deliver_notification(wrapped, self.parts(), now)
        return self.outbox.status(wrapped.notification)


# ------------------------------------------------------------------ who is told


def test_a_new_ticket_goes_to_the_subscriptions_it_matches_and_nobody_else() -> None:
    world = World()

    statuses = world.deliver(note())

    # Then the support team's duty chat and the CRM (quality topic) get it; the head (urgent only) does not
    assert statuses == {"tg:duty": "sent", "crm": "sent"}
    assert [d.address for d in world.channels["tg"].delivered] == ["100"]
    assert world.channels["mail"].delivered == world.channels["sms"].delivered == []


def test_an_urgent_ticket_also_reaches_the_head_by_mail_and_sms_in_english() -> None:
    world = World()

    statuses = world.deliver(note(priority="urgent"))

    assert statuses == {"tg:duty": "sent", "mail:head": "sent", "sms:head": "sent", "crm": "sent"}
    [mail] = world.channels["mail"].delivered
    assert mail.language == "en" and mail.title.startswith("[urgent] New ticket tk_1")
    # The deadline in the head's own zone (Yekaterinburg, UTC+5): 15:00 UTC is 20:00 there
    assert "reply by 2026-12-01 20:00 +05" in mail.text
    assert mail.link == "https://otklik.example/api/dashboard#/tickets/tk_1"
    assert mail.link_label == "Open the ticket"
    assert mail.urgent is True


def test_another_teams_ticket_and_a_ticket_without_the_topic_go_to_neither_subscription() -> None:
    world = World()

    assert world.deliver(note(team="logistics", topics=["delivery"])) == {}


def test_sms_carries_only_urgent_events_even_when_a_subscription_names_it() -> None:
    config = parse_config(DOCUMENT.replace("when: {priorities: [urgent]}", "when: {}"))
    world = World(config=config)

    statuses = world.deliver(note())

    assert "sms:head" not in statuses and statuses["mail:head"] == "sent"


def test_an_escalation_reaches_the_recipient_it_names_on_every_channel() -> None:
    world = World()
    escalation = note("sla_escalated").model_copy(
        update={"to": "head", "level": 1, "target": "first_response"}
    )

    statuses = world.deliver(escalation)

    # Urgent by default (notifications.urgent.events), so SMS carries it
    assert statuses == {"mail:head": "sent", "sms:head": "sent"}


def test_without_subscriptions_every_webhook_channel_is_told_as_before() -> None:
    config = parse_config(
        "channels:\n  - {name: crm, type: webhook, url_parameter: a, secret_parameter: b}\n"
        "  - {name: tg, type: telegram, bot_token_parameter: c}\n"
    )
    world = World(config=config)

    assert world.deliver(note()) == {"crm": "sent"}


# ------------------------------------------------------------------ quiet hours


def test_a_non_urgent_event_in_quiet_hours_waits_until_they_end_and_is_then_delivered_once() -> None:
    world = World()
    night = note()

    # When it arrives at 23:00 in Moscow
    statuses = world.deliver(night, NIGHT)

    # Then the duty chat's delivery waits for 08:00 Moscow (05:00 UTC); the CRM (no recipient) gets it now
    assert statuses == {"tg:duty": "deferred", "crm": "sent"}
    [waiting] = world.waits.waits.values()
    assert waiting.due_at == datetime(2026, 12, 2, 5, 0, tzinfo=UTC) and waiting.key == "tg:duty"
    assert world.channels["tg"].delivered == []

    # And the schedule's pass before the end releases nothing, at the end queues it again
    assert release(world.parts(), datetime(2026, 12, 2, 4, 59, tzinfo=UTC)).waits == 0
    assert release(world.parts(), datetime(2026, 12, 2, 5, 0, tzinfo=UTC)).waits == 1
    [(again, delay)] = world.queue.sent
    assert again.only == ("tg:duty",) and again.released and delay == 0

    # When the released message is delivered (still before anyone's quiet hours again), it is sent, once
    assert world.deliver(again, datetime(2026, 12, 2, 5, 0, 30, tzinfo=UTC))["tg:duty"] == "sent"
    assert world.deliver(again, datetime(2026, 12, 2, 5, 1, tzinfo=UTC))["tg:duty"] == "sent"
    assert world.deliver(night, datetime(2026, 12, 2, 5, 2, tzinfo=UTC))["tg:duty"] == "sent"
    assert len(world.channels["tg"].delivered) == 1


def test_an_urgent_event_goes_through_quiet_hours() -> None:
    world = World()

    assert world.deliver(note(priority="urgent"), NIGHT)["tg:duty"] == "sent"


def test_a_redelivery_of_a_deferred_notification_keeps_waiting() -> None:
    world = World()
    night = note()
    world.deliver(night, NIGHT)

    assert world.deliver(night, NIGHT + timedelta(minutes=1))["tg:duty"] == "deferred"
    assert world.channels["tg"].delivered == []


# ------------------------------------------------------------------ rate caps and digests


def test_past_the_cap_events_roll_into_one_digest_told_once_at_the_windows_end() -> None:
    world = World()

    # When 7 tickets open within minutes for a recipient capped at 3 an hour
    for number in range(1, 8):
        world.deliver(note(number=number), DAY + timedelta(minutes=number))

    # Then 3 messages went, 4 are in one digest
    assert len(world.channels["tg"].delivered) == 3
    digested = [n for n in range(1, 8) if world.outbox.status(note(number=n))["tg:duty"] == "digested"]
    assert digested == [4, 5, 6, 7]
    [digest] = world.waits.digests.values()
    assert digest["start"] == DAY + timedelta(minutes=1)

    # And the pass before the window's end tells nothing; at its end, one digest message
    assert release(world.parts(), DAY + timedelta(minutes=60)).digests == []
    [told] = release(world.parts(), DAY + timedelta(minutes=61)).digests
    assert told.status == "sent" and told.channel == "tg:duty"
    summary = world.channels["tg"].delivered[-1]
    assert summary.event == "digest" and summary.address == "100"
    assert summary.title == "4 новых тикета за час"
    assert "темы: quality 4" in summary.text
    assert release(world.parts(), DAY + timedelta(minutes=62)).digests == []
    assert len(world.channels["tg"].delivered) == 4


def test_urgent_events_are_never_digested() -> None:
    world = World()
    for number in range(1, 6):
        world.deliver(note(number=number, priority="urgent"), DAY + timedelta(minutes=number))

    assert len(world.channels["tg"].delivered) == 5


# ------------------------------------------------------------------ retries


def test_a_channel_that_may_heal_is_retried_after_the_wait_it_asked_for() -> None:
    world = World()
    world.channels["tg"].outcomes = [ChannelUnavailable("429", "HTTP 429", retry_after=120.0)]

    statuses = world.deliver(note())

    assert statuses["tg:duty"] == "retrying" and statuses["crm"] == "sent"
    [(retry, delay)] = world.queue.sent
    assert retry.only == ("tg:duty",) and retry.attempt == 1 and delay >= 120

    # When the retry arrives, only that delivery is tried, and it is sent with its attempts counted
    assert world.deliver(retry, DAY + timedelta(seconds=delay))["tg:duty"] == "sent"
    assert world.outbox.kept[note().id]["tg:duty"].attempts == 2
    assert len(world.channels["crm"].delivered) == 1


def test_backoff_grows_and_a_long_wait_is_held_by_the_schedule_instead_of_the_queue() -> None:
    world = World()
    down = ChannelUnavailable("down", "HTTP 503")
    world.channels["tg"].outcomes = [down] * MAX_ATTEMPTS
    message = NotifyMessage(notification=note())
    delays: list[int] = []
    for _ in range(MAX_ATTEMPTS):
        world.deliver(message)
        if not world.queue.sent:
            break
        message, delay = world.queue.sent.pop()
        delays.append(delay)
    assert delays == sorted(delays) and delays[0] >= 15 and delays[-1] <= 900
    # Past 15 minutes the wait is a held delivery that release() queues again
    [held] = world.waits.waits.values()
    assert held.reason == "retry" and held.attempt == len(delays) + 1


def test_after_the_last_try_the_delivery_is_recorded_failed_and_not_tried_again() -> None:
    world = World()
    world.channels["tg"].outcomes = [ChannelUnavailable("down", "HTTP 503")]

    world.deliver(NotifyMessage(notification=note(), only=("tg:duty",), attempt=MAX_ATTEMPTS - 1))

    result = world.outbox.kept[note().id]["tg:duty"]
    assert result.status == "failed" and result.attempts == MAX_ATTEMPTS and "gave up" in result.detail
    assert world.queue.sent == []


@pytest.mark.parametrize("status", ["failed", "unconfirmed"])
def test_a_delivery_refused_for_good_or_sent_without_an_answer_is_not_tried_again(status: str) -> None:
    world = World()
    world.channels["tg"].outcomes = [status]

    assert world.deliver(note())["tg:duty"] == status
    world.deliver(note())
    assert len(world.channels["tg"].delivered) == 1 and world.queue.sent == []


def test_an_error_that_is_not_a_channel_outage_is_not_taken_for_one() -> None:
    world = World()
    world.channels["tg"].outcomes = [KeyError("bug")]

    with pytest.raises(KeyError):
        world.deliver(note())
    assert world.queue.sent == []


def test_a_digest_due_in_the_recipients_quiet_hours_waits_for_their_end() -> None:
    world = World()
    # Given a recipient's digest whose window ends at 22:01 Moscow time (quiet from 22:00)
    evening = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    for number in range(1, 6):
        world.deliver(note(number=number), evening + timedelta(minutes=number))

    # When the window ends, the digest is not told but waits for 08:00 Moscow
    [waiting] = release(world.parts(), evening + timedelta(minutes=61)).digests
    assert waiting.status == "deferred"
    assert world.waits.postponed == [datetime(2026, 12, 2, 5, 0, tzinfo=UTC)]
    assert len(world.channels["tg"].delivered) == 3

    # And at the end of the quiet hours it is told
    [told] = release(world.parts(), datetime(2026, 12, 2, 5, 0, tzinfo=UTC)).digests
    assert told.status == "sent" and len(world.channels["tg"].delivered) == 4


class Depths:
    def __init__(self, *rounds: dict[str, int]) -> None:
        self.rounds = list(rounds)

    def depths(self) -> dict[str, int]:
        return self.rounds.pop(0)


def test_a_dead_letter_queue_that_fills_is_told_once_until_it_is_emptied() -> None:
    world = World()
    depths = Depths({"RouteDLQ": 2, "NotifyDLQ": 0}, {"RouteDLQ": 3}, {"RouteDLQ": 0}, {"RouteDLQ": 1})

    told = [watch_dead_letters(depths, world.parts(), DAY + timedelta(minutes=n)) for n in range(4)]

    # Then the first message tells, more messages in the same episode do not, an emptied queue that
    # fills again tells again
    assert told == [["RouteDLQ"], [], [], ["RouteDLQ"]]
    notes = [message.notification for message, _ in world.queue.sent]
    assert [n.event for n in notes] == ["dlq_not_empty", "dlq_not_empty"]
    assert notes[0].ticket_id is None and notes[0].details == {"queue": {"name": "RouteDLQ", "messages": 2}}
    assert notes[0].id != notes[1].id
    assert notes[0].title == "Очередь ошибок RouteDLQ не пуста"


def test_an_event_about_no_ticket_goes_only_to_subscriptions_without_ticket_filters() -> None:
    config = parse_config(
        DOCUMENT
        + "  - {name: ops, events: [dlq_not_empty], recipients: [head], channels: [mail]}\n"
        + "  - {name: support-dlq, events: [dlq_not_empty], recipients: [duty], when: {teams: [support]}}\n"
    )
    world = World(config=config)
    depths = Depths({"RouteDLQ": 1})
    watch_dead_letters(depths, world.parts(), DAY)
    [(message, _)] = world.queue.sent

    statuses = world.deliver(message)

    assert statuses == {"mail:head": "sent"}
    [mail] = world.channels["mail"].delivered
    assert mail.title == "Dead-letter queue RouteDLQ is not empty" and mail.link is None
