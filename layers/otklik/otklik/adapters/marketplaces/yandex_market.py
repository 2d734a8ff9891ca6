"""Yandex Market HTTP client: polls, backfills and fetches reviews; publishes, reads back and changes replies.

What the reviews, chat messages and notifications mean and how the cursor moves are platform
facts, in otklik.domain.marketplaces.yandex_market; this module only makes the calls and checks
the answers' shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otklik.adapters.http import HttpError, HttpResponse, HttpTransport, QueryValue
from otklik.adapters.marketplaces.failures import failure, json_document, platform_reason, unexpected_answer
from otklik.domain.marketplaces.backfill import BackfillWindow
from otklik.domain.marketplaces.connections import check_connector
from otklik.domain.marketplaces.fields import as_object, optional_id
from otklik.domain.marketplaces.limits import NOT_SENT_STATUS, enforce_reply_limit, reply_limit
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Connection,
    FetchJob,
    MalformedItem,
    PermanentRejection,
    PollPage,
    PublishedReply,
    ReplyReadBack,
    reply_entry_id,
)
from otklik.domain.marketplaces.yandex_market import (
    MAX_FEEDBACK_IDS,
    MAX_PAGE_SIZE,
    PLATFORM,
    SOURCE,
    STREAMS,
    YandexMarketCursor,
    backfill_position,
    business_id,
    chat_envelope,
    comment_read_back,
    poll_page,
    review_envelope,
    shop_comment,
    window_since,
)
from otklik.domain.models import FeedbackEnvelope

# How far a read-back pages through a review's comments (50 a page): our comment is among the first.
MAX_COMMENT_PAGES = 5


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
        self._business = business_id(connection)
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
        return self._window(stream, YandexMarketCursor.load(cursor), None, now)

    def backfill(
        self, stream: str, cursor: dict[str, Any], window: BackfillWindow, now: datetime
    ) -> PollPage:
        """The reviews needing a reaction created within the window (dateTimeFrom..dateTimeTo), paged."""
        return self._window(stream, backfill_position(cursor, window.since), window.until, now)

    def _window(
        self, stream: str, position: YandexMarketCursor, until: datetime | None, now: datetime
    ) -> PollPage:
        if stream not in STREAMS:
            raise ValueError(f"Yandex Market has no stream {stream!r}; it has {', '.join(STREAMS)}")
        since = window_since(position, now)
        body: dict[str, Any] = {"reactionStatus": "NEED_REACTION"}
        if since is not None:
            body["dateTimeFrom"] = since.isoformat()
        if until is not None:
            body["dateTimeTo"] = until.isoformat()
        items, next_token = self._feedback_page(body, position.page_token, self._page_size)
        return poll_page(items, position, since, next_token, self._connection.name, now)

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
        return [review_envelope(as_object(item, "item"), self._connection.name, now) for item in items]

    def _fetch_chat_message(self, chat_id: str, message_id: str, now: datetime) -> FeedbackEnvelope | None:
        if not chat_id.isdigit() or not message_id.isdigit():
            raise MalformedItem("a chat job needs numeric chat_id and message_id")
        path = f"/v2/businesses/{self._business}/chats/message"
        document = self._call("GET", path, params={"chatId": chat_id, "messageId": message_id})
        message = as_object(document.get("result"), "result")
        return chat_envelope(message, chat_id, message_id, self._connection.name, now)

    # ------------------------------------------------------------------ replies

    def publish(self, reply: ApprovedReply) -> PublishedReply:
        enforce_reply_limit("yandex_market", reply.kind, reply.text)
        if reply.kind == "review":
            return self._save_comment(reply, None)
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
        return PublishedReply(marketplace=SOURCE, external_id=reply.external_id, text=reply.text)

    # ------------------------------------------------------------------ read-back and replacement

    def read_back(self, reply: ApprovedReply, platform_answer_id: str | None) -> ReplyReadBack:
        """Our comment among the review's comments: its status (PUBLISHED, UNMODERATED, BANNED) and
        canModify; a comment (or review) Market deleted reads back as missing. Market does not moderate
        the shop's chat messages: a chat reply reads back as published."""
        reply_limit("yandex_market", reply.kind)  # refuses a kind Market takes no replies to
        if reply.kind == "chat":
            return ReplyReadBack("published", text=reply.text)
        try:
            comments = self._comments(_review_id(reply))
        except PermanentRejection as refusal:
            if refusal.status == 404:
                return ReplyReadBack("missing")
            raise
        return comment_read_back(comments, platform_answer_id, reply.text)

    def replace(self, reply: ApprovedReply, previous_answer_id: str | None) -> PublishedReply:
        """A corrected reply where the previous one was refused: the shop's comment on the review is
        changed in place when Market lets it be (canModify), else PermanentRejection says it may not;
        with no comment left on the review a new one is made. A chat gets a new message."""
        enforce_reply_limit("yandex_market", reply.kind, reply.text)
        if reply.kind != "review":
            return self.publish(reply)
        previous = shop_comment(self._comments(_review_id(reply)), previous_answer_id)
        if previous is None:
            return self._save_comment(reply, None)
        comment_id = reply_entry_id(previous)
        if previous.get("canModify") is not True or comment_id is None or not comment_id.isdigit():
            raise PermanentRejection(
                NOT_SENT_STATUS,
                f"not sent: Yandex Market does not let comment {comment_id} on review {reply.external_id} "
                "be changed (canModify is false)",
            )
        return self._save_comment(reply, int(comment_id))

    def _save_comment(self, reply: ApprovedReply, comment_id: int | None) -> PublishedReply:
        """comments/update makes a new comment on the review, or changes comment_id's text."""
        comment: dict[str, Any] = {"text": reply.text}
        if comment_id is not None:
            comment["id"] = comment_id
        document = self._call(
            "POST",
            f"/v2/businesses/{self._business}/goods-feedback/comments/update",
            json_body={"feedbackId": _review_id(reply), "comment": comment},
        )
        result = document.get("result")
        saved_id = optional_id(result, "id") if isinstance(result, dict) else None
        return PublishedReply(
            marketplace=SOURCE, external_id=reply.external_id, text=reply.text, platform_answer_id=saved_id
        )

    def _comments(self, review_id: int) -> list[Any]:
        path = f"/v2/businesses/{self._business}/goods-feedback/comments"
        comments: list[Any] = []
        token: str | None = None
        for _ in range(MAX_COMMENT_PAGES):
            document = self._call(
                "POST",
                path,
                params={"limit": MAX_PAGE_SIZE, "pageToken": token},
                json_body={"feedbackId": review_id},
            )
            result = document.get("result")
            page = result.get("comments") if isinstance(result, dict) else None
            if not isinstance(page, list):
                raise unexpected_answer(PLATFORM, f"POST {path}", "no result.comments list")
            comments.extend(page)
            paging = result.get("paging") if isinstance(result, dict) else None
            following = paging.get("nextPageToken") if isinstance(paging, dict) else None
            if not isinstance(following, str) or not following:
                break
            token = following
        return comments


def _review_id(reply: ApprovedReply) -> int:
    if not reply.external_id.isdigit():
        raise PermanentRejection(NOT_SENT_STATUS, f"not sent: {reply.external_id!r} is not a review id")
    return int(reply.external_id)


def _document(response: HttpResponse, what: str) -> Mapping[str, Any]:
    document = json_document(response, PLATFORM, what)
    if document.get("status") == "ERROR":
        raise PermanentRejection(response.status, platform_reason(response.body.decode("utf-8", "replace")))
    return document
