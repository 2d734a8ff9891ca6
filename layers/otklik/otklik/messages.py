"""The one place queue messages are built and read: each queue carries one pydantic model as JSON."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from otklik.models import FeedbackEnvelope, Frozen, Notification

M = TypeVar("M", bound=BaseModel)


class RouteMessage(Frozen):
    """RouteQueue: a stored feedback item is ready for the routing rules."""

    feedback_id: str


class NotifyMessage(Frozen):
    """NotifyQueue: a notification to deliver once to every configured channel."""

    notification: Notification


IngestMessage = FeedbackEnvelope


def encode(message: BaseModel) -> str:
    return message.model_dump_json(exclude_none=True)


def decode(model: type[M], body: str) -> M:
    """Parse a queue body; a malformed one raises pydantic.ValidationError (the record fails alone)."""
    return model.model_validate_json(body)
