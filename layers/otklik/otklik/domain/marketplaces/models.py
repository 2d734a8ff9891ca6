"""What every marketplace shares: connections, poll pages, cursors, pushes, replies read back, errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from otklik.domain.models import AfterReply, FeedbackEnvelope, FeedbackKind, Frozen

Marketplace = Literal["wildberries", "ozon", "yandex_market"]


class Connection(Frozen):
    """One seller account on one marketplace. Its name is the feedback's `account`."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    marketplace: Marketplace
    enabled: bool = True
    poll_interval_minutes: int = Field(default=5, ge=1, le=1440)
    # credential name -> SSM parameter name holding it: wildberries {"token"}, ozon {"client_id",
    # "api_key"}, yandex_market {"api_key"}.
    credentials: dict[str, str] = Field(default_factory=dict)
    # SSM parameter holding the secret token of this connection's push URL (ozon, yandex_market).
    push_token_parameter: str | None = None
    # Source addresses (CIDR) a push may come from; empty means any.
    allowed_ips: tuple[str, ...] = ()
    # Marketplace-specific settings, e.g. yandex_market {"business_id": "123"}.
    settings: dict[str, str] = Field(default_factory=dict)


class MalformedItem(Exception):
    """One item of a page cannot be mapped: it is reported and skipped, the rest of the page goes on."""


class TransientError(Exception):
    """The platform may succeed later (5xx, network, rate limit after backoff): retry the message."""


class PermanentRejection(Exception):
    """The platform refused for good (a 4xx other than rate limiting): the message goes to the DLQ."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status}: {reason}")
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class PollPage:
    """One page of a poll: what was mapped, what was skipped and why, where to resume."""

    envelopes: list[FeedbackEnvelope]
    malformed: list[tuple[str, str]]  # (item id or position, reason)
    cursor: dict[str, Any]  # the stream's cursor after this page; stored per connection and stream
    more: bool  # another page is waiting now


@dataclass(frozen=True)
class FetchJob:
    """A push that carried ids only (Yandex Market): fetch the text, then ingest it."""

    connection: str
    kind: FeedbackKind
    ids: dict[str, str]  # e.g. {"feedback_id": "..."} or {"chat_id": "...", "message_id": "..."}
    notified_at: datetime


@dataclass(frozen=True)
class PushResult:
    """How to answer a push and what it brought: feedback to ingest now, or ids to fetch."""

    status: int
    body: dict[str, Any]
    envelopes: list[FeedbackEnvelope] = field(default_factory=list)
    fetch_jobs: list[FetchJob] = field(default_factory=list)


class ApprovedReply(Frozen):
    """A reply an operator approved on a ticket: AnswerQueue's message to publish_answers."""

    reply_id: str
    ticket_id: str
    feedback_id: str
    marketplace: Marketplace
    connection: str
    kind: FeedbackKind
    external_id: str
    reply_context: dict[str, str] = Field(default_factory=dict)
    text: str = Field(min_length=1)
    approved_by: str
    approved_at: datetime
    # Where the ticket goes once this reply is published, as the approver said (None: as its rules or
    # tickets.after_reply say), and the root cause a resolution records.
    after_reply: AfterReply | None = None
    root_cause: str | None = None
    # The product whose recent replies it must not repeat (otklik.domain.replies.recent.product_key).
    product: str | None = None
    # Approved by an auto-reply policy (replies.auto_reply) rather than a person; on_ticket False: the item
    # has no ticket, and the reply is kept in the outbox of automatic replies instead.
    auto_rule: str | None = None
    on_ticket: bool = True
    # A correction of a reply the platform showed and then refused: published by the platform's rules for
    # changing a reply (Connector.replace), over the previous one's platform id.
    replaces: bool = False
    previous_answer_id: str | None = None


@dataclass(frozen=True)
class PublishedReply:
    """A reply the platform took: what was sent, and the platform's own id for it when it gives one."""

    marketplace: str
    external_id: str
    text: str  # as sent (after the platform's limits)
    platform_answer_id: str | None = None


ReplyVisibility = Literal["published", "pending", "rejected", "missing"]


@dataclass(frozen=True)
class ReplyReadBack:
    """What the platform shows of a reply we published, read back on a later poll."""

    # published: shown to buyers; pending: under the platform's moderation; rejected: refused or
    # banned by its moderation; missing: not shown at all (WB accepts an answer to an unknown review
    # id silently; a deleted comment)
    state: ReplyVisibility
    # the platform's words where it gives them, else ours, e.g. "Wildberries answer.state rejected"
    reason: str | None = None
    text: str | None = None  # the reply text as the platform shows it
    platform_answer_id: str | None = None
    can_edit: bool | None = None  # WB answer.editable, YM canModify; None where the platform does not say


@dataclass(frozen=True)
class StoredCursor:
    """A stream's cursor as stored, with the version that makes its next save conditional."""

    cursor: dict[str, Any]
    version: int  # 0 when nothing is stored yet


def reply_entry_id(entry: Mapping[str, Any]) -> str | None:
    """An entry's own id (a string or an integer) as a string, None when it has none."""
    value = entry.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        return None
    return str(value).strip()


def find_reply(
    entries: Sequence[Any],
    answer_id: str | None,
    text: str | None,
    ours: Callable[[Mapping[str, Any]], bool],
) -> Mapping[str, Any] | None:
    """Our reply among a platform's list of comments or answers: the entry whose id is answer_id, else
    the latest entry `ours` accepts whose text is `text` (any text when None). Non-objects are passed over."""
    objects = [entry for entry in entries if isinstance(entry, dict)]
    if answer_id is not None:
        for entry in objects:
            if reply_entry_id(entry) == answer_id:
                return entry
    wanted = text.strip() if text is not None else None
    for entry in reversed(objects):
        shown = entry.get("text")
        if ours(entry) and isinstance(shown, str) and (wanted is None or shown.strip() == wanted):
            return entry
    return None
