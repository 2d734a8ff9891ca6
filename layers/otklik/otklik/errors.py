"""Errors a caller can act on, each with the HTTP status the API answers it with."""

from __future__ import annotations

from typing import Any


class OtklikError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": {"code": self.code, "message": self.message}}
        if self.details:
            body["error"]["details"] = self.details
        return body


class BadRequest(OtklikError):
    status = 400
    code = "bad_request"


class Unauthorized(OtklikError):
    status = 401
    code = "unauthorized"


class NotFound(OtklikError):
    status = 404
    code = "not_found"


class Conflict(OtklikError):
    status = 409
    code = "conflict"


class PayloadTooLarge(OtklikError):
    status = 413
    code = "payload_too_large"


class FeedbackMissing(Exception):
    """A queue message names feedback that is not stored (yet): the message is retried, then dead-lettered."""
