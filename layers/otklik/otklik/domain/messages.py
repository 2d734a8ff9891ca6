"""The one place queue messages are built and read: each queue carries one pydantic model as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

from otklik.domain.marketplaces.models import ApprovedReply
from otklik.domain.models import FeedbackEnvelope, FeedbackKind, Frozen, Notification

M = TypeVar("M", bound=BaseModel)


class RouteMessage(Frozen):
    """RouteQueue: a stored feedback item is ready for the routing rules."""

    feedback_id: str


class NotifyMessage(Frozen):
    """NotifyQueue: a notification to deliver once to everyone its subscriptions name.

    `only` names the deliveries (recipient and channel keys) of a retry, or of a wait that is over
    (`released`); `attempt` counts the tries made of them.
    """

    notification: Notification
    only: tuple[str, ...] = ()
    attempt: int = Field(default=0, ge=0)
    released: bool = False


IngestMessage = FeedbackEnvelope


class FetchMessage(Frozen):
    """FetchQueue: a marketplace notification that carried ids only; fetch the feedback behind them."""

    connection: str
    kind: FeedbackKind
    ids: dict[str, str]
    notified_at: datetime


class RejectedReply(Frozen):
    """AnswerDLQ: a reply the marketplace refused for good, with the platform's own reason."""

    reply: ApprovedReply
    status: int
    reason: str
    rejected_at: datetime


# Characters SQS refuses in a message body (it takes #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and
# #x10000-#x10FFFF). JSON already escapes the control characters; these two it writes as they are.
_SQS_REFUSED = {"\ufffe": "\\ufffe", "\uffff": "\\uffff"}


def encode(message: BaseModel) -> str:
    """The message as JSON that every SQS queue takes: characters SQS refuses are written as escapes,
    which decode reads back to the same text."""
    body = message.model_dump_json(exclude_none=True)
    for character, escape in _SQS_REFUSED.items():
        body = body.replace(character, escape)
    return body


class MalformedMessage(ValueError):
    """A queue body that is not the model its queue carries. Says where, never what: bodies hold
    customer text, and this error ends up in the logs."""


def decode(model: type[M], body: str) -> M:
    """Parse a queue body; a malformed one raises MalformedMessage (the record fails alone)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['type']}"
            for e in error.errors(include_url=False)
        )
        raise MalformedMessage(f"not a {model.__name__}: {problems}") from None
