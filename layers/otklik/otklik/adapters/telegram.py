"""Telegram as a notification channel: one Bot API message (a photo with a caption, when there is one)
per delivery, to the recipient's chat. A photo Telegram cannot fetch gives way to the text alone."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from otklik.adapters.http import HttpClient, HttpError, HttpResponse
from otklik.domain.models import ChannelResult, Delivery
from otklik.ports import ChannelUnavailable

# What Telegram shows at most, counted after its HTML is parsed (Bot API sendMessage, sendPhoto).
MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
# A title is one line; past this it would eat the text's room in a caption.
MAX_TITLE_CHARS = 256
# How often one delivery waits out a short rate limit before leaving the next try to the outbox.
MAX_RATE_LIMIT_WAITS = 2
ELLIPSIS = "…"

_NUMERIC_CHAT_ID = re.compile(r"-?[0-9]+")
# sendPhoto's 400s about the photo itself (its URL could not be fetched, or is no picture Telegram
# takes), where the same text without it still goes: the Bot API's descriptions, compared lower-case.
PHOTO_REFUSALS = (
    "wrong file identifier/http url specified",
    "failed to get http url content",
    "wrong type of the web page content",
    "image_process_failed",
    "photo_invalid_dimensions",
)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ELLIPSIS), 0)].rstrip() + ELLIPSIS


def telegram_html(title: str, text: str, limit: int) -> str:
    """`<b>title</b>` and the text below it in Telegram's HTML, showing at most `limit` characters.

    Cut before escaping, so an ellipsis never lands inside an entity such as "&amp;"; the limit counts
    what Telegram shows (after parsing), which is the plain text's length.
    """
    title = _shorten(title.strip(), MAX_TITLE_CHARS)
    room = limit - len(title) - 1  # the newline between them
    body = _shorten(text, room)
    # quote=False: Telegram's HTML wants only <, > and & escaped in text; &#x27; would be shown as it is.
    return f"<b>{html.escape(title, quote=False)}</b>\n{html.escape(body, quote=False)}"


@dataclass(frozen=True)
class _Refusal:
    """What the Bot API said of a request it refused: {"ok": false, "error_code", "description",
    "parameters": {"retry_after", "migrate_to_chat_id"}}, or the HTTP error itself when no such body came."""

    description: str
    retry_after: float | None
    migrate_to_chat_id: int | None

    @classmethod
    def of(cls, error: HttpError) -> _Refusal:
        header_wait = error.retry_after_seconds
        try:
            body = json.loads(error.detail)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # Not the Bot API's answer (a proxy's HTML page, a body cut at 500 characters).
            return cls(error.summary, header_wait, None)
        description = body.get("description")
        parameters = body.get("parameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        asked = _seconds(parameters.get("retry_after"))
        migrate_to = parameters.get("migrate_to_chat_id")
        return cls(
            description=description if isinstance(description, str) and description else error.summary,
            retry_after=asked if asked is not None else header_wait,
            migrate_to_chat_id=migrate_to if _is_int(migrate_to) else None,
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _seconds(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


@dataclass(frozen=True)
class _Refused:
    """A request the Bot API refused and that was not waited out."""

    error: HttpError
    refusal: _Refusal

    @property
    def photo_refused(self) -> bool:
        description = self.refusal.description.lower()
        return self.error.status == 400 and any(words in description for words in PHOTO_REFUSALS)


def _message_id(response: HttpResponse) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    result = body.get("result") if isinstance(body, dict) else None
    message_id = result.get("message_id") if isinstance(result, dict) else None
    return str(message_id) if message_id is not None else None


class TelegramChannel:
    """Sends each delivery to the chat in delivery.address through a bot.

    The channel owns its retries: give it an HttpClient(attempts=1), or the client would retry a rate
    limit on its own and the waits would add up. A 429 asking for at most max_wait_seconds is waited
    out (at most MAX_RATE_LIMIT_WAITS times); a longer one goes back to the outbox with its retry_after.

    The token is the bot's secret and every URL holds it: no result, message or exception of this
    channel names either.
    """

    def __init__(
        self,
        http: HttpClient,
        api_url: str,
        token: str,
        name: str = "telegram",
        sleep: Callable[[float], None] = time.sleep,
        max_wait_seconds: float = 5.0,
    ) -> None:
        self.name = name
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._token = token
        self._sleep = sleep
        self._max_wait = max_wait_seconds
        # The whole token, and its secret half alone, in case some proxy echoes the path encoded.
        self._secrets = sorted(
            {part for part in (token, token.partition(":")[2]) if part}, key=len, reverse=True
        )

    @staticmethod
    def request(delivery: Delivery) -> tuple[str, dict[str, Any]]:
        """The Bot API method and its parameters for a delivery."""
        address = (delivery.address or "").strip()
        chat_id: int | str = int(address) if _NUMERIC_CHAT_ID.fullmatch(address) else address
        params: dict[str, Any] = {"chat_id": chat_id, "parse_mode": "HTML"}
        if delivery.photo_url:
            params["photo"] = delivery.photo_url
            params["caption"] = telegram_html(delivery.title, delivery.text, MAX_CAPTION_CHARS)
            method = "sendPhoto"
        else:
            params["text"] = telegram_html(delivery.title, delivery.text, MAX_TEXT_CHARS)
            # A ticket's link would unfurl into a preview card bigger than the message itself.
            params["link_preview_options"] = {"is_disabled": True}
            method = "sendMessage"
        if delivery.link:
            params["reply_markup"] = {
                "inline_keyboard": [[{"text": delivery.link_label, "url": delivery.link}]]
            }
        return method, params

    def deliver(self, delivery: Delivery) -> ChannelResult:
        """Sent, failed for good, or unconfirmed; ChannelUnavailable when it may heal.

        A photo Telegram refuses (it could not fetch the URL, or found no picture there) is dropped, and
        the text with its button sent once more as a message: sent then says "without the photo".
        """
        if not (delivery.address or "").strip():
            return ChannelResult(
                channel=self.name,
                status="failed",
                detail="the recipient has no Telegram chat id",
                error="no chat id",
            )
        method, params = self.request(delivery)
        outcome = self._post(method, params)
        without_photo = ""
        if method == "sendPhoto" and isinstance(outcome, _Refused) and outcome.photo_refused:
            without_photo = self._redact(outcome.refusal.description)
            outcome = self._post(*self.request(delivery.model_copy(update={"photo_url": None})))
        if isinstance(outcome, ChannelResult):
            return outcome
        if isinstance(outcome, _Refused):
            return self._refused(outcome.error, outcome.refusal)
        message_id = _message_id(outcome)
        detail = f"message {message_id}" if message_id is not None else f"HTTP {outcome.status}"
        if without_photo:
            detail += f", without the photo ({without_photo})"
        return ChannelResult(channel=self.name, status="sent", detail=detail)

    def _post(self, method: str, params: dict[str, Any]) -> HttpResponse | ChannelResult | _Refused:
        """One Bot API call, a short rate limit waited out: the answer, unconfirmed, or the refusal."""
        url = f"{self._api_url}/bot{self._token}/{method}"
        waits = 0
        while True:
            try:
                return self._http.post_json(url, params)
            except HttpError as error:
                if error.may_have_arrived:
                    # Posted, and no answer came (a read timeout, a reset): Telegram may have shown it,
                    # and the Bot API has no idempotency key, so sending again could show it twice.
                    return ChannelResult(
                        channel=self.name,
                        status="unconfirmed",
                        detail=self._redact(error.summary),
                        error=error.cause,
                    )
                refusal = _Refusal.of(error)
                wait = refusal.retry_after
                if (
                    error.status == 429
                    and wait is not None
                    and wait <= self._max_wait
                    and waits < MAX_RATE_LIMIT_WAITS
                ):
                    waits += 1
                    self._sleep(wait)
                    continue
                return _Refused(error, refusal)

    def _refused(self, error: HttpError, refusal: _Refusal) -> ChannelResult:
        """Failed for good, or ChannelUnavailable for what may heal (5xx, 420, 429, never connected)."""
        cause = f"HTTP {error.status}" if error.status else error.cause
        description = self._redact(refusal.description)
        if error.transient:
            # from None: the HttpError's own text holds the URL, hence the token, and a logged
            # traceback would show it.
            raise ChannelUnavailable(description, cause=cause, retry_after=refusal.retry_after) from None
        if refusal.migrate_to_chat_id is not None:
            # The group became a supergroup: only a person can move the recipient to its new id.
            description = (
                f"{description}; the chat's new id is {refusal.migrate_to_chat_id}: "
                "update the recipient's Telegram chat id"
            )
        # Blocked by the user (403), chat not found or text refused (400), bad token (401): no retry heals it.
        return ChannelResult(channel=self.name, status="failed", detail=description, error=cause)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<token>")
        return text
