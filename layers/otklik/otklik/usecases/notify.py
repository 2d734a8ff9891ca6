"""send_notifications: each notification to everyone its subscriptions name, on their channels, when they
want it; the outbox records every try.

For each (recipient, channel) the subscriptions give (otklik.domain.notify.plan.targets), in order:
- settled in the outbox already (sent, failed for good, unconfirmed, digested): nothing more;
- the recipient's quiet hours, for a non-urgent event: held until they end (`deferred`), never dropped;
- the recipient's rate cap on the channel, for a non-urgent event past it: counted in the window's digest
  (`digested`), told once at the window's end (release());
- else delivered. A channel that may heal (ChannelUnavailable) is tried again after a backoff with jitter,
  never sooner than it asked (Telegram's retry_after): by a delayed queue message up to 15 minutes, by a
  wait beyond; after MAX_ATTEMPTS tries it is recorded failed.

Exactly once per (notification, delivery) where the channel allows it: the outbox entry is settled once
sent, and a delivery that is settled is never sent again. Where the channel cannot tell (a request sent with
no answer), Telegram, e-mail, SMS and Slack record `unconfirmed` and are not sent again (at most once); the
signed webhook sends again with the same X-Otklik-Delivery for the receiver to deduplicate (at least once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from otklik.domain.messages import NotifyMessage
from otklik.domain.models import ChannelResult, DeliveredNotification, Delivery, Notification
from otklik.domain.notifications import event_notification, urgent
from otklik.domain.notify.plan import (
    MAX_ATTEMPTS,
    Target,
    delivery,
    digest_texts,
    quiet_until,
    retry_delay,
    targets,
)
from otklik.ports import ChannelUnavailable

if TYPE_CHECKING:
    from otklik.domain.config import Config
    from otklik.ports import Channel, DelayedPublisher, DigestDue, NotifyWaits, Outbox, QueueDepths

# SQS holds a message back at most this long; a longer wait is a NotifyWaits entry the schedule releases.
MAX_QUEUE_DELAY_SECONDS = 900


@dataclass
class NotifyParts:
    """What delivering needs beyond the notification: the document, the channels by name (built when first
    used), the outbox, the waits, the queue for retries and the API's base URL for links."""

    config: Config
    channels: Mapping[str, Callable[[], Channel]]
    outbox: Outbox
    waits: NotifyWaits
    retries: DelayedPublisher
    base_url: str = ""
    _built: dict[str, Channel] = field(default_factory=dict)

    def channel(self, name: str) -> Channel | None:
        if name not in self._built:
            build = self.channels.get(name)
            if build is None:
                return None
            self._built[name] = build()
        return self._built[name]


def _result(
    key: str, status: str, now: datetime, attempts: int | None = None, **rest: str | None
) -> ChannelResult:
    return ChannelResult.model_validate(
        {
            "channel": key,
            "status": status,
            "at": now,
            "attempts": attempts,
            **{k: v for k, v in rest.items() if v},
        }
    )


def deliver_notification(message: NotifyMessage, parts: NotifyParts, now: datetime) -> DeliveredNotification:
    """Every delivery of the notification that is not settled: held, digested, sent, or set to retry."""
    note = message.notification
    earlier = parts.outbox.open_notification(note, now)
    is_urgent = urgent(note, parts.config.notifications.urgent)
    results: list[ChannelResult] = []
    for target in targets(note, parts.config):
        if message.only and target.key not in message.only:
            continue
        before = earlier.get(target.key)
        if before is not None and before.settled and before.status != "deferred":
            results.append(before)
            continue
        if before is not None and before.status in ("deferred", "retrying") and not message.only:
            results.append(before)  # a redelivery of the first message: its wait or retry stands
            continue
        result = _deliver_one(note, target, message, parts, now, is_urgent, before)
        parts.outbox.record_channel_result(note, result)
        results.append(result)
    results.append(ChannelResult(channel="outbox", status="stored"))
    return DeliveredNotification(notification=note, results=tuple(results))


def _deliver_one(
    note: Notification,
    target: Target,
    message: NotifyMessage,
    parts: NotifyParts,
    now: datetime,
    is_urgent: bool,
    before: ChannelResult | None,
) -> ChannelResult:
    recipient = target.recipient
    first_try = before is None or before.status == "deferred"
    if recipient is not None and not is_urgent and not message.released and first_try:
        until = quiet_until(now, recipient.quiet_hours, recipient.zone())
        if until is not None:
            parts.waits.wait(note, target.key, until, 0, "quiet")
            return _result(target.key, "deferred", now, detail=f"quiet hours until {until.isoformat()}")
    if recipient is not None and recipient.rate_cap is not None and first_try:
        cap = recipient.rate_cap
        window = parts.waits.take(recipient.name, target.channel, cap.messages, cap.minutes, now)
        if window is not None and not is_urgent:
            parts.waits.add_to_digest(recipient.name, target.channel, window, cap.minutes, note)
            due = window + timedelta(minutes=cap.minutes)
            return _result(
                target.key, "digested", now, detail=f"past the cap: in the digest at {due.isoformat()}"
            )
    attempt = message.attempt + 1
    try:
        channel = parts.channel(target.channel)
        if channel is None:
            return _result(
                target.key, "failed", now, attempt, error="unknown channel", detail="not configured"
            )
        outcome = channel.deliver(
            delivery(note, target, parts.config.notifications, parts.base_url, is_urgent)
        )
    except ChannelUnavailable as error:
        return _retry(note, target.key, attempt, error, parts, now)
    return ChannelResult.model_validate(
        {**outcome.model_dump(), "channel": target.key, "attempts": attempt, "at": now}
    )


def _retry(
    note: Notification, key: str, attempt: int, error: ChannelUnavailable, parts: NotifyParts, now: datetime
) -> ChannelResult:
    detail = str(error)[:300]
    if attempt >= MAX_ATTEMPTS:
        return _result(
            key, "failed", now, attempt, error=error.cause, detail=f"gave up after {attempt} tries: {detail}"
        )
    wait = retry_delay(attempt, key, error.retry_after)
    if wait <= MAX_QUEUE_DELAY_SECONDS:
        parts.retries.send(
            NotifyMessage(notification=note, only=(key,), attempt=attempt), delay_seconds=int(wait + 0.999)
        )
    else:
        parts.waits.wait(note, key, now + timedelta(seconds=wait), attempt, "retry")
    return _result(
        key, "retrying", now, attempt, error=error.cause, detail=f"again in {wait:.0f} s: {detail}"
    )


# ---------------------------------------------------------------- the schedule's pass


@dataclass(frozen=True)
class Released:
    waits: int  # deliveries whose wait was over, queued again
    digests: list[ChannelResult]
    dead_letters: list[str] = field(default_factory=list)  # queues found holding messages anew, told


def watch_dead_letters(depths: QueueDepths, parts: NotifyParts, now: datetime) -> list[str]:
    """A dead-letter queue that starts holding messages is told once (dlq_not_empty, urgent), until it is
    emptied; the next message after that is a new episode, told again."""
    told: list[str] = []
    for queue, messages in depths.depths().items():
        if messages == 0:
            parts.waits.close_episode(queue)
            continue
        if not parts.waits.open_episode(queue, now):
            continue
        details = {"queue": {"name": queue, "messages": messages}}
        note = event_notification(
            "dlq_not_empty", f"{queue}@{now.isoformat()}", details, now, parts.config.notifications
        )
        parts.retries.send(NotifyMessage(notification=note))
        told.append(queue)
    return told


def release(
    parts: NotifyParts, now: datetime, limit: int = 200, dead_letters: QueueDepths | None = None
) -> Released:
    """What waited and is due: each held delivery queued again (once: taken off the index as it goes), and
    each digest whose window is over told to its recipient's channel."""
    queued = 0
    for waiting in parts.waits.waiting(now, limit):
        if not parts.waits.released(waiting):
            continue  # waited again since it was read
        parts.retries.send(
            NotifyMessage(
                notification=waiting.notification, only=(waiting.key,), attempt=waiting.attempt, released=True
            )
        )
        queued += 1
    told = [_tell_digest(digest, parts, now) for digest in parts.waits.digests_due(now, limit)]
    queues = watch_dead_letters(dead_letters, parts, now) if dead_letters is not None else []
    return Released(waits=queued, digests=told, dead_letters=queues)


def _tell_digest(digest: DigestDue, parts: NotifyParts, now: datetime) -> ChannelResult:
    key = f"{digest.channel}:{digest.recipient}"
    recipient = next((r for r in parts.config.recipients if r.name == digest.recipient), None)
    address = recipient.addresses.get(digest.channel) if recipient is not None else None
    attempt = digest.attempts + 1
    if recipient is None or address is None or digest.channel not in parts.channels:
        result = _result(
            key, "failed", now, attempt, error="not configured", detail="the recipient or channel is gone"
        )
        parts.waits.digest_tried(digest, result.model_dump(mode="json"), None)
        return result
    until = quiet_until(now, recipient.quiet_hours, recipient.zone())
    if until is not None:  # a digest is not urgent: it waits for the end of the recipient's quiet hours
        parts.waits.postpone_digest(digest, until)
        return _result(
            key, "deferred", now, digest.attempts or None, detail=f"quiet hours until {until.isoformat()}"
        )
    texts = parts.config.notifications
    title, text = digest_texts(digest.counts, digest.minutes, texts, recipient.language)
    message = Delivery(
        id=f"digest:{digest.id}",
        notification_id=f"digest:{digest.id}",
        event="digest",
        channel=digest.channel,
        recipient=recipient.name,
        address=address,
        language=recipient.language,
        title=title,
        text=text,
        data={"events": digest.counts.events, "topics": digest.counts.topics, "minutes": digest.minutes},
    )
    retry_at: datetime | None = None
    try:
        channel = parts.channel(digest.channel)
        if channel is None:
            raise ChannelUnavailable("the channel is not configured", "not configured")
        outcome = channel.deliver(message)
        result = ChannelResult.model_validate(
            {**outcome.model_dump(), "channel": key, "attempts": attempt, "at": now}
        )
    except ChannelUnavailable as error:
        if attempt >= MAX_ATTEMPTS:
            result = _result(
                key, "failed", now, attempt, error=error.cause, detail=f"gave up after {attempt} tries"
            )
        else:
            retry_at = now + timedelta(seconds=retry_delay(attempt, key, error.retry_after))
            result = _result(key, "retrying", now, attempt, error=error.cause, detail=str(error)[:300])
    parts.waits.digest_tried(digest, result.model_dump(mode="json"), retry_at)
    return result
