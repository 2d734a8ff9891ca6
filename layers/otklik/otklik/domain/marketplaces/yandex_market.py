"""Yandex Market platform facts: its stream, its cursor, how its reviews, chats and notifications read.

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
- A backfill (otklik.domain.marketplaces.backfill) asks the same list with dateTimeFrom just before the
  window's start and dateTimeTo its end, paging with a cursor of its own that is never stored.

New reviews and chat messages also arrive as notifications; parse_notification answers at once
with FetchJobs and the HTTP client, otklik.adapters.marketplaces.yandex_market, reads the
feedback behind them later.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from otklik import __version__
from otklik.domain.ids import feedback_id
from otklik.domain.json_input import UnreadableJson, read_json_object
from otklik.domain.marketplaces.fields import (
    as_object,
    build,
    item_label,
    optional_id,
    optional_rating,
    optional_text,
    parse_time,
    required_id,
)
from otklik.domain.marketplaces.models import (
    Connection,
    FetchJob,
    MalformedItem,
    PollPage,
    PushResult,
    ReplyReadBack,
    ReplyVisibility,
    find_reply,
    reply_entry_id,
)
from otklik.domain.models import (
    MAX_PHOTO_URL_CHARS,
    MAX_PHOTOS,
    Author,
    FeedbackEnvelope,
    OrderRef,
    ProductRef,
)
from otklik.domain.timefmt import iso_seconds

SOURCE = "yandex_market"
PLATFORM = "Yandex Market"
STREAMS: tuple[str, ...] = ("goods_feedback",)
MAX_PAGE_SIZE = 50  # goods-feedback: limit 1..50
MAX_FEEDBACK_IDS = 50  # feedbackIds: at most 50, and alone (no other filter with it)
REVIEW_MODERATION_OVERLAP = timedelta(days=3)
MAX_LOOKBACK = timedelta(days=180)  # dateTimeFrom may be at most six months before dateTimeTo (now)

INTEGRATION_NAME = "otklik"
WRONG_EVENT_FORMAT = "WRONG_EVENT_FORMAT"
# A comment's status: PUBLISHED is shown, UNMODERATED waits for Market's moderation, BANNED was refused
# by it; deleted comments are left out of the list altogether.
COMMENT_VISIBILITY: dict[str, ReplyVisibility] = {
    "PUBLISHED": "published",
    "UNMODERATED": "pending",
    "BANNED": "rejected",
    "DELETED": "missing",
}


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


def business_id(connection: Connection) -> str:
    """The cabinet's number (settings.business_id) every path of the API names."""
    number = connection.settings.get("business_id", "")
    if not number.isdigit():
        raise ValueError(f"connection {connection.name} needs settings.business_id, the cabinet's number")
    return number


def window_since(position: YandexMarketCursor, now: datetime) -> datetime | None:
    """The dateTimeFrom of the page to ask for at `position`: None asks for the last six months."""
    since = position.since
    if position.page_token is None and since is not None:
        since = max(since, now - MAX_LOOKBACK)  # a new window; a paging one keeps its query
    return since


def backfill_position(cursor: Mapping[str, Any], since: datetime) -> YandexMarketCursor:
    """Where a backfill's next page starts: its own cursor once it has read a page, else a window from a
    second before `since` (dateTimeFrom is exclusive, so a review written at `since` is still read)."""
    if cursor:
        return YandexMarketCursor.load(cursor)
    return YandexMarketCursor(since=since - timedelta(seconds=1))


def poll_page(
    items: list[Any],
    position: YandexMarketCursor,
    since: datetime | None,
    next_token: str | None,
    account: str,
    now: datetime,
) -> PollPage:
    """The page a list of raw reviews makes, asked from `since` at `position`; next_token: the answer's."""
    envelopes: list[FeedbackEnvelope] = []
    malformed: list[tuple[str, str]] = []
    newest = position.window_newest
    for index, item in enumerate(items):
        try:
            envelope = review_envelope(as_object(item, "item"), account, now)
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


def review_envelope(item: Mapping[str, Any], account: str, now: datetime) -> FeedbackEnvelope:
    """A goods-feedback review as feedback of `account`, the connection's name."""
    external_id = required_id(item, "feedbackId")
    created_at = parse_time(item.get("createdAt"), "createdAt", now)
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
            feedback_id=feedback_id(SOURCE, account, "review", external_id),
            source=SOURCE,
            account=account,
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


def chat_envelope(
    message: Mapping[str, Any], chat_id: str, message_id: str, account: str, now: datetime
) -> FeedbackEnvelope | None:
    """A chat message asked for by chat_id and message_id; None when the customer did not send it."""
    if message.get("sender") != "CUSTOMER":
        return None
    external_id = optional_id(message, "messageId") or message_id
    created_at = parse_time(message.get("createdAt"), "createdAt", now)
    attachments = message.get("payload") or []
    if not isinstance(attachments, list):
        raise MalformedItem("payload is not a list")
    return build(
        lambda: FeedbackEnvelope(
            feedback_id=feedback_id(SOURCE, account, "chat", external_id),
            source=SOURCE,
            account=account,
            kind="chat",
            external_id=external_id,
            text=optional_text(message, "message") or "",
            photos=_sane_links(part.get("url") for part in attachments if isinstance(part, dict)),
            reply_context={"chat_id": chat_id},
            created_at=created_at,
            received_at=now,
        )
    )


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
    return _sane_links(photos)


def _sane_links(links: Iterable[Any]) -> tuple[str, ...]:
    """The first MAX_PHOTOS links of sane length: more would not fit a queue message, and a link too
    long to be one is left out rather than the whole review."""
    sane = (link for link in links if isinstance(link, str) and 0 < len(link) <= MAX_PHOTO_URL_CHARS)
    return tuple(itertools.islice(sane, MAX_PHOTOS))


# ---------------------------------------------------------------------- our comments, read back


def _is_shop_comment(comment: Mapping[str, Any]) -> bool:
    """A comment of the shop's own on the review itself (not a reply inside a buyer's thread)."""
    author = comment.get("author")
    return isinstance(author, dict) and author.get("type") == "BUSINESS" and comment.get("parentId") is None


def shop_comment(
    comments: list[Any], comment_id: str | None, text: str | None = None
) -> Mapping[str, Any] | None:
    """Our comment among a review's comments (goods-feedback/comments): the one with comment_id, else
    the shop's latest on the review with `text` (any text when None)."""
    return find_reply(comments, comment_id, text, _is_shop_comment)


def comment_read_back(comments: list[Any], comment_id: str | None, text: str) -> ReplyReadBack:
    """What a review's comments show of our reply: its status, its text and whether it may be changed."""
    comment = shop_comment(comments, comment_id, text)
    if comment is None:
        return ReplyReadBack("missing")
    status, shown, can_modify = comment.get("status"), comment.get("text"), comment.get("canModify")
    state: ReplyVisibility | None = COMMENT_VISIBILITY.get(status) if isinstance(status, str) else None
    reason: str | None = None if state == "published" else f"{PLATFORM} comment status {status}"
    if state is None:
        state, reason = "pending", f"{PLATFORM} comment status {status!r} is not one otklik knows"
    return ReplyReadBack(
        state,
        reason,
        text=shown if isinstance(shown, str) else None,
        platform_answer_id=reply_entry_id(comment),
        can_edit=can_modify if isinstance(can_modify, bool) else None,
    )


# ---------------------------------------------------------------------- notifications


class _BadNotification(Exception):
    """A notification the docs would not send: answered 400 WRONG_EVENT_FORMAT."""


def _wrong_format(message: str) -> PushResult:
    return PushResult(400, {"error": {"type": WRONG_EVENT_FORMAT, "message": message}})


# Yandex Market's ids are 64-bit integers: at most 20 digits.
_MAX_ID_DIGITS = 20


def _numeric(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _BadNotification(f"{key} is missing or not a number")
    # Bounded, so that no digit string of any length travels onto the fetch queue; ASCII digits
    # only, since "²" and "٣" are digits to str.isdigit.
    text = value.strip() if isinstance(value, str) else str(value)
    if not (len(text) <= _MAX_ID_DIGITS and text.isascii() and text.isdigit()):
        raise _BadNotification(f"{key} is not a number of at most {_MAX_ID_DIGITS} digits")
    return text


def parse_notification(body: bytes, connection: Connection, now: datetime) -> PushResult:
    """Answer a Yandex Market notification at once (its timeout: 1 s for PING, 10 s otherwise).

    Nothing is fetched here.

    Every accepted notification gets 200 {"version", "name", "time"}; GOODS_FEEDBACK_CREATED and
    CHAT_MESSAGE_SENT also bring a FetchJob for the fetch queue. A body that is not a notification,
    or one for another cabinet, gets 400 {"error": {"type": "WRONG_EVENT_FORMAT", "message"}}.
    """
    try:
        document = read_json_object(body)
    except UnreadableJson as error:
        return _wrong_format(str(error))
    kind = document.get("notificationType")
    if not isinstance(kind, str) or not kind:
        return _wrong_format("notificationType is missing")
    accepted = {"version": __version__, "name": INTEGRATION_NAME, "time": iso_seconds(now)}
    if kind not in ("GOODS_FEEDBACK_CREATED", "CHAT_MESSAGE_SENT"):
        return PushResult(200, accepted)
    try:
        business = _numeric(document, "businessId")
        expected = connection.settings.get("business_id")
        if expected and business != expected:
            raise _BadNotification(f"businessId {business} is not this connection's cabinet")
        if kind == "GOODS_FEEDBACK_CREATED":
            job = FetchJob(connection.name, "review", {"feedback_id": _numeric(document, "feedbackId")}, now)
        else:
            ids = {"chat_id": _numeric(document, "chatId"), "message_id": _numeric(document, "messageId")}
            job = FetchJob(connection.name, "chat", ids, now)
    except _BadNotification as problem:
        return _wrong_format(f"{kind}: {problem}")
    return PushResult(200, accepted, fetch_jobs=[job])
