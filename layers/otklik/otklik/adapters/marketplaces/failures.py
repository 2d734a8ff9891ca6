"""How a failed platform call becomes TransientError or PermanentRejection, in the platform's own words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from otklik.adapters.http import HttpError, HttpResponse
from otklik.domain.marketplaces.models import PermanentRejection, TransientError

MAX_REASON_CHARS = 500


def _texts(document: Any) -> list[str]:
    """The human-readable error texts in a platform's error body, whichever platform's shape it has."""
    if not isinstance(document, dict):
        return []
    texts: list[str] = []
    # Wildberries: errorText / title + detail; Ozon: message; Yandex Market: errors[{code, message}].
    for key in ("errorText", "title", "detail", "message"):
        value = document.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in texts:
            texts.append(value.strip())
    errors = document.get("errors")
    if isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict):
                code, message = error.get("code"), error.get("message")
                parts = [str(part) for part in (code, message) if isinstance(part, str) and part]
                if parts:
                    texts.append(": ".join(parts))
    additional = document.get("additionalErrors")
    if isinstance(additional, list):
        texts.extend(str(item) for item in additional if isinstance(item, str) and item)
    return texts


def platform_reason(detail: str) -> str:
    """The platform's error text from an error body (JSON or not), short enough for a DLQ message."""
    try:
        texts = _texts(json.loads(detail))
    except ValueError:
        texts = []
    reason = "; ".join(texts) if texts else detail.strip()
    return (reason or "no reason given")[:MAX_REASON_CHARS]


def failure(platform: str, what: str, error: HttpError) -> TransientError | PermanentRejection:
    """Transient (network, 5xx, rate limit after the client's retries) or permanent (other 4xx)."""
    if error.transient:
        if error.status == 0:
            return TransientError(f"{platform} {what}: unreachable ({error.detail})")
        return TransientError(f"{platform} {what}: HTTP {error.status}: {platform_reason(error.detail)}")
    return PermanentRejection(error.status, platform_reason(error.detail))


def unexpected_answer(platform: str, what: str, problem: str) -> TransientError:
    """A 2xx whose body is not the documented shape: retried later, said plainly in the error."""
    return TransientError(f"{platform} {what}: unexpected answer: {problem}")


def json_document(response: HttpResponse, platform: str, what: str) -> Mapping[str, Any]:
    """A platform's answer as a JSON object ({} for an empty body); anything else is unexpected."""
    try:
        document = response.json()
    except ValueError as error:
        raise unexpected_answer(platform, what, "not JSON") from error
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise unexpected_answer(platform, what, "not a JSON object")
    return document
