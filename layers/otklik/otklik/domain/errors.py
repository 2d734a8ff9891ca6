"""Errors a caller can act on. They say what is wrong in the domain's words; the HTTP edge
(otklik.entrypoints.http) alone decides which status and code each one is answered with."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class Refused(Exception):
    """The caller's request cannot be carried out as asked; nothing was changed."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidRequest(Refused):
    """The request is malformed or breaks a rule of the schema (what, where and why in details)."""


class NotAuthenticated(Refused):
    """The request does not prove who sent it: a missing, stale or wrong signature or token."""


class NotFound(Refused):
    """What the request names does not exist (or is not revealed to this caller)."""


class Conflict(Refused):
    """The request contradicts the current state, e.g. another reply is already approved."""


class TooLarge(Refused):
    """The request is larger than the limit it is allowed."""


class TryAgain(Refused):
    """The request could not be carried out just now, for a passing reason on our side (a queue or a table
    did not answer); nothing was changed, and the same request may be sent again."""


class FeedbackMissing(Exception):
    """A queue message names feedback that is not stored (yet): the message is retried, then dead-lettered."""


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors as a refusal's details: where and why, never the value that was sent."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "(body)", "error": item["msg"]}
        for item in error.errors(include_url=False)
    ]
