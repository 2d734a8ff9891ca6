"""Ozon: unprocessed reviews and questions polled from the Seller API, chat pushes, replies published back.

Cursor design (per connection and stream), stored as {"last_id": str}: both lists page by
last_id in ascending order (sort_dir ASC) and answer has_next. The last_id of the last page
read is kept, so the next poll asks for what came after it; a page with no items keeps the
cursor where it was. Reviews are filtered to status UNPROCESSED, questions to UNPROCESSED
(new and viewed but not yet answered). An item read twice maps to the same feedback id,
feedback_id("ozon", account, kind, id).

Chat messages are not polled: Ozon pushes them (TYPE_NEW_MESSAGE, TYPE_UPDATE_MESSAGE), see
handle_ozon_push.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from otklik import __version__
from otklik.adapters.http import HttpError, HttpResponse, HttpTransport
from otklik.ids import feedback_id
from otklik.marketplaces.base import (
    ApprovedReply,
    Connection,
    MalformedItem,
    PermanentRejection,
    PollPage,
    PublishedAnswer,
    PushResult,
)
from otklik.marketplaces.connections import check_connector
from otklik.marketplaces.failures import failure, json_document, unexpected_answer
from otklik.marketplaces.fields import (
    as_object,
    build,
    item_label,
    optional_rating,
    optional_text,
    parse_time,
    required_id,
    required_text,
)
from otklik.marketplaces.limits import NOT_SENT_STATUS, enforce_reply_limit
from otklik.models import Author, FeedbackEnvelope, FeedbackKind, ProductRef
from otklik.timefmt import iso_seconds

SOURCE = "ozon"
PLATFORM = "Ozon"
STREAMS: tuple[str, ...] = ("reviews", "questions")
# /v1/review/list takes 20..100 per page; /v1/question/list at most 100.
MIN_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

INTEGRATION_NAME = "otklik"
CHAT_MESSAGE_TYPES = frozenset({"TYPE_NEW_MESSAGE", "TYPE_UPDATE_MESSAGE"})
MISSING_PARAMETER = "ERROR_PARAMETER_VALUE_MISSED"


@dataclass(frozen=True)
class OzonCursor:
    last_id: str = ""

    @classmethod
    def load(cls, stored: Mapping[str, Any]) -> OzonCursor:
        last_id = stored.get("last_id", "")
        if not isinstance(last_id, str):
            raise ValueError(f"stored Ozon cursor has a bad last_id: {last_id!r}")
        return cls(last_id)

    def dump(self) -> dict[str, Any]:
        return {"last_id": self.last_id}


class OzonConnector:
    """One Ozon seller account: streams "reviews" and "questions"; replies to reviews, questions, chats."""

    streams = STREAMS

    def __init__(
        self,
        http: HttpTransport,
        base_url: str,
        client_id: str,
        api_key: str,
        connection: Connection,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        check_connector(connection, "ozon", page_size, MIN_PAGE_SIZE, MAX_PAGE_SIZE)
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Client-Id": client_id, "Api-Key": api_key}
        self._connection = connection
        self._page_size = page_size

    def _post(self, path: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        try:
            response = self._http.request(
                "POST", self._base + path, json_body=dict(body), headers=self._headers
            )
        except HttpError as error:
            raise failure(PLATFORM, f"POST {path}", error) from error
        return _document(response, f"POST {path}")

    # ------------------------------------------------------------------ polling

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        position = OzonCursor.load(cursor)
        if stream == "reviews":
            path, key, kind = "/v1/review/list", "reviews", "review"
            body: dict[str, Any] = {
                "limit": self._page_size,
                "last_id": position.last_id,
                "sort_dir": "ASC",
                "status": "UNPROCESSED",
            }
        elif stream == "questions":
            path, key, kind = "/v1/question/list", "questions", "question"
            body = {
                "filter": {"status": "UNPROCESSED"},
                "limit": self._page_size,
                "last_id": position.last_id,
                "sort_dir": "ASC",
            }
        else:
            raise ValueError(f"Ozon has no stream {stream!r}; it has {', '.join(STREAMS)}")
        document = self._post(path, body)
        items = document.get(key) or []
        if not isinstance(items, list):
            raise unexpected_answer(PLATFORM, f"POST {path}", f"{key} is not a list")

        envelopes: list[FeedbackEnvelope] = []
        malformed: list[tuple[str, str]] = []
        for index, item in enumerate(items):
            try:
                mapped = as_object(item, "item")
                envelope = self._review(mapped, now) if kind == "review" else self._question(mapped, now)
                envelopes.append(envelope)
            except MalformedItem as problem:
                malformed.append((item_label(item, "id", index), str(problem)))

        last_id = document.get("last_id")
        if not isinstance(last_id, str) or not last_id:
            last_id = _last_item_id(items) or position.last_id
        has_next = document.get("has_next")
        more = has_next is True if isinstance(has_next, bool) else bool(items) and last_id != position.last_id
        return PollPage(envelopes, malformed, OzonCursor(last_id).dump(), more)

    def _envelope(
        self,
        kind: FeedbackKind,
        item: Mapping[str, Any],
        now: datetime,
        *,
        text: str,
        rating: int | None = None,
        author_name: str | None = None,
        answered: bool = False,
    ) -> FeedbackEnvelope:
        external_id = required_id(item, "id")
        sku = required_id(item, "sku")
        created_at = parse_time(item.get("published_at"), "published_at")
        return build(
            lambda: FeedbackEnvelope(
                feedback_id=feedback_id(SOURCE, self._connection.name, kind, external_id),
                source=SOURCE,
                account=self._connection.name,
                kind=kind,
                external_id=external_id,
                text=text,
                rating=rating,
                product=ProductRef(id=sku),
                author=Author(name=author_name.strip()) if author_name else None,
                answered=answered,
                reply_context={"sku": sku},
                created_at=created_at,
                received_at=now,
            )
        )

    def _review(self, item: Mapping[str, Any], now: datetime) -> FeedbackEnvelope:
        """A review: id, sku, text, published_at, rating. The list gives no author, photos or pros/cons."""
        text = optional_text(item, "text") or ""
        rating = optional_rating(item, "rating")
        if not text and rating is None:
            raise MalformedItem("neither text nor rating")
        return self._envelope(
            "review", item, now, text=text, rating=rating, answered=item.get("status") == "PROCESSED"
        )

    def _question(self, item: Mapping[str, Any], now: datetime) -> FeedbackEnvelope:
        answers = item.get("answers_count")
        answered = isinstance(answers, int | str) and str(answers).isdigit() and int(answers) > 0
        return self._envelope(
            "question",
            item,
            now,
            text=required_text(item, "text"),
            author_name=optional_text(item, "author_name"),
            answered=answered,
        )

    # ------------------------------------------------------------------ replies

    def publish(self, reply: ApprovedReply) -> PublishedAnswer:
        enforce_reply_limit("ozon", reply.kind, reply.text)
        answer_id: str | None
        if reply.kind == "review":
            document = self._post(
                "/v1/review/comment/create",
                {"review_id": reply.external_id, "text": reply.text, "mark_review_as_processed": True},
            )
            answer_id = _optional_str(document.get("comment_id"))
        elif reply.kind == "question":
            sku = reply.reply_context.get("sku", "")
            if not sku.isdigit():
                raise PermanentRejection(NOT_SENT_STATUS, "not sent: an Ozon answer needs the question's sku")
            document = self._post(
                "/v1/question/answer/create",
                {"question_id": reply.external_id, "sku": int(sku), "text": reply.text},
            )
            answer_id = _optional_str(document.get("answer_id"))
        else:
            chat_id = reply.reply_context.get("chat_id", "")
            if not chat_id:
                raise PermanentRejection(NOT_SENT_STATUS, "not sent: an Ozon chat reply needs the chat_id")
            self._post("/v1/chat/send/message", {"chat_id": chat_id, "text": reply.text})
            answer_id = None
        return PublishedAnswer(
            marketplace=SOURCE, external_id=reply.external_id, text=reply.text, platform_answer_id=answer_id
        )


def _document(response: HttpResponse, what: str) -> Mapping[str, Any]:
    return json_document(response, PLATFORM, what)


def _last_item_id(items: list[Any]) -> str | None:
    for item in reversed(items):
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
            return str(item["id"])
    return None


def _optional_str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and str(value) else None


# ---------------------------------------------------------------------- pushes


class _BadPush(Exception):
    """A push Ozon's docs would not send: answered 400 with ERROR_PARAMETER_VALUE_MISSED."""


def _push_error(message: str, details: str | None) -> PushResult:
    return PushResult(400, {"error": {"code": MISSING_PARAMETER, "message": message, "details": details}})


def _field(document: Mapping[str, Any], key: str) -> Any:
    value = document.get(key)
    if value is None or value == "":
        raise _BadPush(key)
    return value


def _is_customer(user_type: str) -> bool:
    # Ozon's own example spells it "Сustomer" with a Cyrillic С; read both spellings as the buyer.
    return user_type.replace("\u0421", "C").replace("\u0441", "c").strip().lower() == "customer"


def _chat_envelope(
    document: Mapping[str, Any], connection: Connection, now: datetime
) -> FeedbackEnvelope | None:
    """The customer's chat message as feedback; None for anyone else's (seller, support, Ozon itself)."""
    chat_id = str(_field(document, "chat_id"))
    message_id = str(_field(document, "message_id"))
    user = _field(document, "user")
    if not isinstance(user, dict):
        raise _BadPush("user")
    user_type = _field(user, "type")
    if not isinstance(user_type, str):
        raise _BadPush("user.type")
    data = _field(document, "data")
    if not isinstance(data, list) or not all(isinstance(part, str) for part in data):
        raise _BadPush("data")
    try:
        created_at = parse_time(document.get("created_at"), "created_at")
    except MalformedItem as error:
        raise _BadPush("created_at") from error
    if not _is_customer(user_type):
        return None
    user_id = user.get("id")
    try:
        return build(
            lambda: FeedbackEnvelope(
                feedback_id=feedback_id(SOURCE, connection.name, "chat", message_id),
                source=SOURCE,
                account=connection.name,
                kind="chat",
                external_id=message_id,
                text="\n".join(data),
                author=Author(id=str(user_id)) if isinstance(user_id, str | int) and str(user_id) else None,
                reply_context={"chat_id": chat_id},
                created_at=created_at,
                received_at=now,
            )
        )
    except MalformedItem as error:
        raise _BadPush(str(error)) from error


def handle_ozon_push(body: bytes, connection: Connection, now: datetime) -> PushResult:
    """Answer an Ozon push as its docs want: PING gets {version, name, time}; every other type
    {"result": true}; a body that is not JSON or lacks a field gets 400 with
    {"error": {"code": "ERROR_PARAMETER_VALUE_MISSED", "message", "details"}}.

    A customer's TYPE_NEW_MESSAGE or TYPE_UPDATE_MESSAGE becomes one chat FeedbackEnvelope (an
    edit keeps the message id, so it is the same feedback id). Messages from the seller, Ozon
    support or Ozon notifications are acknowledged and not ingested.
    """
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _push_error("the body is not JSON", None)
    if not isinstance(document, dict):
        return _push_error("the body is not a JSON object", None)
    message_type = document.get("message_type")
    if not isinstance(message_type, str) or not message_type:
        return _push_error("message_type is missing", "message_type")
    if message_type == "TYPE_PING":
        return PushResult(200, {"version": __version__, "name": INTEGRATION_NAME, "time": iso_seconds(now)})
    if message_type not in CHAT_MESSAGE_TYPES:
        return PushResult(200, {"result": True})
    try:
        envelope = _chat_envelope(document, connection, now)
    except _BadPush as missing:
        return _push_error(f"{message_type}: {missing} is missing or malformed", str(missing))
    return PushResult(200, {"result": True}, envelopes=[envelope] if envelope else [])
