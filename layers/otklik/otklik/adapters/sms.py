"""SMS through Amazon SNS (Publish to a phone number) as a notification channel: the title and the link.

An SMS is short: sms_text cuts the title at a word so that it and the link fit in 140 characters (a
Cyrillic SMS is UCS-2, 70 characters a segment). What SNS answers is sorted as the e-mail channel sorts
SES's answers (see SmsChannel.deliver). A phone number is PII: no detail carries one, only its last two
digits, and SNS's own words are masked the same way before they are kept.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as NotConnected

from otklik.domain.models import ChannelResult, Delivery
from otklik.ports import ChannelUnavailable

SMS_LIMIT = 140
# Below this many characters for the title the link is left out: a bare link says nothing of what happened.
MIN_TITLE_CHARS = 20
ELLIPSIS = "…"

# Publish's refusals that sending again will not change: a bad or unverified number, an opted-out one,
# no permission, an encryption key that cannot be used (the SNS API reference lists them).
PERMANENT_CODES = frozenset(
    {
        "InvalidParameter",
        "InvalidParameterValue",
        "ParameterValueInvalid",  # the code SNS sends for InvalidParameterValueException
        "AuthorizationError",
        "InvalidSecurity",
        "ValidationException",
        "VerificationException",  # the SMS sandbox: the number is not verified
        "OptedOut",
        "OptedOutException",
        "EndpointDisabled",
        "NotFound",
        "KMSAccessDenied",
        "KMSDisabled",
        "KMSInvalidState",
        "KMSNotFound",
        "KMSOptInRequired",
    }
)
# Refusals that heal: a rate, SNS's own trouble.
TRANSIENT_CODES = frozenset(
    {
        "Throttled",
        "Throttling",
        "ThrottlingException",
        "KMSThrottling",  # a KMS* error, but a rate: it heals
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
    }
)

MAX_DETAIL_CHARS = 300
# A run of digits that may be a phone number: seven or more, with the separators people write.
_PHONE = re.compile(r"\+?\d[\d ()\-]{5,}\d")


def masked_phone(number: str) -> str:
    """A phone number as a detail may show it: its last two digits only (***67)."""
    digits = re.sub(r"\D", "", number)
    return "***" + digits[-2:]


def without_phone_numbers(text: str) -> str:
    """text with every number that may be a phone number masked (SNS names the number in refusals)."""
    return _PHONE.sub(lambda found: masked_phone(found.group()), text)


def shorten(text: str, limit: int) -> str:
    """text cut to limit characters with "…", at the last space when that keeps at least half of it."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    head = text[: limit - 1]
    if not text[limit - 1].isspace():
        space = head.rfind(" ")
        if space >= (limit - 1) // 2:
            head = head[:space]
    return head.rstrip(" ,;:—–-") + ELLIPSIS


def sms_text(delivery: Delivery, limit: int = SMS_LIMIT) -> str:
    """The title on one line, then the link on its own line, in at most limit characters.

    The link is kept whole or left out (half a link opens nothing): it is left out when it leaves the
    title fewer than MIN_TITLE_CHARS; the title is what gets cut.
    """
    title = " ".join(delivery.title.split())
    link = (delivery.link or "").strip()
    if link:
        room = limit - len(link) - 1
        if len(title) <= room or room >= MIN_TITLE_CHARS:
            return f"{shorten(title, room)}\n{link}" if title else link
    return shorten(title, limit)


def _refusal(error: ClientError) -> tuple[str, str, int]:
    """SNS's code, the detail to keep (numbers masked) and the HTTP status of a ClientError."""
    info = error.response.get("Error", {})
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    code = str(info.get("Code") or (f"HTTP {status}" if status else type(error).__name__))
    message = info.get("Message")
    detail = without_phone_numbers(f"{code}: {message}" if message else code)
    return code, detail[:MAX_DETAIL_CHARS], status


class SmsChannel:
    """Sends each delivery as a transactional SMS to its address (an E.164 number)."""

    def __init__(self, client: Any, name: str = "sms", sender_id: str | None = None) -> None:
        self.name = name
        self._client = client  # a boto3 sns client
        self._sender_id = sender_id

    def _attributes(self) -> dict[str, dict[str, str]]:
        # Transactional: routed for reliability rather than cost (SNS's other type is Promotional).
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self._sender_id}
        return attributes

    def deliver(self, delivery: Delivery) -> ChannelResult:
        """Sent (detail "message <id>"), failed for good, or unconfirmed; ChannelUnavailable when it may heal.

        | SNS answers                                                                  | outcome            |
        |------------------------------------------------------------------------------|--------------------|
        | InvalidParameter, InvalidParameterValue (a bad number), AuthorizationError,  | failed             |
        | opted out, the sandbox's unverified number, KMS* but KMSThrottling, any      |                    |
        | other 4xx                                                                    |                    |
        | Throttled, ThrottlingException, KMSThrottling, InternalError, any 429 or     | ChannelUnavailable |
        | 5xx; the connection never opened                                             |                    |
        | sent, and no answer came (ReadTimeoutError, the connection closed)           | unconfirmed        |
        """
        if not delivery.address:
            return ChannelResult(
                channel=self.name, status="failed", detail="no phone number", error="NoAddress"
            )
        try:
            answer = self._client.publish(
                PhoneNumber=delivery.address, Message=sms_text(delivery), MessageAttributes=self._attributes()
            )
        except ClientError as error:
            code, detail, status = _refusal(error)
            if code in PERMANENT_CODES or (
                code not in TRANSIENT_CODES and 400 <= status < 500 and status != 429
            ):
                return ChannelResult(channel=self.name, status="failed", detail=detail, error=code)
            raise ChannelUnavailable(detail, code) from error
        except NotConnected as error:
            # EndpointConnectionError, ConnectTimeoutError: the request never left.
            raise ChannelUnavailable(f"not sent ({type(error).__name__})", type(error).__name__) from error
        except HTTPClientError as error:
            # ReadTimeoutError, ConnectionClosedError: sent, and SNS may send the SMS; Publish to a number
            # has no deduplication, so sending again could text the person twice.
            cause = type(error).__name__
            return ChannelResult(
                channel=self.name,
                status="unconfirmed",
                detail=f"no answer after sending ({cause})",
                error=cause,
            )
        return ChannelResult(channel=self.name, status="sent", detail=f"message {answer['MessageId']}")
