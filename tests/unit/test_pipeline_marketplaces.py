"""Marketplace use cases on in-memory ports: polls from cursors, pushes, approving and publishing replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from otklik.adapters.cursor_store import StoredCursor
from otklik.errors import BadRequest, Conflict, NotFound, Unauthorized
from otklik.ids import feedback_id
from otklik.marketplaces.base import (
    ApprovedReply,
    Connection,
    FetchJob,
    PermanentRejection,
    PollPage,
    PublishedAnswer,
    PushResult,
    TransientError,
)
from otklik.messages import FetchMessage, RejectedReply
from otklik.models import FeedbackEnvelope, FeedbackItem, ReplyState, StatusChange, Ticket, Tonality
from otklik.pipeline.poll import poll_connection
from otklik.pipeline.push import accept_push
from otklik.pipeline.reply import ReplyRequest, approve_reply, publish_reply

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
WB = Connection(name="wb-main", marketplace="wildberries", credentials={"token": "/p/token"})
OZON = Connection(
    name="ozon-main",
    marketplace="ozon",
    credentials={"client_id": "/p/id", "api_key": "/p/key"},
    push_token_parameter="/p/push",
)


def envelope(external_id: str, source: str = "wildberries", account: str = "wb-main") -> FeedbackEnvelope:
    return FeedbackEnvelope(
        feedback_id=feedback_id(source, account, "review", external_id),
        source=source,
        account=account,
        kind="review",
        external_id=external_id,
        text="Порвалось через день",
        rating=1,
        created_at=NOW - timedelta(hours=1),
        received_at=NOW,
    )


@dataclass
class Queue:
    sent: list[BaseModel] = field(default_factory=list)
    log: list[str] | None = None

    def send(self, message: BaseModel) -> str:
        self.sent.append(message)
        if self.log is not None:
            self.log.append("send")
        return str(len(self.sent))


@dataclass
class Cursors:
    stored: dict[tuple[str, str], StoredCursor] = field(default_factory=dict)
    polls: list[str] = field(default_factory=list)
    log: list[str] | None = None

    def get(self, connection: str, stream: str) -> StoredCursor:
        return self.stored.get((connection, stream), StoredCursor({}, 0))

    def save(
        self, connection: str, stream: str, cursor: dict[str, Any], read: StoredCursor, now: datetime
    ) -> int:
        if self.log is not None:
            self.log.append("save")
        self.stored[(connection, stream)] = StoredCursor(cursor, read.version + 1)
        return read.version + 1

    def record_poll(self, connection: str, now: datetime) -> None:
        self.polls.append(connection)


class ScriptedConnector:
    """Pages per stream, in order; an exception in the script is raised at its turn."""

    def __init__(self, pages: dict[str, list[PollPage | Exception]]) -> None:
        self.streams = tuple(pages)
        self._pages = {stream: list(script) for stream, script in pages.items()}
        self.cursors_seen: list[dict[str, Any]] = []

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        self.cursors_seen.append(cursor)
        step = self._pages[stream].pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def publish(self, reply: ApprovedReply) -> PublishedAnswer:
        raise AssertionError("not used")


# ---------------------------------------------------------------- polling


def test_a_poll_queues_each_page_before_moving_its_cursor_and_resumes_from_it() -> None:
    # Given two pages of feedbacks, the second with one malformed item
    log: list[str] = []
    connector = ScriptedConnector(
        {
            "feedbacks": [
                PollPage([envelope("a"), envelope("b")], [], {"skip": 2}, more=True),
                PollPage([envelope("c")], [("7", "no createdDate")], {"skip": 3}, more=False),
            ]
        }
    )
    cursors, queue = Cursors(log=log), Queue(log=log)
    # When the connection is polled
    reports = poll_connection(WB, connector, cursors, queue, NOW)
    # Then every item is queued before the cursor moves past it, and the next poll starts from there
    assert log == ["send", "send", "save", "send", "save"]
    assert connector.cursors_seen == [{}, {"skip": 2}]
    assert cursors.get("wb-main", "feedbacks").cursor == {"skip": 3}
    assert (reports[0].ingested, reports[0].pages, reports[0].malformed) == (3, 2, [("7", "no createdDate")])
    assert cursors.polls == ["wb-main"]


def test_a_transient_failure_stops_its_stream_and_the_other_streams_go_on() -> None:
    connector = ScriptedConnector(
        {
            "feedbacks": [TransientError("HTTP 503")],
            "questions": [PollPage([envelope("q1")], [], {"skip": 1}, more=False)],
        }
    )
    cursors, queue = Cursors(), Queue()
    reports = poll_connection(WB, connector, cursors, queue, NOW)
    assert [(r.stream, r.ingested, r.error) for r in reports] == [
        ("feedbacks", 0, "HTTP 503"),
        ("questions", 1, None),
    ]
    assert cursors.get("wb-main", "feedbacks").version == 0  # nothing moved where nothing was read


def test_a_poll_reads_at_most_max_pages_a_stream() -> None:
    page = PollPage([envelope("x")], [], {"skip": 1}, more=True)
    connector = ScriptedConnector({"feedbacks": [page, page, page]})
    reports = poll_connection(WB, connector, Cursors(), Queue(), NOW, max_pages=2)
    assert reports[0].pages == 2


# ---------------------------------------------------------------- pushes


def _push(
    connection_name: str = "ozon-main", check: Any = None, result: PushResult | None = None
) -> tuple[PushResult, Queue, Queue]:
    ingest, fetch = Queue(), Queue()
    job = FetchJob(connection="ozon-main", kind="review", ids={"feedback_id": "9"}, notified_at=NOW)
    outcome = accept_push(
        "ozon",
        connection_name,
        "url-token",
        "203.0.113.5",
        b"{}",
        NOW,
        {"ozon-main": OZON, "wb-main": WB},
        lambda connection: "expected-token",
        check or (lambda *args: None),
        lambda body, connection, now: (
            result or PushResult(200, {"result": True}, [envelope("m1", "ozon", "ozon-main")], [job])
        ),
        ingest,
        fetch,
    )
    return outcome, ingest, fetch


def test_a_push_queues_its_feedback_and_fetch_jobs_before_answering() -> None:
    outcome, ingest, fetch = _push()
    assert (outcome.status, outcome.body) == (200, {"result": True})
    assert [m.external_id for m in ingest.sent] == ["m1"]  # type: ignore[attr-defined]
    assert fetch.sent == [
        FetchMessage(connection="ozon-main", kind="review", ids={"feedback_id": "9"}, notified_at=NOW)
    ]


@pytest.mark.parametrize("name", ["nobody", "wb-main"])
def test_a_push_for_an_unknown_connection_or_another_marketplace_is_404(name: str) -> None:
    with pytest.raises(NotFound):
        _push(name)


def test_a_push_that_fails_its_check_queues_nothing() -> None:
    seen: list[tuple[Any, ...]] = []

    def refuse(*args: Any) -> None:
        seen.append(args)
        raise Unauthorized("wrong push token")

    ingest, fetch = Queue(), Queue()
    with pytest.raises(Unauthorized):
        accept_push(
            "ozon",
            "ozon-main",
            "url-token",
            "203.0.113.5",
            b"{}",
            NOW,
            {"ozon-main": OZON},
            lambda connection: "expected-token",
            refuse,
            lambda *a: PushResult(200, {}),
            ingest,
            fetch,
        )
    assert seen == [("url-token", "expected-token", "203.0.113.5", ())]
    assert (ingest.sent, fetch.sent) == ([], [])


# ---------------------------------------------------------------- replies


def _ticket(reply: ReplyState | None = None) -> Ticket:
    return Ticket(
        id="tk_1",
        feedback_id="fb_1",
        source="wildberries",
        account="wb-main",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=NOW,
        first_response_due_at=NOW,
        tonality_label="negative",
        excerpt="Порвалось",
        history=(StatusChange(at=NOW, by="otklik", status="open"),),
        reply=reply,
    )


def _item(source: str = "wildberries") -> FeedbackItem:
    return FeedbackItem(
        id="fb_1",
        source=source,
        account="wb-main",
        kind="question",
        external_id="q-77",
        text="Есть размер M?",
        text_masked="Есть размер M?",
        created_at=NOW,
        received_at=NOW,
        day="2026-11-22",
        lang="ru",
        tonality=Tonality(label="neutral", compound=0.0, lang="ru", engine="test"),
        engines={},
        reply_context={"sku": "123"},
    )


@dataclass
class Store:
    ticket: Ticket | None
    item: FeedbackItem | None
    accept: bool = True
    approved: list[ReplyState] = field(default_factory=list)
    published: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        return self.ticket

    def get_item(self, feedback_id: str) -> FeedbackItem | None:
        return self.item

    def approve(self, ticket_id: str, reply: ReplyState) -> bool:
        self.approved.append(reply)
        return self.accept

    def mark_published(
        self, ticket_id: str, reply_id: str, at: datetime, answer: str | None, text: str
    ) -> bool:
        self.published.append((reply_id, text))
        return True

    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str) -> bool:
        self.rejected.append((reply_id, reason))
        return True


def test_an_approved_reply_is_recorded_and_queued_with_what_publishing_needs() -> None:
    store, queue = Store(_ticket(), _item()), Queue()
    reply = approve_reply(
        "tk_1", ReplyRequest(text=" Да, есть ", approved_by="anna"), NOW, store, store, store, queue
    )
    assert queue.sent == [reply]
    assert (reply.marketplace, reply.connection, reply.kind, reply.external_id) == (
        "wildberries",
        "wb-main",
        "question",
        "q-77",
    )
    assert (reply.text, reply.reply_context, reply.approved_by) == ("Да, есть", {"sku": "123"}, "anna")
    assert store.approved[0].status == "approved"


@pytest.mark.parametrize(
    ("store", "request_", "error"),
    [
        (Store(None, _item()), ReplyRequest(text="Да"), NotFound),
        (Store(_ticket(), _item(source="custom")), ReplyRequest(text="Да"), BadRequest),
        (Store(_ticket(), _item()), ReplyRequest(text="   "), BadRequest),
        (Store(_ticket(), _item()), ReplyRequest(text="я" * 5001), BadRequest),
        (Store(_ticket(), _item(), accept=False), ReplyRequest(text="Да"), Conflict),
    ],
    ids=["no-ticket", "own-channel", "no-text-no-draft", "too-long", "another-reply-exists"],
)
def test_a_reply_that_cannot_be_approved_is_refused_and_nothing_is_queued(
    store: Store, request_: ReplyRequest, error: type[Exception]
) -> None:
    queue = Queue()
    with pytest.raises(error):
        approve_reply("tk_1", request_, NOW, store, store, store, queue)
    assert queue.sent == []


class PublishingConnector:
    streams = ()

    def __init__(self, outcome: PublishedAnswer | Exception) -> None:
        self.outcome = outcome

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        raise AssertionError("not used")

    def publish(self, reply: ApprovedReply) -> PublishedAnswer:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def _approved() -> ApprovedReply:
    return ApprovedReply(
        reply_id="rp_1",
        ticket_id="tk_1",
        feedback_id="fb_1",
        marketplace="wildberries",
        connection="wb-main",
        kind="question",
        external_id="q-77",
        text="Да, есть",
        approved_by="anna",
        approved_at=NOW,
    )


def test_a_published_reply_is_recorded_on_its_ticket() -> None:
    store, dead = Store(_ticket(), _item()), Queue()
    outcome = publish_reply(
        _approved(), PublishingConnector(PublishedAnswer("wildberries", "q-77", "Да, есть")), store, dead, NOW
    )
    assert outcome.answer is not None
    assert store.published == [("rp_1", "Да, есть")]
    assert dead.sent == []


def test_a_permanent_refusal_goes_to_the_dlq_with_the_platforms_reason() -> None:
    store, dead = Store(_ticket(), _item()), Queue()
    outcome = publish_reply(
        _approved(), PublishingConnector(PermanentRejection(400, "Ответ слишком длинный")), store, dead, NOW
    )
    assert outcome.rejected is not None
    assert store.rejected == [("rp_1", "Ответ слишком длинный")]
    assert dead.sent == [
        RejectedReply(reply=_approved(), status=400, reason="Ответ слишком длинный", rejected_at=NOW)
    ]


def test_a_transient_failure_raises_so_the_message_is_retried_and_records_nothing() -> None:
    store, dead = Store(_ticket(), _item()), Queue()
    with pytest.raises(TransientError):
        publish_reply(_approved(), PublishingConnector(TransientError("HTTP 503")), store, dead, NOW)
    assert (store.published, store.rejected, dead.sent) == ([], [], [])
