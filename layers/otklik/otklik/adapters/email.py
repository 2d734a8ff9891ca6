"""E-mail through Amazon SES (the sesv2 API) as a notification channel: a text part and a small HTML part.

What SES answers is sorted into three (see deliver): a refusal that will not heal (an unverified sender,
a suspended account) is failed; throttling, SES's own trouble and a connection that never opened raise
ChannelUnavailable; a request sent without an answer is unconfirmed, since SendEmail has no idempotency
key and sending it again could deliver the message twice. No detail ever carries an e-mail address.
"""

from __future__ import annotations

import html
import re
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as NotConnected

from otklik.domain.models import ChannelResult, Delivery
from otklik.ports import ChannelUnavailable

# SendEmail's refusals that sending again will not change (the SES API reference lists them).
PERMANENT_CODES = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "AccountSuspendedException",
        "SendingPausedException",
        "BadRequestException",
        "NotFoundException",
    }
)
# Refusals that heal: a rate or a quota, SES's trouble.
TRANSIENT_CODES = frozenset(
    {
        "TooManyRequestsException",
        "LimitExceededException",
        "Throttling",
        "ThrottlingException",
        "InternalFailure",
        "ServiceUnavailable",
    }
)

MAX_SUBJECT_CHARS = 200
MAX_DETAIL_CHARS = 300
_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+")
_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)


def without_addresses(text: str) -> str:
    """text with every e-mail address in it replaced by [address] (SES names them in its refusals)."""
    return _ADDRESS.sub("[address]", text)


def subject(title: str) -> str:
    """The title on one line, cut to MAX_SUBJECT_CHARS."""
    line = " ".join(title.split())
    if len(line) <= MAX_SUBJECT_CHARS:
        return line
    return line[: MAX_SUBJECT_CHARS - 1].rstrip() + "…"


def text_body(delivery: Delivery) -> str:
    """The plain-text part: the text, then a line with the link."""
    if not delivery.link:
        return delivery.text
    return f"{delivery.text}\n\n{delivery.link_label}: {delivery.link}"


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    return "".join(
        '<p style="margin:0 0 12px 0;">'
        + "<br>".join(html.escape(line) for line in block.splitlines())
        + "</p>"
        for block in blocks
    )


def _button(link: str, label: str, color: str) -> str:
    # A table cell with a background, not CSS on the anchor alone: Outlook draws no padding on an <a>.
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 0 0;">'
        f'<tr><td style="border-radius:4px;background-color:{color};">'
        f'<a href="{html.escape(link)}" target="_blank" style="display:inline-block;padding:10px 20px;'
        "font-family:Arial,Helvetica,sans-serif;font-size:15px;font-weight:bold;color:#ffffff;"
        f'text-decoration:none;border-radius:4px;">{html.escape(label)}</a>'
        "</td></tr></table>"
    )


def html_body(delivery: Delivery) -> str:
    """The HTML part: one centred column, inline styles only, no images or external assets.

    Everything taken from the delivery is escaped. The link becomes a button only when it is http(s):
    an escaped javascript: link would still run when clicked.
    """
    accent = "#c62828" if delivery.urgent else "#1d4ed8"
    title = html.escape(delivery.title)
    link = ""
    if delivery.link and _SAFE_LINK.match(delivery.link):
        link = _button(delivery.link, delivery.link_label, accent)
    elif delivery.link:
        link = f'<p style="margin:0;">{html.escape(delivery.link)}</p>'
    return (
        "<!DOCTYPE html>"
        f'<html lang="{html.escape(delivery.language)}">'
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>"
        '<body style="margin:0;padding:0;background-color:#f4f4f5;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="background-color:#f4f4f5;"><tr><td align="center" style="padding:24px 12px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="max-width:600px;background-color:#ffffff;border-top:4px solid {accent};">'
        '<tr><td style="padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;'
        'line-height:1.5;color:#18181b;">'
        f'<h1 style="margin:0 0 16px 0;font-size:20px;line-height:1.3;color:#18181b;">{title}</h1>'
        f"{_paragraphs(delivery.text)}{link}"
        "</td></tr></table>"
        "</td></tr></table>"
        "</body></html>"
    )


def _refusal(error: ClientError) -> tuple[str, str, int]:
    """SES's code, the detail to keep (addresses removed) and the HTTP status of a ClientError."""
    info = error.response.get("Error", {})
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    code = str(info.get("Code") or (f"HTTP {status}" if status else type(error).__name__))
    message = info.get("Message")
    detail = without_addresses(f"{code}: {message}" if message else code)
    return code, detail[:MAX_DETAIL_CHARS], status


class EmailChannel:
    """Sends each delivery to its address from sender (an identity verified in SES)."""

    def __init__(self, client: Any, sender: str, name: str = "email", reply_to: str | None = None) -> None:
        self.name = name
        self._client = client  # a boto3 sesv2 client
        self._sender = sender
        self._reply_to = reply_to

    def _request(self, delivery: Delivery, address: str) -> dict[str, Any]:
        def part(data: str) -> dict[str, str]:
            return {"Data": data, "Charset": "UTF-8"}

        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [address]},
            "Content": {
                "Simple": {
                    "Subject": part(subject(delivery.title)),
                    "Body": {"Text": part(text_body(delivery)), "Html": part(html_body(delivery))},
                }
            },
        }
        if self._reply_to:
            request["ReplyToAddresses"] = [self._reply_to]
        return request

    def deliver(self, delivery: Delivery) -> ChannelResult:
        """Sent (detail "message <id>"), failed for good, or unconfirmed; ChannelUnavailable when it may heal.

        | SES answers                                                                  | outcome            |
        |------------------------------------------------------------------------------|--------------------|
        | MessageRejected, MailFromDomainNotVerified, AccountSuspended, SendingPaused, | failed             |
        | BadRequest, NotFound, any other 4xx                                          |                    |
        | TooManyRequests, LimitExceeded, Throttling, InternalFailure,                 | ChannelUnavailable |
        | ServiceUnavailable, any 429 or 5xx; the connection never opened              |                    |
        | sent, and no answer came (ReadTimeoutError, the connection closed)           | unconfirmed        |
        """
        if not delivery.address:
            return ChannelResult(
                channel=self.name, status="failed", detail="no e-mail address", error="NoAddress"
            )
        try:
            answer = self._client.send_email(**self._request(delivery, delivery.address))
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
            # ReadTimeoutError, ConnectionClosedError: sent, and SES may have taken it.
            cause = type(error).__name__
            return ChannelResult(
                channel=self.name,
                status="unconfirmed",
                detail=f"no answer after sending ({cause})",
                error=cause,
            )
        return ChannelResult(channel=self.name, status="sent", detail=f"message {answer['MessageId']}")
