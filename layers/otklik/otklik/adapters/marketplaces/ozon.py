"""Ozon HTTP client: polls unprocessed reviews and questions from the Seller API, publishes replies back.

What the items and chat pushes mean and how the cursor moves are platform facts, in
otklik.domain.marketplaces.ozon; this module only makes the calls and checks the answers' shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otklik.adapters.http import HttpError, HttpResponse, HttpTransport
from otklik.adapters.marketplaces.failures import failure, json_document, unexpected_answer
from otklik.domain.marketplaces.connections import check_connector
from otklik.domain.marketplaces.limits import NOT_SENT_STATUS, enforce_reply_limit
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Connection,
    PermanentRejection,
    PollPage,
    PublishedReply,
)
from otklik.domain.marketplaces.ozon import (
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
    PLATFORM,
    SOURCE,
    STREAMS,
    OzonCursor,
    poll_page,
)
from otklik.domain.models import FeedbackKind


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
        kind: FeedbackKind
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
        return poll_page(
            kind,
            items,
            position,
            document.get("last_id"),
            document.get("has_next"),
            self._connection.name,
            now,
        )

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
        return PublishedReply(
            marketplace=SOURCE, external_id=reply.external_id, text=reply.text, platform_answer_id=answer_id
        )


def _document(response: HttpResponse, what: str) -> Mapping[str, Any]:
    return json_document(response, PLATFORM, what)


def _optional_str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and str(value) else None
