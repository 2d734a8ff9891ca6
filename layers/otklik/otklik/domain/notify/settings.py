"""Who is told what, where and when: the configuration document's channels, recipients and subscriptions.

A channel is a way of telling (a Telegram bot, an e-mail sender, SMS, a Slack-style or signed webhook). A
recipient is someone who reads: a person or a group chat, with an address on each channel it is reached on,
its own time zone and language, quiet hours and a rate cap. A subscription says which events, matching
which tickets, go to which recipients on which channels. Secrets (bot tokens, webhook URLs and signing
secrets) are SSM parameters the document names; addresses are the staff's own, kept in the document.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from otklik.domain.models import NOTIFICATION_EVENTS, Frozen, NotificationEvent, Priority

NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
PARAMETER = Field(
    min_length=1,
    max_length=2048,
    description="An SSM parameter name; a relative one is under /otklik/<Stage>/",
)


class SlackWebhook(Frozen):
    """A Slack-compatible incoming webhook; its URL is a secret, so the document names its parameter."""

    type: Literal["slack_webhook"]
    name: str = Field(pattern=NAME)
    url_parameter: str = PARAMETER
    enabled: bool = True


class TelegramBot(Frozen):
    """A Telegram bot (Bot API sendMessage with HTML, a button that opens the ticket). Recipients give their
    chat id (a person's, or a group's, negative) under `addresses.<this channel's name>`."""

    type: Literal["telegram"]
    name: str = Field(pattern=NAME)
    bot_token_parameter: str = PARAMETER
    enabled: bool = True


class EmailSender(Frozen):
    """E-mail through Amazon SES, with HTML and plain-text parts, from a verified sender identity."""

    type: Literal["email"]
    name: str = Field(pattern=NAME)
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    reply_to: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    enabled: bool = True


class Sms(Frozen):
    """SMS through Amazon SNS: short, and only for urgent events (a breach among them)."""

    type: Literal["sms"]
    name: str = Field(pattern=NAME)
    sender_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,11}$")
    enabled: bool = True


class SignedWebhook(Frozen):
    """A seller's CRM: JSON POSTed with X-Otklik-Signature (HMAC over timestamp and body, like our incoming
    webhooks) and X-Otklik-Delivery, which a receiver deduplicates on (at-least-once)."""

    type: Literal["webhook"]
    name: str = Field(pattern=NAME)
    url_parameter: str = PARAMETER
    secret_parameter: str = PARAMETER
    enabled: bool = True


ChannelConfig = Annotated[
    SlackWebhook | TelegramBot | EmailSender | Sms | SignedWebhook, Field(discriminator="type")
]
CHANNEL_TYPES = frozenset({"slack_webhook", "telegram", "email", "sms", "webhook"})
# Channels that reach whoever holds an address on them; the others are a destination of their own.
ADDRESSED_TYPES = frozenset({"telegram", "email", "sms"})
ADDRESS_PATTERNS = {
    "telegram": r"^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$",
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "sms": r"^\+[1-9][0-9]{6,14}$",
}


class QuietHours(Frozen):
    """When a recipient is not to be disturbed, in its own time zone: from `start` to `end` (across midnight
    when end is earlier). Non-urgent events wait until the end; urgent ones go through."""

    start: time
    end: time

    @field_validator("end")
    @classmethod
    def _not_empty(cls, value: time, info: object) -> time:
        data = getattr(info, "data", {})
        if data.get("start") == value:
            raise ValueError("quiet hours that start when they end are empty; leave quiet_hours out")
        return value


class RateCap(Frozen):
    """At most `messages` per channel in `minutes` from the first of them; past it, events wait for one
    digest at the end of that window. Urgent events always go through (and count)."""

    messages: int = Field(ge=1, le=1000)
    minutes: int = Field(default=60, ge=1, le=1440)


class Recipient(Frozen):
    name: str = Field(pattern=NAME)
    timezone: str = "Europe/Moscow"
    language: Literal["ru", "en"] = "ru"
    # channel name -> the chat id, e-mail address or phone number (E.164) there.
    addresses: dict[str, Annotated[str, Field(min_length=1, max_length=320)]] = Field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    rate_cap: RateCap | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name like Europe/Moscow)") from None
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class EventFilter(Frozen):
    """Which tickets' events a subscription takes; a list left out (or empty) takes any."""

    teams: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()
    topics: tuple[str, ...] = Field(default=(), description="any of them among the ticket's topics")
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    # For sla_escalated: the escalation steps (1 = the first) whose events this takes.
    escalation_levels: tuple[Annotated[int, Field(ge=1, le=20)], ...] = ()


class Subscription(Frozen):
    name: str = Field(pattern=NAME)
    events: tuple[NotificationEvent, ...] = Field(min_length=1)
    recipients: tuple[str, ...] = ()
    # Left out: every channel each recipient has an address on. A Slack-style or signed webhook channel
    # listed here is told itself (it needs no recipient).
    channels: tuple[str, ...] = ()
    when: EventFilter = EventFilter()


class UrgentEvents(Frozen):
    """What goes through quiet hours and rate caps, and what SMS carries."""

    events: tuple[NotificationEvent, ...] = ("sla_breached", "sla_escalated", "dlq_not_empty")
    priorities: tuple[Priority, ...] = ("urgent",)


def reference_problems(document: dict[str, object]) -> list[str]:
    """Channels, recipients and subscriptions that name what the document does not define."""
    problems: list[str] = []
    channels = _named(document.get("channels"))
    recipients = _named(document.get("recipients"))
    types = {name: entry.get("type") for name, entry in channels.items()}
    for entry in recipients.values():
        index = entry["__index"]
        addresses = entry.get("addresses")
        for channel, address in (addresses if isinstance(addresses, dict) else {}).items():
            where = f"recipients[{index}].addresses.{channel}"
            kind = types.get(channel)
            if channel not in types:
                problems.append(f"{where}: unknown channel {channel!r}; channels are {_listing(types)}")
            elif kind not in ADDRESSED_TYPES:
                problems.append(f"{where}: a {kind} channel has no addresses (it is a destination itself)")
            elif isinstance(address, str) and not _matches(ADDRESS_PATTERNS[str(kind)], address):
                problems.append(f"{where}: not a {kind} address")
    for index, subscription in enumerate(_entries(document.get("subscriptions"))):
        for field, known in (("recipients", recipients), ("channels", types)):
            names = subscription.get(field)
            for position, name in enumerate(names if isinstance(names, list | tuple) else []):
                if isinstance(name, str) and name not in known:
                    problems.append(
                        f"subscriptions[{index}].{field}[{position}]: unknown {field[:-1]} {name!r}; "
                        f"{field} are {_listing(known)}"
                    )
        listed = subscription.get("channels")
        if not subscription.get("recipients") and not any(
            isinstance(name, str) and name in types and types.get(name) not in ADDRESSED_TYPES
            for name in (listed if isinstance(listed, list | tuple) else ())
        ):
            problems.append(
                f"subscriptions[{index}]: tells no one: name recipients, or a webhook channel in channels"
            )
    return problems


def _entries(value: object) -> list[dict[str, object]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list | tuple) else []


def _named(value: object) -> dict[str, dict[str, object]]:
    named: dict[str, dict[str, object]] = {}
    for index, entry in enumerate(value if isinstance(value, list | tuple) else []):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            named.setdefault(str(entry["name"]), {**entry, "__index": index})
    return named


def _listing(names: object) -> str:
    listed = ", ".join(sorted(names)) if isinstance(names, dict) else ""
    return listed or "none"


def _matches(pattern: str, value: str) -> bool:
    import re

    return re.fullmatch(pattern, value) is not None


ALL_EVENTS = NOTIFICATION_EVENTS
