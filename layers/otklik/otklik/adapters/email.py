"""E-mail through Amazon SES (the sesv2 API) as a notification channel: a text part and a small HTML part,
and a delivery's pictures (a report's charts) inline.

A delivery without pictures goes as a Simple message. One with pictures goes as a Raw MIME message:
multipart/related holding the multipart/alternative (text, HTML) and each picture as a part with a
Content-ID that the HTML shows it by. The pictures are fetched by an ImageFetcher (HttpImageFetcher:
the project's HTTP client); one that cannot be fetched is left out and its link takes its place.

What SES answers is sorted into three (see deliver), the same for both kinds: a refusal that will not
heal (an unverified sender, a suspended account) is failed; throttling, SES's own trouble and a
connection that never opened raise ChannelUnavailable; a request sent without an answer is unconfirmed,
since SendEmail has no idempotency key and sending it again could deliver the message twice. No detail
ever carries an e-mail address, nor a picture's URL (a presigned URL is a key to the object).
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage, MIMEPart
from email.utils import formatdate
from typing import Any, Protocol

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as NotConnected

from otklik.adapters.http import HttpClient, HttpError
from otklik.domain.models import ChannelResult, Delivery, DeliveryImage
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
# One picture at most, and all of one message's: SES takes messages of up to 40 MB once encoded, and
# base64 makes 4 bytes of every 3.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES_BYTES = 20 * 1024 * 1024
# How long one message spends fetching its pictures before the rest go as links: send_notifications has
# 60 s for every delivery of a batch.
IMAGES_BUDGET_SECONDS = 15.0
IMAGE_TYPES = ("image/png", "image/jpeg")
_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+")
_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)
_UNSAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# CRLF line ends, and every non-ASCII part base64- or quoted-printable-encoded (headers as RFC 2047
# encoded words), so the message is 7-bit clean for any relay.
_MIME_POLICY = email_policy.SMTP.clone(cte_type="7bit")


class ImageUnavailable(Exception):
    """A picture that cannot be had; the message says why in a few words, never with its URL."""


class ImageFetcher(Protocol):
    """The bytes of the PNG or JPEG at an http(s) URL; ImageUnavailable when there are none to have."""

    def __call__(self, url: str) -> bytes: ...


class HttpImageFetcher:
    """An ImageFetcher over the project's HTTP client: a GET (retried as a GET may be), PNG or JPEG only,
    at most max_bytes (HttpClient reads the whole answer, so a larger one is refused once read)."""

    def __init__(self, http: HttpClient, max_bytes: int = MAX_IMAGE_BYTES) -> None:
        self._http = http
        self._max_bytes = max_bytes

    def __call__(self, url: str) -> bytes:
        if not _SAFE_LINK.match(url):
            raise ImageUnavailable("not an http(s) URL")
        try:
            response = self._http.request("GET", url, headers={"Accept": ", ".join(IMAGE_TYPES)})
        except HttpError as error:
            # from None: the error's text holds the URL.
            raise ImageUnavailable(f"HTTP {error.status}" if error.status else error.cause) from None
        media_type = (response.header("Content-Type") or "").split(";", maxsplit=1)[0].strip().lower()
        if media_type not in IMAGE_TYPES:
            raise ImageUnavailable(f"not a PNG or JPEG ({media_type or 'no Content-Type'})")
        if len(response.body) > self._max_bytes:
            raise ImageUnavailable(f"over {self._max_bytes} bytes")
        return response.body


def image_subtype(data: bytes) -> str | None:
    """png or jpeg, by the bytes' own signature; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


@dataclass(frozen=True)
class InlineImage:
    """A picture fetched for one message: its bytes, their subtype, and the Content-ID the HTML names."""

    image: DeliveryImage
    data: bytes
    subtype: str
    cid: str  # without the angle brackets: the HTML's src is "cid:" + this


def without_addresses(text: str) -> str:
    """text with every e-mail address in it replaced by [address] (SES names them in its refusals)."""
    return _ADDRESS.sub("[address]", text)


def subject(title: str) -> str:
    """The title on one line, cut to MAX_SUBJECT_CHARS."""
    line = " ".join(title.split())
    if len(line) <= MAX_SUBJECT_CHARS:
        return line
    return line[: MAX_SUBJECT_CHARS - 1].rstrip() + "…"


def _caption(image: DeliveryImage) -> str:
    return image.title or image.name


def text_body(delivery: Delivery, missing: Sequence[DeliveryImage] = ()) -> str:
    """The plain-text part: the text, a line with the link of each picture left out, a line with the link."""
    blocks = [delivery.text]
    if missing:
        blocks.append("\n".join(f"{_caption(image)}: {image.url}" for image in missing))
    if delivery.link:
        blocks.append(f"{delivery.link_label}: {delivery.link}")
    return "\n\n".join(blocks)


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


def _figure(picture: InlineImage) -> str:
    caption = html.escape(_caption(picture.image))
    # width="552": Outlook sizes by the attribute alone (the column's 600 px less its padding); others
    # by the style, which also shrinks it on a phone.
    return (
        f'<p style="margin:16px 0 8px 0;font-weight:bold;">{caption}</p>'
        f'<img src="cid:{html.escape(picture.cid)}" alt="{caption}" width="552" '
        'style="display:block;width:100%;max-width:600px;height:auto;border:0;outline:none;">'
    )


def _link_line(image: DeliveryImage, accent: str) -> str:
    caption = html.escape(_caption(image))
    if not _SAFE_LINK.match(image.url):
        return f'<p style="margin:16px 0 0 0;">{caption}: {html.escape(image.url)}</p>'
    return (
        f'<p style="margin:16px 0 0 0;">{caption}: <a href="{html.escape(image.url)}" target="_blank" '
        f'style="color:{accent};">{html.escape(image.name)}</a></p>'
    )


def html_body(
    delivery: Delivery, inline: Sequence[InlineImage] = (), missing: Sequence[DeliveryImage] = ()
) -> str:
    """The HTML part: one centred column, inline styles only, no external assets. The pictures come
    after the text, each under its title: an attached one by its Content-ID, one left out as a link.

    Everything taken from the delivery is escaped. A link becomes a button (or an anchor) only when it is
    http(s): an escaped javascript: link would still run when clicked.
    """
    accent = "#c62828" if delivery.urgent else "#1d4ed8"
    pictures = "".join(_figure(picture) for picture in inline) + "".join(
        _link_line(image, accent) for image in missing
    )
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
        f"{_paragraphs(delivery.text)}{pictures}{link}"
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


def mime_message(
    delivery: Delivery,
    sender: str,
    address: str,
    inline: Sequence[InlineImage],
    missing: Sequence[DeliveryImage] = (),
    reply_to: str | None = None,
) -> bytes:
    """The Raw message: multipart/related holding the multipart/alternative (the text and HTML parts) and
    each picture inline with its Content-ID. ValueError when a header cannot be written (a line break)."""
    message = EmailMessage(policy=_MIME_POLICY)
    message["Subject"] = subject(delivery.title)
    message["From"] = sender
    message["To"] = address
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(usegmt=True)
    message["MIME-Version"] = "1.0"
    body = MIMEPart(policy=_MIME_POLICY)
    body.set_content(text_body(delivery, missing))
    body.add_alternative(html_body(delivery, inline, missing), subtype="html")
    parts = [body]
    for picture in inline:
        part = MIMEPart(policy=_MIME_POLICY)
        name = _UNSAFE_FILE_NAME.sub("_", picture.image.name).strip("._") or "image"
        part.set_content(
            picture.data,
            maintype="image",
            subtype=picture.subtype,
            cid=f"<{picture.cid}>",
            filename=name,
            disposition="inline",
        )
        parts.append(part)
    message.make_related()
    # RFC 2387: a multipart/related names the type of its root part, which comes first.
    message.set_param("type", "multipart/alternative")
    for part in parts:
        # typeshed wants a part of the message's own class; a MIMEPart is what a part is (no MIME-Version).
        message.attach(part)  # type: ignore[arg-type]
    return message.as_bytes()


class EmailChannel:
    """Sends each delivery to its address from sender (an identity verified in SES); its pictures are
    fetched by `images` (without one, each goes as its link)."""

    def __init__(
        self,
        client: Any,
        sender: str,
        name: str = "email",
        reply_to: str | None = None,
        images: ImageFetcher | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._client = client  # a boto3 sesv2 client
        self._sender = sender
        self._reply_to = reply_to
        self._images = images
        self._clock = clock

    def _request(
        self, delivery: Delivery, address: str, missing: Sequence[DeliveryImage] = ()
    ) -> dict[str, Any]:
        def part(data: str) -> dict[str, str]:
            return {"Data": data, "Charset": "UTF-8"}

        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [address]},
            "Content": {
                "Simple": {
                    "Subject": part(subject(delivery.title)),
                    "Body": {
                        "Text": part(text_body(delivery, missing)),
                        "Html": part(html_body(delivery, (), missing)),
                    },
                }
            },
        }
        if self._reply_to:
            request["ReplyToAddresses"] = [self._reply_to]
        return request

    def _fetched(self, delivery: Delivery) -> tuple[list[InlineImage], list[DeliveryImage]]:
        """The pictures to attach, and those left out (not fetched, not PNG or JPEG, past the size or time
        budget), in the delivery's order."""
        inline: list[InlineImage] = []
        missing: list[DeliveryImage] = []
        started = self._clock()
        total = 0
        # Content-IDs stable across retries of the delivery, and unique to it.
        stem = hashlib.sha256(delivery.id.encode("utf-8")).hexdigest()[:16]
        for number, image in enumerate(delivery.images, start=1):
            data = None
            if self._images is not None and self._clock() - started <= IMAGES_BUDGET_SECONDS:
                try:
                    data = self._images(image.url)
                except ImageUnavailable:
                    data = None
            subtype = image_subtype(data) if data is not None else None
            if data is None or subtype is None or total + len(data) > MAX_IMAGES_BYTES:
                missing.append(image)
                continue
            total += len(data)
            inline.append(InlineImage(image, data, subtype, f"image{number}.{stem}@otklik"))
        return inline, missing

    def _raw_request(
        self, delivery: Delivery, address: str, inline: list[InlineImage], missing: list[DeliveryImage]
    ) -> dict[str, Any]:
        # Reply-To is a header of the raw message itself, as From and To are.
        raw = mime_message(delivery, self._sender, address, inline, missing, self._reply_to)
        return {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [address]},
            "Content": {"Raw": {"Data": raw}},
        }

    def deliver(self, delivery: Delivery) -> ChannelResult:
        """Sent (detail "message <id>", and how many pictures were left out), failed for good, or
        unconfirmed; ChannelUnavailable when it may heal. A Raw message is judged as a Simple one:

        | SES answers                                                                  | outcome            |
        |------------------------------------------------------------------------------|--------------------|
        | MessageRejected, MailFromDomainNotVerified, AccountSuspended, SendingPaused, | failed             |
        | BadRequest, NotFound, any other 4xx                                          |                    |
        | TooManyRequests, LimitExceeded, Throttling, InternalFailure,                 | ChannelUnavailable |
        | ServiceUnavailable, any 429 or 5xx; the connection never opened              |                    |
        | sent, and no answer came (ReadTimeoutError, the connection closed)           | unconfirmed        |

        Pictures go inline in a Raw message when at least one was fetched; when none was, their links go
        in a Simple one.
        """
        if not delivery.address:
            return ChannelResult(
                channel=self.name, status="failed", detail="no e-mail address", error="NoAddress"
            )
        inline, missing = self._fetched(delivery) if delivery.images else ([], [])
        if inline:
            try:
                request = self._raw_request(delivery, delivery.address, inline, missing)
            except ValueError as error:
                # A sender, address or reply-to with a line break: no header may hold it, nor will SES.
                return ChannelResult(
                    channel=self.name,
                    status="failed",
                    detail=f"the message cannot be written ({type(error).__name__})",
                    error="InvalidMessage",
                )
        else:
            request = self._request(delivery, delivery.address, missing)
        try:
            answer = self._client.send_email(**request)
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
        detail = f"message {answer['MessageId']}"
        if missing:
            detail += f"; {len(missing)} of {len(delivery.images)} images left out, sent as links"
        return ChannelResult(channel=self.name, status="sent", detail=detail)
