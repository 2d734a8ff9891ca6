"""Who gets a notification, on which channel, when: pure decisions over the configuration document.

targets() reads the subscriptions (and the names an escalation or a rule tells); quiet_until() the
recipient's quiet hours; retry_delay() the wait before a channel is tried again; delivery() the message
one recipient reads on one channel (with a report's charts); digest_texts() the one message that stands
for events past a cap.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from otklik.domain.models import Delivery, DeliveryImage, Notification
from otklik.domain.notifications import NotificationTexts, render_for, ticket_link, urgent
from otklik.domain.notify.settings import ADDRESSED_TYPES, EventFilter, QuietHours, Recipient, Subscription
from otklik.domain.templates import render

if TYPE_CHECKING:
    from otklik.domain.config import Config

# A channel is tried this many times in all; then the outbox records it failed for good.
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
# A report's charts a delivery carries at most: an e-mail fetches and attaches each one.
MAX_IMAGES = 8
MAX_IMAGE_TITLE_CHARS = 200
MAX_IMAGE_NAME_CHARS = 100
# http(s) with a host and no whitespace: what a channel may fetch or show as a link.
_WEB_URL = re.compile(r"https?://[^\s/?#]+[^\s]*\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """One recipient on one channel (recipient None: the channel is the destination itself)."""

    channel: str
    channel_type: str
    recipient: Recipient | None = None
    address: str | None = None

    @property
    def key(self) -> str:
        """What the outbox keeps this delivery's outcome under: `telegram:duty`, or `crm` for a webhook."""
        return self.channel if self.recipient is None else f"{self.channel}:{self.recipient.name}"


def _matches(when: EventFilter, note: Notification) -> bool:
    ticket = note.ticket or {}
    checks: list[tuple[tuple[Any, ...], Any]] = [
        (when.teams, ticket.get("team")),
        (when.priorities, ticket.get("priority")),
        (when.sources, ticket.get("source")),
        (when.kinds, ticket.get("kind")),
    ]
    if any(wanted and value not in wanted for wanted, value in checks):
        return False
    if when.topics and not set(when.topics) & set(ticket.get("topics") or ()):
        return False
    return not (
        when.escalation_levels and note.event == "sla_escalated" and note.level not in when.escalation_levels
    )


def _of_subscription(subscription: Subscription, config: Config, channels: Mapping[str, str]) -> list[Target]:
    recipients = {recipient.name: recipient for recipient in config.recipients}
    found: list[Target] = []
    for name in subscription.recipients:
        recipient = recipients.get(name)
        if recipient is None:
            continue
        wanted = subscription.channels or tuple(recipient.addresses)
        for channel in wanted:
            kind = channels.get(channel)
            if kind in ADDRESSED_TYPES and channel in recipient.addresses:
                found.append(Target(channel, kind, recipient, recipient.addresses[channel]))
    for channel in subscription.channels:
        kind = channels.get(channel)
        if kind is not None and kind not in ADDRESSED_TYPES:
            found.append(Target(channel, kind))
    return found


def _of_recipient(recipient: Recipient, channels: Mapping[str, str]) -> list[Target]:
    return [
        Target(channel, channels[channel], recipient, address)
        for channel, address in recipient.addresses.items()
        if channels.get(channel) in ADDRESSED_TYPES
    ]


def named(note: Notification) -> tuple[str, ...]:
    """Whom the event itself names: an escalation step's `notify`, a new ticket's rule `notify` list."""
    names: list[str] = [note.to] if note.to else []
    if note.event == "ticket_opened":
        names.extend((note.ticket or {}).get("notify") or ())
    return tuple(dict.fromkeys(names))


def targets(note: Notification, config: Config) -> list[Target]:
    """Every (recipient, channel) the notification goes to, once each, in the document's order.

    Without subscriptions, as before there were any: every Slack-style and signed webhook channel. SMS
    carries urgent events only.
    """
    channels = {channel.name: channel.type for channel in config.enabled_channels()}
    found: list[Target] = []
    if not config.subscriptions:
        found = [Target(name, kind) for name, kind in channels.items() if kind not in ADDRESSED_TYPES]
    for subscription in config.subscriptions:
        if note.event in subscription.events and _matches(subscription.when, note):
            found.extend(_of_subscription(subscription, config, channels))
    recipients = {recipient.name: recipient for recipient in config.recipients}
    subscriptions = {subscription.name: subscription for subscription in config.subscriptions}
    for name in named(note):
        if name in recipients:
            found.extend(_of_recipient(recipients[name], channels))
        elif name in subscriptions:
            found.extend(_of_subscription(subscriptions[name], config, channels))
    is_urgent = urgent(note, config.notifications.urgent)
    unique: dict[str, Target] = {}
    for target in found:
        if target.channel_type == "sms" and not is_urgent:
            continue
        unique.setdefault(target.key, target)
    return list(unique.values())


def quiet_until(now: datetime, quiet: QuietHours | None, zone: tzinfo) -> datetime | None:
    """The end of the quiet period `now` falls in (UTC), or None when it is not quiet now."""
    if quiet is None:
        return None
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= moment < quiet.end
        ends_on = local.date()
    else:
        inside = moment >= quiet.start or moment < quiet.end
        ends_on = local.date() if moment < quiet.end else local.date() + timedelta(days=1)
    if not inside:
        return None
    return _local(ends_on, quiet.end, zone).astimezone(UTC)


def _local(day: Any, at: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def retry_delay(attempt: int, key: str, asked: float | None = None) -> float:
    """Seconds before try `attempt + 1` of a delivery: doubling from 30 s up to an hour, with jitter (half
    to all of it, fixed by the key and the attempt, so it is the same when computed again), never sooner
    than the channel asked (Telegram's retry_after)."""
    ceiling = min(FIRST_RETRY_SECONDS * 2 ** max(attempt - 1, 0), MAX_RETRY_SECONDS)
    share = int.from_bytes(hashlib.sha256(f"{key}#{attempt}".encode()).digest()[:2], "big") / 65535
    return max(ceiling * (0.5 + share / 2), asked or 0.0)


def delivery(
    note: Notification, target: Target, texts: NotificationTexts, base_url: str, is_urgent: bool
) -> Delivery:
    """The message one reader gets: in the recipient's language and zone, with the ticket's link, and a
    report's main chart (photo_url) and charts (images)."""
    language = target.recipient.language if target.recipient is not None else "ru"
    zone = target.recipient.zone() if target.recipient is not None else UTC
    link = ticket_link(texts, base_url, note)
    title, text = render_for(note, texts, language, zone, link or "")
    photo_url, images = _pictures(note)
    return Delivery(
        id=f"{note.id}:{target.key}",
        notification_id=note.id,
        event=note.event,
        channel=target.channel,
        recipient=target.recipient.name if target.recipient is not None else None,
        address=target.address,
        language=language,
        title=title,
        text=text,
        link=link,
        link_label=texts.language(language).link_label,
        urgent=is_urgent,
        photo_url=photo_url,
        images=images,
        data=_data(note),
    )


def _is_web_url(value: Any) -> bool:
    return isinstance(value, str) and _WEB_URL.match(value) is not None


def _pictures(note: Notification) -> tuple[str | None, tuple[DeliveryImage, ...]]:
    """A report's main chart and its charts (details.report.photo and .charts), each an http(s) URL; what
    is not (a missing or foreign scheme, an entry that is no object) is left out."""
    report = (note.details or {}).get("report")
    if not isinstance(report, dict):
        return None, ()
    photo = report.get("photo")
    charts = report.get("charts")
    images: list[DeliveryImage] = []
    for chart in charts if isinstance(charts, list | tuple) else ():
        if len(images) == MAX_IMAGES:
            break
        if not isinstance(chart, dict) or not _is_web_url(chart.get("url")):
            continue
        name, title = chart.get("name"), chart.get("title")
        if not isinstance(name, str) or not name.strip():
            name = f"chart-{len(images) + 1}.png"
        images.append(
            DeliveryImage(
                name=name.strip()[:MAX_IMAGE_NAME_CHARS],
                title=title.strip()[:MAX_IMAGE_TITLE_CHARS] if isinstance(title, str) else "",
                url=chart["url"],
            )
        )
    return (photo if _is_web_url(photo) else None), tuple(images)


def _data(note: Notification) -> dict[str, Any]:
    """The machine-readable facts of a signed webhook's JSON: never the customer's text beyond the masked
    excerpt the ticket carries."""
    ticket = note.ticket or {}
    return {
        "ticket_id": note.ticket_id,
        "event": note.event,
        "created_at": note.created_at.isoformat(),
        "target": note.target,
        "level": note.level,
        "reason": note.reason or None,
        "ticket": ticket or None,
        **({"details": note.details} if note.details else {}),
    }


def plural(count: int, forms: tuple[str, str, str], language: str) -> str:
    """`12 новых тикетов`: the form of a count (Russian: 1, 2-4, 5+; English: 1, more)."""
    if language == "en":
        return f"{count} {forms[0] if count == 1 else forms[1]}"
    tens, units = count % 100, count % 10
    form = (
        forms[2]
        if 11 <= tens <= 14
        else forms[0]
        if units == 1
        else forms[1]
        if 2 <= units <= 4
        else forms[2]
    )
    return f"{count} {form}"


@dataclass(frozen=True)
class DigestCounts:
    """What a digest stands for: how many notifications, of which events, about which topics."""

    events: dict[str, int]
    topics: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.events.values())


def digest_texts(
    counts: DigestCounts, minutes: int, texts: NotificationTexts, language: str
) -> tuple[str, str]:
    """'12 новых тикетов за час', then a line per event and the topics, most first."""
    chosen = texts.language(language)
    names = chosen.event_names
    other = names.get("other") or ("", "", "")
    ordered = sorted(counts.events.items(), key=lambda pair: (-pair[1], pair[0]))
    lines = [plural(n, names.get(event, other), language) for event, n in ordered]
    only = ordered[0][0] if len(ordered) == 1 else "other"
    summary = plural(counts.count, names.get(only, other), language)
    period = chosen.hour if minutes == 60 else chosen.minutes.format(n=minutes)
    topics = [
        f"{topic} {n}" for topic, n in sorted(counts.topics.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
    context = {"summary": summary, "period": period, "lines": lines, "topics": topics, "count": counts.count}
    return render(chosen.digest.title, context), render(chosen.digest.text, context).strip()
