"""Wildberries HTTP client: polls and backfills reviews and questions (feedbacks API); publishes, reads
back, edits replies.

What the items mean and how the cursor moves are platform facts, in
otklik.domain.marketplaces.wildberries; this module only makes the calls and checks the answers' shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otklik.adapters.http import HttpError, HttpResponse, HttpTransport, QueryValue
from otklik.adapters.marketplaces.failures import failure, platform_reason, unexpected_answer
from otklik.adapters.marketplaces.ratelimit import Limiter
from otklik.domain.marketplaces.backfill import BackfillWindow
from otklik.domain.marketplaces.connections import check_connector
from otklik.domain.marketplaces.limits import enforce_reply_limit, reply_limit
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Connection,
    PermanentRejection,
    PollPage,
    PublishedReply,
    ReplyReadBack,
)
from otklik.domain.marketplaces.wildberries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PLATFORM,
    SOURCE,
    STREAM_KINDS,
    STREAMS,
    WildberriesCursor,
    answer_read_back,
    backfill_position,
    poll_page,
)


class WildberriesConnector:
    """One Wildberries seller account: streams "feedbacks" (reviews) and "questions"."""

    streams = STREAMS

    def __init__(
        self,
        http: HttpTransport,
        base_url: str,
        token: str,
        connection: Connection,
        limiter: Limiter,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        check_connector(connection, "wildberries", page_size, 1, MAX_PAGE_SIZE)
        self._http = http
        self._base = base_url.rstrip("/")
        self._token = token
        self._connection = connection
        self._limiter = limiter
        self._page_size = page_size

    # ------------------------------------------------------------------ transport

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
    ) -> HttpResponse:
        self._limiter.acquire()
        try:
            return self._http.request(
                method,
                self._base + path,
                params=params,
                json_body=json_body,
                headers={"Authorization": self._token},
            )
        except HttpError as error:
            raise failure(PLATFORM, f"{method} {path}", error) from error

    @staticmethod
    def _document(response: HttpResponse, what: str) -> Mapping[str, Any]:
        try:
            document = response.json()
        except ValueError as error:
            raise unexpected_answer(PLATFORM, what, "not JSON") from error
        if not isinstance(document, dict):
            raise unexpected_answer(PLATFORM, what, "not a JSON object")
        if document.get("error") is True:
            raise PermanentRejection(
                response.status, platform_reason(response.body.decode("utf-8", "replace"))
            )
        return document

    # ------------------------------------------------------------------ polling

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        return self._list(stream, WildberriesCursor.load(cursor), None, now)

    def backfill(
        self, stream: str, cursor: dict[str, Any], window: BackfillWindow, now: datetime
    ) -> PollPage:
        """The unanswered items created within the window (dateFrom..dateTo, unix seconds), oldest first."""
        position = backfill_position(cursor, window.since)
        return self._list(stream, position, int(window.until.timestamp()), now)

    def _list(self, stream: str, position: WildberriesCursor, date_to: int | None, now: datetime) -> PollPage:
        if stream not in STREAM_KINDS:
            raise ValueError(f"Wildberries has no stream {stream!r}; it has {', '.join(STREAMS)}")
        kind = STREAM_KINDS[stream]
        what = f"GET /api/v1/{stream}"
        params: dict[str, QueryValue] = {
            "isAnswered": False,
            "take": self._page_size,
            "skip": position.skip,
            "order": "dateAsc",
            "dateFrom": position.date_from,
            "dateTo": date_to,
        }
        document = self._document(self._call("GET", f"/api/v1/{stream}", params=params), what)
        data = document.get("data")
        if not isinstance(data, dict):
            raise unexpected_answer(PLATFORM, what, "no data object")
        items = data.get(stream) or []
        if not isinstance(items, list):
            raise unexpected_answer(PLATFORM, what, f"data.{stream} is not a list")
        return poll_page(kind, items, position, self._page_size, self._connection.name, now)

    # ------------------------------------------------------------------ replies

    def publish(self, reply: ApprovedReply) -> PublishedReply:
        enforce_reply_limit("wildberries", reply.kind, reply.text)
        if reply.kind == "review":
            self._send_review_answer("POST", reply)
        else:
            self._answer_question(reply)
        return PublishedReply(marketplace=SOURCE, external_id=reply.external_id, text=reply.text)

    def read_back(self, reply: ApprovedReply, platform_answer_id: str | None) -> ReplyReadBack:
        """The review's or question's answer as WB shows it now: answer.state, answer.editable, answer.text.

        WB gives answers no id of their own, so platform_answer_id is not used. An item WB does not know
        (it takes an answer to an unknown review id silently) reads back as missing.
        """
        reply_limit("wildberries", reply.kind)  # refuses a kind WB takes no replies to
        path = "/api/v1/feedback" if reply.kind == "review" else "/api/v1/question"
        try:
            response = self._call("GET", path, params={"id": reply.external_id})
        except PermanentRejection as refusal:
            if refusal.status == 404:
                return answer_read_back(None)
            raise
        return answer_read_back(self._document(response, f"GET {path}").get("data"))

    def replace(self, reply: ApprovedReply, previous_answer_id: str | None) -> PublishedReply:
        """A corrected answer where the previous one was refused: a review's answer is edited (WB allows
        one edit, within 60 days; its refusal is a PermanentRejection), a question is answered again.
        WB gives answers no id, so previous_answer_id is not used."""
        enforce_reply_limit("wildberries", reply.kind, reply.text)
        if reply.kind == "review":
            self._send_review_answer("PATCH", reply)
        else:
            self._answer_question(reply)
        return PublishedReply(marketplace=SOURCE, external_id=reply.external_id, text=reply.text)

    def _send_review_answer(self, method: str, reply: ApprovedReply) -> None:
        """POST answers a review, PATCH edits its answer; both take {id, text} and answer 204."""
        path = "/api/v1/feedbacks/answer"
        response = self._call(method, path, json_body={"id": reply.external_id, "text": reply.text})
        if response.body.strip():
            self._document(response, f"{method} {path}")

    def _answer_question(self, reply: ApprovedReply) -> None:
        response = self._call(
            "PATCH",
            "/api/v1/questions",
            json_body={"id": reply.external_id, "answer": {"text": reply.text}, "state": "wbRu"},
        )
        if response.body.strip():
            self._document(response, "PATCH /api/v1/questions")
