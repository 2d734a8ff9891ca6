"""What notifications wait for in TicketsTable on moto: held deliveries, rate caps and digests on the
by_deadline index's "notify_due" partition, and the outbox of notifications about no ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.adapters.notify_store import NotifyStore
from otklik.adapters.reply_watch import ReplyWatch
from otklik.adapters.ticket_store import TicketStore
from otklik.domain.marketplaces.models import ApprovedReply
from otklik.domain.models import ChannelResult, Notification
from otklik.domain.notify.plan import DigestCounts
from otklik.domain.replies.watch import first_look
from otklik.ports import DigestDue
from tests.integration.conftest import Stack
from tests.unit.samples import stored_ticket

NOW = datetime(2026, 11, 22, 6, 41, 5, tzinfo=UTC)
LATER = NOW + timedelta(days=20)  # everything put in these tests is due by then
SECOND = timedelta(seconds=1)
KEY = "telegram:anna"


def _note(
    note_id: str = "nt_1",
    event: Any = "ticket_opened",
    topics: tuple[str, ...] = ("delivery", "quality"),
) -> Notification:
    return Notification(
        id=note_id,
        ticket_id="tk_1",
        event=event,
        created_at=NOW,
        title="[high] Новый тикет tk_1",
        text="команда: support",
        to="anna",
        ticket={
            "id": "tk_1",
            "priority": "high",
            "team": "support",
            "topics": list(topics),
            "rating": 1,
            "score": 0.25,
            "excerpt": "Порвалось",
        },
        details={"source": "custom", "reasons": ["low_rating"], "stars": 1},
    )


def _notify(stack: Stack) -> NotifyStore:
    return NotifyStore(stack.dynamodb, stack.table("TicketsTable"))


def _tickets(stack: Stack) -> TicketStore:
    return TicketStore(stack.dynamodb, stack.table("TicketsTable"))


def _digest_id(recipient: str, channel: str, window_start: datetime) -> str:
    return f"{recipient}#{channel}#{window_start.strftime('%Y-%m-%dT%H:%M:%SZ')}"


# ------------------------------------------------------------------ waiting deliveries


def test_a_held_delivery_is_waiting_only_once_its_time_has_come(stack: Stack) -> None:
    # Given a delivery held for quiet hours until two hours from now, on its second try
    store = _notify(stack)
    until = NOW + timedelta(hours=2)
    store.wait(_note(), KEY, until, 2, "quiet")
    # When deliveries are asked for a second before that time, and at it
    early = store.waiting(until - SECOND, 10)
    [due] = store.waiting(until, 10)
    # Then it is not waiting before its time, and at it comes back whole: the notification (its ticket
    # snapshot and details too), the delivery's key, the tries made and why it waited
    assert early == []
    assert due.notification == _note()
    assert due.notification.ticket is not None and due.notification.ticket["topics"] == [
        "delivery",
        "quality",
    ]
    assert due.notification.details == {"source": "custom", "reasons": ["low_rating"], "stars": 1}
    assert (due.key, due.attempt, due.reason, due.due_at) == (KEY, 2, "quiet", until)


def test_a_released_delivery_is_not_waiting_any_more(stack: Stack) -> None:
    # Given a held delivery whose time has come, read by a run
    store = _notify(stack)
    store.wait(_note(), KEY, NOW, 0, "quiet")
    [due] = store.waiting(NOW, 10)
    # When the run releases it
    released = store.released(due)
    # Then it is released once: no later run finds it waiting, and releasing it again is refused
    assert released is True
    assert store.waiting(LATER, 10) == []
    assert store.released(due) is False


def test_a_delivery_held_again_before_its_release_is_not_released_by_the_earlier_read(stack: Stack) -> None:
    # Given a held delivery read by one run, then held again for later (a retry) before that run released it
    store = _notify(stack)
    store.wait(_note(), KEY, NOW, 1, "retry")
    [old] = store.waiting(NOW, 10)
    later = NOW + timedelta(minutes=30)
    store.wait(_note(), KEY, later, 2, "retry")
    # When the first run releases what it read
    released = store.released(old)
    # Then that is refused, and the delivery waits for its new time, with the new try count
    assert released is False
    assert store.waiting(later - SECOND, 10) == []
    [new] = store.waiting(later, 10)
    assert (new.attempt, new.due_at) == (2, later)
    assert store.released(new) is True


# ------------------------------------------------------------------ rate caps


def test_a_rate_cap_lets_a_windows_first_messages_go_and_answers_its_start_to_the_next(stack: Stack) -> None:
    # Given a cap of three messages in ten minutes, and three messages taken in its first minutes
    store = _notify(stack)
    first = [store.take("anna", "telegram", 3, 10, NOW + timedelta(minutes=m)) for m in (0, 1, 2)]
    # When a fourth and a fifth come, the last a second before the window ends
    fourth = store.take("anna", "telegram", 3, 10, NOW + timedelta(minutes=3))
    fifth = store.take("anna", "telegram", 3, 10, NOW + timedelta(minutes=10) - SECOND)
    # Then the first three go now, and the others are answered the window's start (the first one's time)
    assert first == [None, None, None]
    assert (fourth, fifth) == (NOW, NOW)


def test_a_rate_cap_opens_a_new_window_once_the_old_one_is_over(stack: Stack) -> None:
    # Given a cap of two messages in ten minutes, full since now
    store = _notify(stack)
    assert [store.take("anna", "telegram", 2, 10, NOW + timedelta(minutes=m)) for m in (0, 1, 2)] == [
        None,
        None,
        NOW,
    ]
    # When messages come from the moment the window is over
    reopened = NOW + timedelta(minutes=10)
    after = [store.take("anna", "telegram", 2, 10, reopened + timedelta(minutes=m)) for m in (0, 1, 2)]
    # Then the first of them opens a new window: two go, and the third is answered the new window's start
    assert after == [None, None, reopened]


def test_each_recipient_and_channel_has_its_own_cap(stack: Stack) -> None:
    # Given anna's telegram cap of one message, full
    store = _notify(stack)
    assert store.take("anna", "telegram", 1, 60, NOW) is None
    # When anna gets an e-mail and boris a telegram message in the same window
    email = store.take("anna", "email", 1, 60, NOW + SECOND)
    boris = store.take("boris", "telegram", 1, 60, NOW + SECOND)
    # Then each goes, and anna's telegram cap stays full
    assert (email, boris) == (None, None)
    assert store.take("anna", "telegram", 1, 60, NOW + 2 * SECOND) == NOW
    assert store.take("anna", "email", 1, 60, NOW + 2 * SECOND) == NOW + SECOND


# ------------------------------------------------------------------ digests


def test_a_digest_counts_each_notification_once_by_event_and_topic(stack: Stack) -> None:
    # Given an hour's digest window for anna's telegram
    store = _notify(stack)
    added = [
        store.add_to_digest("anna", "telegram", NOW, 60, note)
        for note in (
            _note("nt_1"),
            _note("nt_2", topics=("delivery",)),
            _note("nt_3", event="sla_breached", topics=("delivery", "delivery")),
            _note("nt_2", topics=("delivery",)),  # the second again: a redelivery
        )
    ]
    # When the digests due are asked for a second before the window ends, and at its end
    early = store.digests_due(NOW + timedelta(minutes=60) - SECOND, 10)
    due = store.digests_due(NOW + timedelta(minutes=60), 10)
    # Then the notification added twice counted once, and the digest is due at the window's end only, with
    # how many notifications of each event and about each topic it stands for
    assert added == [True, True, True, False]
    assert early == []
    assert due == [
        DigestDue(
            id=_digest_id("anna", "telegram", NOW),
            recipient="anna",
            channel="telegram",
            minutes=60,
            counts=DigestCounts(
                events={"ticket_opened": 2, "sla_breached": 1}, topics={"delivery": 3, "quality": 1}
            ),
            due_at=NOW + timedelta(minutes=60),
            attempts=0,
        )
    ]


def test_a_told_digest_is_not_due_again_and_counts_no_more(stack: Stack) -> None:
    # Given a digest due, and told by its channel
    store = _notify(stack)
    assert store.add_to_digest("anna", "telegram", NOW, 60, _note("nt_1"))
    [digest] = store.digests_due(NOW + timedelta(minutes=60), 10)
    told_at = "2026-11-22T07:41:07Z"
    store.digest_tried(digest, {"channel": "telegram", "status": "sent", "at": told_at}, None)
    # When a notification comes late for the same window, and one for the next window
    late = store.add_to_digest("anna", "telegram", NOW, 60, _note("nt_2"))
    next_window = store.add_to_digest("anna", "telegram", NOW + timedelta(minutes=60), 60, _note("nt_2"))
    # Then the told digest is not due again and refuses the late one; the next window's digest takes it
    assert late is False
    assert next_window is True
    assert [d.id for d in store.digests_due(LATER, 10)] == [
        _digest_id("anna", "telegram", NOW + timedelta(minutes=60))
    ]


def test_a_digest_tried_again_later_stays_due_at_the_new_time_with_its_tries(stack: Stack) -> None:
    # Given a digest due, whose channel was busy: tried again in five minutes
    store = _notify(stack)
    assert store.add_to_digest("anna", "telegram", NOW, 60, _note("nt_1"))
    end = NOW + timedelta(minutes=60)
    [digest] = store.digests_due(end, 10)
    retry_at = end + timedelta(minutes=5)
    store.digest_tried(digest, {"channel": "telegram", "status": "retrying", "error": "HTTP 503"}, retry_at)
    # When another run, on its read from before the retry, takes the digest for told
    store.digest_tried(digest, {"channel": "telegram", "status": "sent", "at": "2026-11-22T07:41:09Z"}, None)
    # Then that changes nothing: the digest is not due before the new time, and is at it, one try made
    assert store.digests_due(retry_at - SECOND, 10) == []
    [again] = store.digests_due(retry_at, 10)
    assert (again.id, again.due_at, again.attempts) == (digest.id, retry_at, 1)
    assert again.counts == digest.counts
    # And a second busy try counts too
    store.digest_tried(again, {"channel": "telegram", "status": "retrying"}, retry_at + timedelta(minutes=5))
    [third] = store.digests_due(LATER, 10)
    assert third.attempts == 2


def test_a_digest_postponed_to_the_end_of_quiet_hours_is_due_then_with_its_tries_unchanged(
    stack: Stack,
) -> None:
    store = _notify(stack)
    assert store.add_to_digest("anna", "telegram", NOW, 60, _note("nt_1"))
    [digest] = store.digests_due(NOW + timedelta(minutes=60), 10)
    morning = NOW + timedelta(hours=9)

    store.postpone_digest(digest, morning)

    assert store.digests_due(morning - SECOND, 10) == []
    [again] = store.digests_due(morning, 10)
    assert (again.due_at, again.attempts) == (morning, 0)


def test_a_dead_letter_episode_opens_once_and_a_new_one_after_it_is_closed(stack: Stack) -> None:
    store = _notify(stack)

    # When a queue is seen holding messages twice, emptied, then holding messages again
    opened = [store.open_episode("RouteDLQ", NOW), store.open_episode("RouteDLQ", NOW + SECOND)]
    store.close_episode("RouteDLQ")
    again = store.open_episode("RouteDLQ", NOW + 2 * SECOND)

    # Then the first and the one after emptying open an episode; another queue has its own
    assert (opened, again) == ([True, False], True)
    assert store.open_episode("NotifyDLQ", NOW)


# ------------------------------------------------------------------ the shared index partition


def _reply() -> ApprovedReply:
    return ApprovedReply(
        reply_id="rp_1",
        ticket_id="tk_9",
        feedback_id="fb_9",
        marketplace="wildberries",
        connection="wb-main",
        kind="review",
        external_id="wb-1",
        text="Спасибо за отзыв!",
        approved_by="anna",
        approved_at=NOW,
    )


def test_waits_and_digests_share_their_index_partition_without_mixing(stack: Stack) -> None:
    # Given two held deliveries with a digest due between them, all on the "notify_due" partition, beside
    # a ticket on the SLA sweep's watch and a reply on the read-back watch of the same index
    store = _notify(stack)
    store.wait(_note("nt_1"), KEY, NOW + timedelta(minutes=10), 0, "quiet")
    assert store.add_to_digest("anna", "telegram", NOW, 30, _note("nt_2"))
    store.wait(_note("nt_3"), KEY, NOW + timedelta(minutes=60), 0, "quiet")
    tickets = _tickets(stack)
    assert tickets.create(stored_ticket("tk_9"))
    watch = ReplyWatch(stack.dynamodb, stack.table("TicketsTable"))
    watch.watch(first_look(_reply(), "a-1", NOW))
    shared = stack.dynamodb.query(
        TableName=stack.table("TicketsTable"),
        IndexName="by_deadline",
        KeyConditionExpression="sla_watch = :watch",
        ExpressionAttributeValues={":watch": {"S": "notify_due"}},
    )["Items"]
    assert [item["pk"]["S"].split("#")[0] for item in shared] == ["WAIT", "DIGEST", "WAIT"]
    # When each asks what is due long after all of it, even for one entry only
    waits = store.waiting(LATER, 10)
    [first_wait] = store.waiting(LATER, 1)
    digests = store.digests_due(LATER, 10)
    [first_digest] = store.digests_due(LATER, 1)
    # Then waits answer only the waits, soonest first, and digests only the digest; neither answers the
    # ticket or the reply, which their own watches still answer
    assert [(w.notification.id, w.key) for w in waits] == [("nt_1", KEY), ("nt_3", KEY)]
    assert first_wait.notification.id == "nt_1"
    assert [d.id for d in digests] == [first_digest.id] == [_digest_id("anna", "telegram", NOW)]
    assert tickets.sla_due(LATER) == ["tk_9"]
    assert [d.reply.reply_id for d in watch.due(LATER, 10)] == ["rp_1"]


# ------------------------------------------------------------------ the outbox of events about no ticket

DLQ_NOTE = Notification(
    id="nt_dlq_1",
    ticket_id=None,
    event="dlq_not_empty",
    created_at=NOW,
    title="Очередь ingest-dlq не пуста",
    text="сообщений: 3",
    details={"queue": "ingest-dlq", "messages": 3},
)


def test_a_notification_about_no_ticket_is_kept_once_under_its_event_with_its_channels(stack: Stack) -> None:
    # Given a notification about a dead-letter queue, kept, sent to the duty telegram and retrying by e-mail
    store = _tickets(stack)
    assert store.open_notification(DLQ_NOTE, NOW) == {}
    sent = ChannelResult(channel="telegram:duty", status="sent", detail="HTTP 200", attempts=1, at=NOW)
    retrying = ChannelResult(channel="email:ops", status="retrying", error="SMTP 421", attempts=1, at=NOW)
    assert store.record_channel_result(DLQ_NOTE, sent)
    assert store.record_channel_result(DLQ_NOTE, retrying)
    # When it is opened again (a redelivery, with other words), and a late try of the sent channel comes
    again = store.open_notification(
        DLQ_NOTE.model_copy(update={"title": "changed"}), NOW + timedelta(minutes=3)
    )
    late = store.record_channel_result(
        DLQ_NOTE, ChannelResult(channel="telegram:duty", status="retrying", attempts=2, at=NOW)
    )
    # Then it answers what each channel did, the sent one unchanged
    assert again == {"telegram:duty": sent, "email:ops": retrying}
    assert late is False
    # And the one entry is the first one, under its event, never under a ticket
    table = stack.table("TicketsTable")
    entry = stack.dynamodb.get_item(
        TableName=table,
        Key={"pk": {"S": "EVENT#dlq_not_empty"}, "sk": {"S": "NOTIFICATION#nt_dlq_1"}},
        ConsistentRead=True,
    )["Item"]
    assert entry["title"]["S"] == DLQ_NOTE.title
    assert "ticket_id" not in entry
    assert set(entry["channels"]["M"]) == {"telegram:duty", "email:ops"}
    none_ticket = stack.dynamodb.get_item(
        TableName=table, Key={"pk": {"S": "TICKET#None"}, "sk": {"S": "NOTIFICATION#nt_dlq_1"}}
    )
    assert "Item" not in none_ticket
    # And another notification of the same event is kept on its own
    assert store.open_notification(DLQ_NOTE.model_copy(update={"id": "nt_dlq_2"}), NOW) == {}
