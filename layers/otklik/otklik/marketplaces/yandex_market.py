"""Yandex Market: product reviews that need a reaction, notifications, chat messages, replies published back.

Cursor design (per connection, stream "goods_feedback"), stored as
{"since": ISO time | None, "page_token": str | None, "window_newest": ISO time | None}:

- A poll window asks POST v2/businesses/{businessId}/goods-feedback with
  reactionStatus=NEED_REACTION and dateTimeFrom=since (exclusive per the docs; omitted on the
  first poll, which then reads the last six months), paging by pageToken/nextPageToken.
- While a window pages, since stays fixed (a page token belongs to its query) and window_newest
  collects the newest createdAt read.
- When the window ends (no nextPageToken), since moves to window_newest minus a three-day
  overlap and the page token is dropped. The overlap re-reads recent reviews on purpose: reviews
  are published after moderation, so one created before the last poll may appear after it.
  Those re-reads map to the same feedback id, feedback_id("yandex_market", account, kind, id).
- since is never moved back, and never further back than the six months the API allows.

New reviews and chat messages also arrive as notifications; handle_yandex_notification answers
at once with FetchJobs and YandexMarketConnector.fetch reads the feedback behind them later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from otklik import __version__
from otklik.adapters.http import HttpError, HttpResponse, HttpTransport, QueryValue
from otklik.ids import feedback_id
from otklik.marketplaces.base import (
    ApprovedReply,
    Connection,
    FetchJob,
    MalformedItem,
    PermanentRejection,
    PollPage,
    PublishedAnswer,
    PushResult,
)
from otklik.marketplaces.connections import check_connector
from otklik.marketplaces.failures import failure, json_document, platform_reason, unexpected_answer
from otklik.marketplaces.fields import (
    as_object,
    build,
    item_label,
    optional_id,
    optional_rating,
    optional_text,
    parse_time,
    required_id,
)
from otklik.marketplaces.limits import NOT_SENT_STATUS, enforce_reply_limit
from otklik.models import Author, FeedbackEnvelope, OrderRef, ProductRef
from otklik.timefmt import iso_seconds

SOURCE = "yandex_market"
PLATFORM = "Yandex Market"
STREAMS: tuple[str, ...] = ("goods_feedback",)
MAX_PAGE_SIZE = 50  # goods-feedback: limit 1..50
MAX_FEEDBACK_IDS = 50  # feedbackIds: at most 50, and alone (no other filter with it)
REVIEW_MODERATION_OVERLAP = timedelta(days=3)
MAX_LOOKBACK = timedelta(days=180)  # dateTimeFrom may be at most six months before dateTimeTo (now)

INTEGRATION_NAME = "otklik"
WRONG_EVENT_FORMAT = "WRONG_EVENT_FORMAT"


@dataclass(frozen=True)
class YandexMarketCursor:
    since: datetime | None = None
    page_token: str | None = None
    window_newest: datetime | None = None

    @classmethod
    def load(cls, stored: Mapping[str, Any]) -> YandexMarketCursor:
        def moment(key: str) -> datetime | None:
            value = stored.get(key)
            if value is None:
                return None
            if not isinstance(value, str):
                raise ValueError(f"stored Yandex Market cursor has a bad {key}: {value!r}")
            return datetime.fromisoformat(value)

        token = stored.get("page_token")
        if token is not None and not isinstance(token, str):
            raise ValueError(f"stored Yandex Market cursor has a bad page_token: {token!r}")
        return cls(moment("since"), token or None, moment("window_newest"))

    def dump(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "page_token": self.page_token,
            "window_newest": self.window_newest.isoformat() if self.window_newest else None,
        }


def _business_id(connection: Connection) -> str:
    business_id = connection.settings.get("business_id", "")
    if not business_id.isdigit():
        raise ValueError(f"connection {connection.name} needs settings.business_id, the cabinet's number")
    return business_id


class YandexMarketConnector:
    """One Yandex Market cabinet (business): stream "goods_feedback"; replies to reviews and chats."""

    streams = STREAMS

    def __init__(
        self,
        http: HttpTransport,
        base_url: str,
        api_key: str,
        connection: Connection,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        check_connector(connection, "yandex_market", page_size, 1, MAX_PAGE_SIZE)
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Api-Key": api_key}
        self._connection = connection
        self._business = _business_id(connection)
        self._page_size = page_size

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
    ) -> Mapping[str, Any]:
        what = f"{method} {path}"
        try:
            response = self._http.request(
                method, self._base + path, params=params, json_body=json_body, headers=self._headers
            )
        except HttpError as error:
            raise failure(PLATFORM, what, error) from error
        return _document(response, what)

    # ------------------------------------------------------------------ polling

    def _feedback_page(
        self, body: Mapping[str, Any], page_token: str | None, limit: int
    ) -> tuple[list[Any], str | None]:
        path = f"/v2/businesses/{self._business}/goods-feedback"
        document = self._call(
            "POST", path, params={"limit": limit, "pageToken": page_token}, json_body=dict(body)
        )
        result = document.get("result")
        if not isinstance(result, dict):
            raise unexpected_answer(PLATFORM, f"POST {path}", "no result object")
        feedbacks = result.get("feedbacks") or []
        if not isinstance(feedbacks, list):
            raise unexpected_answer(PLATFORM, f"POST {path}", "result.feedbacks is not a list")
        paging = result.get("paging")
        token = paging.get("nextPageToken") if isinstance(paging, dict) else None
        return feedbacks, token if isinstance(token, str) and token else None

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        if stream not in STREAMS:
            raise ValueError(f"Yandex Market has no stream {stream!r}; it has {', '.join(STREAMS)}")
        position = YandexMarketCursor.load(cursor)
        since = position.since
        if position.page_token is None and since is not None:
            since = max(since, now - MAX_LOOKBACK)  # a new window; a paging one keeps its query
        body: dict[str, Any] = {"reactionStatus": "NEED_REACTION"}
        if since is not None:
            body["dateTimeFrom"] = since.isoformat()
        items, next_token = self._feedback_page(body, position.page_token, self._page_size)

        envelopes: list[FeedbackEnvelope] = []
        malformed: list[tuple[str, str]] = []
        newest = position.window_newest
        for index, item in enumerate(items):
            try:
                envelope = self._review(as_object(item, "item"), now)
            except MalformedItem as problem:
                malformed.append((item_label(item, "feedbackId", index), str(problem)))
                continue
            envelopes.append(envelope)
            newest = envelope.created_at if newest is None else max(newest, envelope.created_at)

        if next_token is not None:
            after = YandexMarketCursor(since, next_token, newest)
        else:
            moved = newest - REVIEW_MODERATION_OVERLAP if newest is not None else None
            if moved is not None and since is not None:
                moved = max(moved, since)
            after = YandexMarketCursor(moved if moved is not None else since, None, None)
        return PollPage(envelopes, malformed, after.dump(), next_token is not None)

    def _review(self, item: Mapping[str, Any], now: datetime) -> FeedbackEnvelope:
        external_id = required_id(item, "feedbackId")
        created_at = parse_time(item.get("createdAt"), "createdAt")
        description = item.get("description") or {}
        if not isinstance(description, dict):
            raise MalformedItem("description is not an object")
        statistics = item.get("statistics") or {}
        if not isinstance(statistics, dict):
            raise MalformedItem("statistics is not an object")
        identifiers = item.get("identifiers") or {}
        if not isinstance(identifiers, dict):
            raise MalformedItem("identifiers is not an object")
        text = optional_text(description, "comment") or ""
        pros = optional_text(description, "advantages")
        cons = optional_text(description, "disadvantages")
        rating = optional_rating(statistics, "rating")
        if not text and pros is None and cons is None and rating is None:
            raise MalformedItem("neither a comment, advantages, disadvantages nor a rating")
        order_id = optional_id(identifiers, "orderId")
        author = optional_text(item, "author")
        need_reaction = item.get("needReaction")
        return build(
            lambda: FeedbackEnvelope(
                feedback_id=feedback_id(SOURCE, self._connection.name, "review", external_id),
                source=SOURCE,
                account=self._connection.name,
                kind="review",
                external_id=external_id,
                text=text,
                pros=pros,
                cons=cons,
                rating=rating,
                product=_product(identifiers),
                order=OrderRef(id=order_id) if order_id else None,
                author=Author(name=author.strip()) if author else None,
                photos=_photos(item.get("media")),
                answered=need_reaction is False,
                created_at=created_at,
                received_at=now,
            )
        )

    # ------------------------------------------------------------------ notified ids

    def fetch(self, job: FetchJob, now: datetime) -> list[FeedbackEnvelope]:
        """The feedback a notification named: a review by its id, or a customer's chat message.

        A review the customer or the Market deleted meanwhile, or a chat message from anyone but
        the customer, gives an empty list. An answer that cannot be mapped raises MalformedItem.
        """
        if job.kind == "review":
            return self._fetch_review(job.ids.get("feedback_id", ""), now)
        if job.kind == "chat":
            envelope = self._fetch_chat_message(
                job.ids.get("chat_id", ""), job.ids.get("message_id", ""), now
            )
            return [envelope] if envelope else []
        raise MalformedItem(f"Yandex Market notifications bring reviews and chats, not a {job.kind}")

    def _fetch_review(self, review_id: str, now: datetime) -> list[FeedbackEnvelope]:
        if not review_id.isdigit():
            raise MalformedItem(f"feedback_id {review_id!r} is not a Yandex Market review id")
        items, _ = self._feedback_page({"feedbackIds": [int(review_id)]}, None, MAX_FEEDBACK_IDS)
        return [self._review(as_object(item, "item"), now) for item in items]

    def _fetch_chat_message(self, chat_id: str, message_id: str, now: datetime) -> FeedbackEnvelope | None:
        if not chat_id.isdigit() or not message_id.isdigit():
            raise MalformedItem("a chat job needs numeric chat_id and message_id")
        path = f"/v2/businesses/{self._business}/chats/message"
        document = self._call("GET", path, params={"chatId": chat_id, "messageId": message_id})
        message = as_object(document.get("result"), "result")
        if message.get("sender") != "CUSTOMER":
            return None
        external_id = optional_id(message, "messageId") or message_id
        created_at = parse_time(message.get("createdAt"), "createdAt")
        attachments = message.get("payload") or []
        if not isinstance(attachments, list):
            raise MalformedItem("payload is not a list")
        return build(
            lambda: FeedbackEnvelope(
                feedback_id=feedback_id(SOURCE, self._connection.name, "chat", external_id),
                source=SOURCE,
                account=self._connection.name,
                kind="chat",
                external_id=external_id,
                text=optional_text(message, "message") or "",
                photos=tuple(
                    part["url"]
                    for part in attachments
                    if isinstance(part, dict) and isinstance(part.get("url"), str)
                ),
                reply_context={"chat_id": chat_id},
                created_at=created_at,
                received_at=now,
            )
        )

    # ------------------------------------------------------------------ replies

    def publish(self, reply: ApprovedReply) -> PublishedAnswer:
        enforce_reply_limit("yandex_market", reply.kind, reply.text)
        if reply.kind == "review":
            if not reply.external_id.isdigit():
                raise PermanentRejection(
                    NOT_SENT_STATUS, f"not sent: {reply.external_id!r} is not a review id"
                )
            document = self._call(
                "POST",
                f"/v2/businesses/{self._business}/goods-feedback/comments/update",
                json_body={"feedbackId": int(reply.external_id), "comment": {"text": reply.text}},
            )
            result = document.get("result")
            comment_id = optional_id(result, "id") if isinstance(result, dict) else None
        else:
            chat_id = reply.reply_context.get("chat_id", "")
            if not chat_id.isdigit():
                raise PermanentRejection(
                    NOT_SENT_STATUS, "not sent: a Yandex Market chat reply needs the chat_id"
                )
            self._call(
                "POST",
                f"/v2/businesses/{self._business}/chats/message",
                params={"chatId": chat_id},
                json_body={"message": reply.text},
            )
            comment_id = None
        return PublishedAnswer(
            marketplace=SOURCE, external_id=reply.external_id, text=reply.text, platform_answer_id=comment_id
        )


def _document(response: HttpResponse, what: str) -> Mapping[str, Any]:
    document = json_document(response, PLATFORM, what)
    if document.get("status") == "ERROR":
        raise PermanentRejection(response.status, platform_reason(response.body.decode("utf-8", "replace")))
    return document


def _product(identifiers: Mapping[str, Any]) -> ProductRef | None:
    """identifiers.offerId (the seller's sku) names the product; older answers carry modelId instead."""
    offer_id = optional_id(identifiers, "offerId")
    if offer_id is not None:
        return ProductRef(id=offer_id, sku=offer_id)
    model_id = optional_id(identifiers, "modelId")
    return ProductRef(id=model_id) if model_id is not None else None


def _photos(media: Any) -> tuple[str, ...]:
    if media is None:
        return ()
    if not isinstance(media, dict):
        raise MalformedItem("media is not an object")
    photos = media.get("photos") or []
    if not isinstance(photos, list):
        raise MalformedItem("media.photos is not a list")
    return tuple(photo for photo in photos if isinstance(photo, str) and photo)


# ---------------------------------------------------------------------- notifications


class _BadNotification(Exception):
    """A notification the docs would not send: answered 400 WRONG_EVENT_FORMAT."""


def _wrong_format(message: str) -> PushResult:
    return PushResult(400, {"error": {"type": WRONG_EVENT_FORMAT, "message": message}})


def _numeric(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise _BadNotification(f"{key} is missing or not a number")
    return str(value).strip()


def handle_yandex_notification(body: bytes, connection: Connection, now: datetime) -> PushResult:
    """Answer a Yandex Market notification at once (its timeout: 1 s for PING, 10 s otherwise).

    Nothing is fetched here.

    Every accepted notification gets 200 {"version", "name", "time"}; GOODS_FEEDBACK_CREATED and
    CHAT_MESSAGE_SENT also bring a FetchJob for the fetch queue. A body that is not a notification,
    or one for another cabinet, gets 400 {"error": {"type": "WRONG_EVENT_FORMAT", "message"}}.
    """
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _wrong_format("the body is not JSON")
    if not isinstance(document, dict):
        return _wrong_format("the body is not a JSON object")
    kind = document.get("notificationType")
    if not isinstance(kind, str) or not kind:
        return _wrong_format("notificationType is missing")
    accepted = {"version": __version__, "name": INTEGRATION_NAME, "time": iso_seconds(now)}
    if kind not in ("GOODS_FEEDBACK_CREATED", "CHAT_MESSAGE_SENT"):
        return PushResult(200, accepted)
    try:
        business_id = _numeric(document, "businessId")
        expected = connection.settings.get("business_id")
        if expected and business_id != expected:
            raise _BadNotification(f"businessId {business_id} is not this connection's cabinet")
        if kind == "GOODS_FEEDBACK_CREATED":
            job = FetchJob(connection.name, "review", {"feedback_id": _numeric(document, "feedbackId")}, now)
        else:
            ids = {"chat_id": _numeric(document, "chatId"), "message_id": _numeric(document, "messageId")}
            job = FetchJob(connection.name, "chat", ids, now)
    except _BadNotification as problem:
        return _wrong_format(f"{kind}: {problem}")
    return PushResult(200, accepted, fetch_jobs=[job])
