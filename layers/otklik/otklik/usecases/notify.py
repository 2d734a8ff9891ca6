"""send_notifications: deliver a notification to every configured channel and keep it in the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from otklik.domain.models import ChannelResult, DeliveredNotification, Notification
from otklik.ports import Channel, Outbox


def deliver_notification(
    notification: Notification, channels: Sequence[Channel], outbox: Outbox
) -> DeliveredNotification:
    """Each channel once, then the outbox record; a transient channel error raises so SQS retries.

    Exactly-once delivery per notification id is the caller's idempotency guard (Powertools
    idempotency on the notification id); the outbox write is conditional as a second guard.
    """
    results = [channel.deliver(notification) for channel in channels]
    results.append(ChannelResult(channel="outbox", status="stored"))
    delivered = DeliveredNotification(notification=notification, results=tuple(results))
    outbox.record_notification(delivered)
    return delivered
