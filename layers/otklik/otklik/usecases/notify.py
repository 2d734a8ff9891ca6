"""send_notifications: deliver a notification to every configured channel, the outbox recording each try."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from otklik.domain.models import ChannelResult, DeliveredNotification, Notification
from otklik.ports import Channel, ChannelUnavailable, Outbox


class NotificationIncomplete(Exception):
    """Some channels may take the notification later: it is delivered again (SQS), to them only."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("retrying " + ", ".join(f"{name} ({error})" for name, error in errors.items()))
        self.errors = errors  # channel name -> its error in a word (ChannelUnavailable.cause)


def deliver_notification(
    notification: Notification, channels: Sequence[Channel], outbox: Outbox, now: datetime
) -> DeliveredNotification:
    """The outbox entry first, then each channel that has not settled, each outcome kept as it happens.

    The entry is written before any channel is tried, so a notification that ends in the dead-letter
    queue still shows what was tried and why. A channel the outbox has as settled (sent, refused for
    good, or sent without an answer) is not tried again, so a redelivery after a partial success
    posts only to the channels that may heal. Those are tried, every one, before this raises
    NotificationIncomplete so that SQS delivers the notification again.
    """
    earlier = outbox.open_notification(notification, now)
    results: list[ChannelResult] = []
    retrying: dict[str, str] = {}
    first_error: ChannelUnavailable | None = None
    for channel in channels:
        before = earlier.get(channel.name)
        if before is not None and before.settled:
            results.append(before)
            continue
        try:
            outcome = channel.deliver(notification)
        except ChannelUnavailable as error:
            outcome = ChannelResult(
                channel=channel.name, status="retrying", detail=str(error)[:300], error=error.cause
            )
            retrying[channel.name] = error.cause
            first_error = first_error or error
        attempts = (before.attempts or 1) + 1 if before is not None else 1
        result = ChannelResult.model_validate(
            {**outcome.model_dump(), "channel": channel.name, "attempts": attempts, "at": now}
        )
        outbox.record_channel_result(notification, result)
        results.append(result)
    if retrying:
        raise NotificationIncomplete(retrying) from first_error
    results.append(ChannelResult(channel="outbox", status="stored"))
    return DeliveredNotification(notification=notification, results=tuple(results))
