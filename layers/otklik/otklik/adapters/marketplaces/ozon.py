"""Ozon HTTP client: polls and backfills unprocessed reviews and questions; publishes, reads back and
replaces replies.

What the items and chat pushes mean and how the cursor moves are platform facts, in
otklik.domain.marketplaces.ozon; this module only makes the calls and checks the answers' shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otklik.adapters.http import HttpError, HttpResponse, HttpTransport
from otklik.adapters.marketplaces.failures import failure, json_document, unexpected_answer
from otklik.domain.marketplaces.backfill import BackfillWindow
from otklik.domain.marketplaces.connections import check_connector
from otklik.domain.marketplaces.limits import NOT_SENT_STATUS, enforce_reply_limit, reply_limit
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Connection,
    PermanentRejection,
    PollPage,
    PublishedReply,
    ReplyReadBack,
)
from otklik.domain.marketplaces.ozon import (
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
    PLATFORM,
    SOURCE,
    STREAMS,
    OzonCursor,
    backfill_page,
    listed_read_back,
    poll_page,
)
from otklik.domain.models import FeedbackKind

# How far a read-back pages through a review's comments or a question's answers: our reply is among
# the first few; a thread longer than this is not worth more calls per poll.
COMMENT_PAGE_SIZE = 100
MAX_READ_BACK_PAGES = 5


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
        kind, key, document = self._list(stream, position, "ASC")
        return poll_page(
            kind,
            document.get(key) or [],
            position,
            document.get("last_id"),
            document.get("has_next"),
            self._connection.name,
            now,
        )

    def backfill(
        self, stream: str, cursor: dict[str, Any], window: BackfillWindow, now: datetime
    ) -> PollPage:
        """The list newest first from the top, until a page reaches what was published before the window."""
        position = OzonCursor.load(cursor)
        kind, key, document = self._list(stream, position, "DESC")
        return backfill_page(
            kind,
            document.get(key) or [],
            position,
            document.get("last_id"),
            document.get("has_next"),
            window.since,
            self._connection.name,
            now,
        )

    def _list(
        self, stream: str, position: OzonCursor, sort_dir: str
    ) -> tuple[FeedbackKind, str, Mapping[str, Any]]:
        """The stream's kind, the answer's key of its items, and the answer (its items checked a list)."""
        kind: FeedbackKind
        if stream == "reviews":
            path, key, kind = "/v1/review/list", "reviews", "review"
            body: dict[str, Any] = {
                "limit": self._page_size,
                "last_id": position.last_id,
                "sort_dir": sort_dir,
                "status": "UNPROCESSED",
            }
        elif stream == "questions":
            path, key, kind = "/v1/question/list", "questions", "question"
            body = {
                "filter": {"status": "UNPROCESSED"},
                "limit": self._page_size,
                "last_id": position.last_id,
                "sort_dir": sort_dir,
            }
        else:
            raise ValueError(f"Ozon has no stream {stream!r}; it has {', '.join(STREAMS)}")
        document = self._post(path, body)
        if not isinstance(document.get(key) or [], list):
            raise unexpected_answer(PLATFORM, f"POST {path}", f"{key} is not a list")
        return kind, key, document

    # ------------------------------------------------------------------ replies

    def publish(self, reply: ApprovedReply) -> PublishedReply:
        enforce_reply_limit("ozon", reply.kind, reply.text)
        answer_id: str | None
        if reply.kind == "review":
            document = self._post(
                "/v1/review/comment/create",
                {"review_id": reply.external_id, "text": reply.text, "mark_review_as_processed": True},
            )
            answer_id = _optional_str(document.get("comment_id"))
        elif reply.kind == "question":
            document = self._post(
                "/v1/question/answer/create",
                {"question_id": reply.external_id, "sku": _sku(reply), "text": reply.text},
            )
            answer_id = _optional_str(document.get("answer_id"))
        else:
            chat_id = reply.reply_context.get("chat_id", "")
            if not chat_id:
                raise PermanentRejection(NOT_SENT_STATUS, "not sent: an Ozon chat reply needs the chat_id")
            self._post("/v1/chat/send/message", {"chat_id": chat_id, "text": reply.text})
            answer_id = None
        return PublishedReply(
            marketplace=SOURCE, external_id=reply.external_id, text=reply.text, platform_answer_id=answer_id
        )

    # ------------------------------------------------------------------ read-back and replacement

    def read_back(self, reply: ApprovedReply, platform_answer_id: str | None) -> ReplyReadBack:
        """Our comment among the review's comments, or our answer among the question's answers.

        Ozon lists only what passed its moderation, so a reply is published or missing. A review or
        question Ozon no longer knows reads back as missing. Chat messages are not moderated on Ozon:
        a chat reply reads back as published.
        """
        reply_limit("ozon", reply.kind)  # refuses a kind Ozon takes no replies to
        if reply.kind == "chat":
            return ReplyReadBack("published", text=reply.text)
        try:
            if reply.kind == "review":
                entries = self._review_comments(reply.external_id)
            else:
                entries = self._question_answers(reply.external_id, _sku(reply))
        except PermanentRejection as refusal:
            if refusal.status == 404:
                return ReplyReadBack("missing")
            raise
        return listed_read_back(entries, platform_answer_id, reply.text)

    def replace(self, reply: ApprovedReply, previous_answer_id: str | None) -> PublishedReply:
        """A corrected reply where the previous one was refused. Ozon edits no comment or answer: the
        previous one (when its id is known) is deleted, then the new one created. A chat gets a new message.
        """
        enforce_reply_limit("ozon", reply.kind, reply.text)
        # Delete before create, and a previous reply already gone is no error: a retry after a failed
        # create deletes nothing more and creates the reply once.
        if previous_answer_id and reply.kind == "review":
            self._delete("/v1/review/comment/delete", {"comment_id": previous_answer_id})
        elif previous_answer_id and reply.kind == "question":
            self._delete("/v1/question/answer/delete", {"answer_id": previous_answer_id, "sku": _sku(reply)})
        return self.publish(reply)

    def _delete(self, path: str, body: Mapping[str, Any]) -> None:
        try:
            self._post(path, body)
        except PermanentRejection as refusal:
            if refusal.status != 404:
                raise

    def _review_comments(self, review_id: str) -> list[Any]:
        comments: list[Any] = []
        for _ in range(MAX_READ_BACK_PAGES):
            path = "/v1/review/comment/list"
            document = self._post(
                path,
                {
                    "review_id": review_id,
                    "limit": COMMENT_PAGE_SIZE,
                    "offset": len(comments),
                    "sort_dir": "ASC",
                },
            )
            page = document.get("comments") or []
            if not isinstance(page, list):
                raise unexpected_answer(PLATFORM, f"POST {path}", "comments is not a list")
            comments.extend(page)
            if len(page) < COMMENT_PAGE_SIZE:
                break
        return comments

    def _question_answers(self, question_id: str, sku: int) -> list[Any]:
        answers: list[Any] = []
        last_id = ""
        for _ in range(MAX_READ_BACK_PAGES):
            path = "/v1/question/answer/list"
            document = self._post(path, {"question_id": question_id, "sku": sku, "last_id": last_id})
            page = document.get("answers") or []
            if not isinstance(page, list):
                raise unexpected_answer(PLATFORM, f"POST {path}", "answers is not a list")
            answers.extend(page)
            following = document.get("last_id")
            if not page or not isinstance(following, str) or not following or following == last_id:
                break
            last_id = following
        return answers


def _sku(reply: ApprovedReply) -> int:
    """The question's sku, which Ozon's answer calls all need."""
    sku = reply.reply_context.get("sku", "")
    if not sku.isdigit():
        raise PermanentRejection(NOT_SENT_STATUS, "not sent: an Ozon answer needs the question's sku")
    return int(sku)


def _document(response: HttpResponse, what: str) -> Mapping[str, Any]:
    return json_document(response, PLATFORM, what)


def _optional_str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and str(value) else None
