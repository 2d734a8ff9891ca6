"""Own-channel webhooks: verify, validate, and enqueue one feedback item, answering only once it is queued."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from otklik.domain.errors import InvalidRequest, NotAuthenticated, NotFound, TooLarge, field_errors
from otklik.domain.ids import feedback_id
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.domain.models import FeedbackEnvelope, OwnChannelFeedback, created_at_problem
from otklik.domain.signature import SIGNATURE_HEADER, SignatureError, verify
from otklik.ports import Publisher, Receipts


@dataclass(frozen=True)
class WebhookPolicy:
    sources: frozenset[str]
    max_body_bytes: int
    tolerance_seconds: int


@dataclass(frozen=True)
class Accepted:
    id: str
    duplicate: bool


SCHEMA_MISMATCH = "feedback does not match the schema"


def _parse(body: bytes, now: datetime) -> OwnChannelFeedback:
    try:
        document = read_json_object(body)
    except UnreadableJson as error:
        raise InvalidRequest(f"{error}; send one JSON object with one feedback item") from None
    try:
        feedback = OwnChannelFeedback.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest(SCHEMA_MISMATCH, details=field_errors(error)) from error
    # Checked here, with the clock, before the 202: a date the pipeline cannot place (out of range,
    # far ahead of us) would otherwise be accepted, fail in score_feedback, and every re-post of it
    # would be answered "duplicate".
    problem = created_at_problem(feedback.created_at, now)
    if problem is not None:
        raise InvalidRequest(
            SCHEMA_MISMATCH, details=[{"field": "created_at", "error": f"created_at {problem}"}]
        )
    return feedback


def envelope_for(source: str, feedback: OwnChannelFeedback, now: datetime) -> FeedbackEnvelope:
    """The queue message of a webhook's feedback; InvalidRequest for what the queue may not carry."""
    try:
        envelope = _envelope(source, feedback, now)
    except ValidationError as error:
        raise InvalidRequest(SCHEMA_MISMATCH, details=field_errors(error)) from error
    problem = envelope.queue_problem()
    if problem is not None:
        field, why = problem
        raise InvalidRequest(SCHEMA_MISMATCH, details=[{"field": field, "error": why}])
    return envelope


def _envelope(source: str, feedback: OwnChannelFeedback, now: datetime) -> FeedbackEnvelope:
    return FeedbackEnvelope(
        feedback_id=feedback_id(source, feedback.account, feedback.kind, feedback.id),
        source=source,
        account=feedback.account,
        kind=feedback.kind,
        external_id=feedback.id,
        text=feedback.text,
        rating=feedback.rating,
        survey=feedback.survey,
        product=feedback.product,
        order=feedback.order,
        author=feedback.customer,
        created_at=feedback.created_at.astimezone(UTC),
        received_at=now,
    )


def accept_webhook(
    source: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    policy: WebhookPolicy,
    secret_for: Callable[[str], str],
    receipts: Receipts,
    queue: Publisher,
) -> Accepted:
    """Check the request in the order that reveals least and costs least; enqueue before answering.

    A receipt is written only after the message is queued, so a receipt proves the item was queued
    and a retry after any failure queues it again (score_feedback counts such duplicates).
    """
    if source not in policy.sources:
        raise NotFound(f"unknown webhook source {source!r}")
    if len(body) > policy.max_body_bytes:
        raise TooLarge(f"body is {len(body)} bytes; the limit is {policy.max_body_bytes}")
    try:
        verify(
            headers.get(SIGNATURE_HEADER),
            body,
            secret_for(source),
            int(now.timestamp()),
            policy.tolerance_seconds,
        )
    except SignatureError as error:
        raise NotAuthenticated(str(error)) from error
    envelope = envelope_for(source, _parse(body, now), now)
    if receipts.seen(envelope.feedback_id, now):
        return Accepted(id=envelope.feedback_id, duplicate=True)
    queue.send(envelope)
    receipts.record(envelope.feedback_id, now)
    return Accepted(id=envelope.feedback_id, duplicate=False)
