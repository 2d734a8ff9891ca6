"""Marketplace use cases on in-memory ports: polls from cursors, pushes, approving and publishing replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from otklik.domain.errors import Conflict, InvalidRequest, NotFound
from otklik.domain.ids import feedback_id
from otklik.domain.lifecycle import TicketSettings
from otklik.domain.marketplaces.backfill import BackfillWindow, PollRefused, PollRequest
from otklik.domain.marketplaces.models import (
    ApprovedReply,
    Connection,
    FetchJob,
    MalformedItem,
    PermanentRejection,
    PollPage,
    PublishedReply,
    PushResult,
    StoredCursor,
    TransientError,
)
from otklik.domain.messages import FetchMessage, MalformedMessage, RejectedReply
from otklik.domain.models import FeedbackEnvelope, FeedbackItem, ReplyState, StatusChange, Ticket, Tonality
from otklik.domain.replies.settings import ReplySettings
from otklik.usecases.fetch import fetch_notified
from otklik.usecases.poll import PageBudgets, poll_connection, poll_requested
from otklik.usecases.push import accept_push
from otklik.usecases.reply import ReplyRequest, approve_reply, publish_approved, publish_reply
from tests.unit.marketplaces.platform_items import body, ozon_chat_message

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
        self.windows_seen: list[BackfillWindow] = []

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        self.cursors_seen.append(cursor)
        step = self._pages[stream].pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def backfill(
        self, stream: str, cursor: dict[str, Any], window: BackfillWindow, now: datetime
    ) -> PollPage:
        self.windows_seen.append(window)
        return self.poll(stream, cursor, now)

    def publish(self, reply: ApprovedReply) -> PublishedReply:
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


@dataclass
class Directory:
    """The seller's connections, as the Connections port gives them."""

    connections: dict[str, Connection]

    def all(self) -> dict[str, Connection]:
        return self.connections


@dataclass
class SecretStore:
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values[name]


DIRECTORY = Directory({"ozon-main": OZON, "wb-main": WB})
SECRETS = SecretStore({"/p/push": "url-token"})


def _push(
    connection_name: str = "ozon-main",
    token: str = "url-token",
    document: dict[str, Any] | None = None,
    directory: Directory = DIRECTORY,
) -> tuple[PushResult, Queue, Queue]:
    ingest, fetch = Queue(), Queue()
    outcome = accept_push(
        "ozon",
        connection_name,
        token,
        "203.0.113.5",
        body(document or ozon_chat_message()),
        NOW,
        directory,
        SECRETS,
        ingest,
        fetch,
        max_body_bytes=256 * 1024,
    )
    return outcome, ingest, fetch


def test_a_push_queues_its_feedback_before_answering_as_the_platform_wants() -> None:
    outcome, ingest, fetch = _push()
    assert (outcome.status, outcome.body) == (200, {"result": True})
    assert [m.external_id for m in ingest.sent] == ["3000000000817031942"]  # type: ignore[attr-defined]
    assert fetch.sent == []


def test_a_yandex_market_notification_queues_a_fetch_job_not_feedback() -> None:
    ym = Connection(
        name="ym-main",
        marketplace="yandex_market",
        credentials={"api_key": "/p/ym"},
        push_token_parameter="/p/push",
        settings={"business_id": "777"},
    )
    ingest, fetch = Queue(), Queue()
    notification = {"notificationType": "GOODS_FEEDBACK_CREATED", "businessId": 777, "feedbackId": 9}

    outcome = accept_push(
        "yandex_market",
        "ym-main",
        "url-token",
        "",
        body(notification),
        NOW,
        Directory({"ym-main": ym}),
        SECRETS,
        ingest,
        fetch,
        max_body_bytes=256 * 1024,
    )

    assert outcome.status == 200
    assert ingest.sent == []
    assert fetch.sent == [
        FetchMessage(connection="ym-main", kind="review", ids={"feedback_id": "9"}, notified_at=NOW)
    ]


@pytest.mark.parametrize(
    "directory",
    [
        Directory({}),
        Directory({"ozon-main": OZON.model_copy(update={"marketplace": "yandex_market"})}),
        Directory({"ozon-main": OZON.model_copy(update={"enabled": False})}),
        Directory({"ozon-main": OZON.model_copy(update={"push_token_parameter": None})}),
    ],
    ids=["unknown", "another-marketplace", "disabled", "takes-no-pushes"],
)
def test_a_push_to_a_connection_that_takes_none_is_404_and_reveals_nothing(directory: Directory) -> None:
    with pytest.raises(NotFound) as refused:
        _push(directory=directory)
    assert "ozon-main" in refused.value.message  # the same words whichever of the four it was


def test_a_push_with_the_wrong_url_token_queues_nothing() -> None:
    with pytest.raises(NotFound, match="no such push endpoint"):
        _push(token="guessed")


def test_a_push_the_platform_would_not_send_is_answered_in_its_own_words_and_queues_nothing() -> None:
    outcome, ingest, fetch = _push(document={"message_type": "TYPE_NEW_MESSAGE"})
    assert outcome.status == 400
    assert outcome.body["error"]["code"] == "ERROR_PARAMETER_VALUE_MISSED"
    assert (ingest.sent, fetch.sent) == ([], [])


# ---------------------------------------------------------------- polling due connections


class Registry:
    """Connectors by connection name; records which connections were asked for."""

    def __init__(self, connectors: dict[str, Any]) -> None:
        self._connectors = connectors
        self.asked: list[str] = []

    def connector(self, connection: Connection) -> Any:
        self.asked.append(connection.name)
        return self._connectors[connection.name]

    def fetcher(self, connection: Connection) -> Any:
        self.asked.append(connection.name)
        return self._connectors[connection.name]


@dataclass
class PolledCursors(Cursors):
    last: dict[str, datetime] = field(default_factory=dict)

    def last_polled(self, connection: str) -> datetime | None:
        return self.last.get(connection)


def test_only_enabled_connections_whose_interval_has_passed_are_polled_unless_forced() -> None:
    # Given three connections: due (last polled 6 min ago), not due (1 min ago) and disabled
    due = WB
    fresh = WB.model_copy(update={"name": "wb-fresh"})
    off = WB.model_copy(update={"name": "wb-off", "enabled": False})
    page = PollPage([envelope("a")], [], {"skip": 1}, more=False)
    connectors = {
        name: ScriptedConnector({"feedbacks": [page]}) for name in ("wb-main", "wb-fresh", "wb-off")
    }
    directory = Directory({c.name: c for c in (due, fresh, off)})
    cursors = PolledCursors(
        last={"wb-main": NOW - timedelta(minutes=6), "wb-fresh": NOW - timedelta(minutes=1)}
    )
    registry = Registry(connectors)

    # When the schedule fires, and then when someone forces a poll
    reports = poll_requested(PollRequest(), NOW, directory, registry, cursors, Queue(), PageBudgets(poll=5))
    forced = Registry({name: ScriptedConnector({"feedbacks": [page]}) for name in connectors})
    poll_requested(PollRequest(force=True), NOW, directory, forced, cursors, Queue(), PageBudgets(poll=5))

    # Then only the due one is read on schedule; forcing reads every enabled one, never the disabled
    assert [r.connection for r in reports] == ["wb-main"]
    assert registry.asked == ["wb-main"]
    assert forced.asked == ["wb-main", "wb-fresh"]


def test_a_named_connection_is_polled_now_though_its_interval_has_not_passed() -> None:
    page = PollPage([envelope("a")], [], {"skip": 1}, more=False)
    fresh = WB.model_copy(update={"name": "wb-fresh"})
    directory = Directory({c.name: c for c in (WB, fresh)})
    cursors = PolledCursors(last={"wb-main": NOW, "wb-fresh": NOW})
    registry = Registry({name: ScriptedConnector({"feedbacks": [page]}) for name in directory.connections})

    reports = poll_requested(
        PollRequest(connection="wb-fresh"), NOW, directory, registry, cursors, Queue(), PageBudgets()
    )

    assert [r.connection for r in reports] == ["wb-fresh"] and registry.asked == ["wb-fresh"]
    assert cursors.get("wb-fresh", "feedbacks").cursor == {"skip": 1}


# ---------------------------------------------------------------- backfills

WINDOW = BackfillWindow(since=NOW - timedelta(days=10), until=NOW)


def test_a_backfill_reads_from_the_window_and_leaves_the_stored_cursors_and_poll_times_alone() -> None:
    # Given a connection whose cursor is well ahead, and a backfill that reads two pages again
    connector = ScriptedConnector(
        {
            "feedbacks": [
                PollPage([envelope("old1"), envelope("old2")], [], {"date_from": 1}, more=True),
                PollPage([envelope("old3")], [], {"date_from": 2}, more=False),
            ]
        }
    )
    ahead = StoredCursor({"date_from": 99}, 7)
    cursors = PolledCursors(stored={("wb-main", "feedbacks"): ahead}, last={"wb-main": NOW})
    queue = Queue()

    # When the connection is backfilled
    (report,) = poll_requested(
        PollRequest(connection="wb-main", backfill=WINDOW),
        NOW,
        Directory({"wb-main": WB}),
        Registry({"wb-main": connector}),
        cursors,
        queue,
        PageBudgets(),
    )

    # Then the items are queued, read with the backfill's own cursor from empty, and nothing stored moved
    assert [m.external_id for m in queue.sent] == ["old1", "old2", "old3"]  # type: ignore[attr-defined]
    assert connector.cursors_seen == [{}, {"date_from": 1}]
    assert connector.windows_seen == [WINDOW, WINDOW]
    assert cursors.get("wb-main", "feedbacks") == ahead
    assert cursors.polls == []  # its interval keeps counting from the last real poll
    assert (report.ingested, report.pages, report.unfinished) == (3, 2, False)


def test_a_backfill_that_runs_out_of_pages_says_it_left_the_rest_unread() -> None:
    page = PollPage([envelope("x")], [], {"skip": 1}, more=True)
    connector = ScriptedConnector({"feedbacks": [page, page, page]})

    (report,) = poll_requested(
        PollRequest(backfill=WINDOW),
        NOW,
        Directory({"wb-main": WB}),
        Registry({"wb-main": connector}),
        PolledCursors(),
        Queue(),
        PageBudgets(backfill=2),
    )

    assert (report.pages, report.unfinished) == (2, True)


def test_a_backfill_of_an_unknown_connection_is_refused_before_anything_is_read() -> None:
    registry = Registry({"wb-main": ScriptedConnector({"feedbacks": []})})
    queue = Queue()

    with pytest.raises(PollRefused, match="'wb-mian' is not a connection; the enabled ones: wb-main"):
        poll_requested(
            PollRequest(connection="wb-mian", backfill=WINDOW),
            NOW,
            Directory({"wb-main": WB}),
            registry,
            PolledCursors(),
            queue,
            PageBudgets(),
        )
    assert (registry.asked, queue.sent) == ([], [])


# ---------------------------------------------------------------- fetching notified ids


class Fetching:
    def __init__(self, outcome: list[FeedbackEnvelope] | Exception) -> None:
        self.outcome = outcome
        self.jobs: list[FetchJob] = []

    def fetch(self, job: FetchJob, now: datetime) -> list[FeedbackEnvelope]:
        self.jobs.append(job)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


YM = Connection(
    name="ym-main",
    marketplace="yandex_market",
    credentials={"api_key": "/p/ym"},
    settings={"business_id": "7"},
)
FETCH = FetchMessage(connection="ym-main", kind="review", ids={"feedback_id": "9"}, notified_at=NOW)


def test_notified_feedback_is_fetched_and_queued() -> None:
    fetcher, queue = Fetching([envelope("9", "yandex_market", "ym-main")]), Queue()

    count = fetch_notified(FETCH, NOW, Directory({"ym-main": YM}), Registry({"ym-main": fetcher}), queue)

    assert count == 1
    assert [m.external_id for m in queue.sent] == ["9"]  # type: ignore[attr-defined]
    assert fetcher.jobs == [FetchJob("ym-main", "review", {"feedback_id": "9"}, NOW)]


@pytest.mark.parametrize(
    ("directory", "fetcher"),
    [
        (Directory({}), Fetching([])),
        (Directory({"ym-main": WB.model_copy(update={"name": "ym-main"})}), Fetching([])),
        (Directory({"ym-main": YM}), Fetching(MalformedItem("no createdAt"))),
    ],
    ids=["unknown-connection", "not-a-fetching-marketplace", "unmappable-answer"],
)
def test_a_fetch_that_cannot_succeed_is_malformed_so_it_waits_in_the_dlq(
    directory: Directory, fetcher: Fetching
) -> None:
    queue = Queue()
    with pytest.raises(MalformedMessage):
        fetch_notified(FETCH, NOW, directory, Registry({"ym-main": fetcher}), queue)
    assert queue.sent == []


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

    def approve(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None = None) -> bool:
        self.approved.append(reply)
        return self.accept

    def update(self, before: Ticket, after: Ticket) -> bool:
        self.ticket = after
        if after.reply is not None and after.reply.status == "published":
            self.published.append((after.reply.reply_id, after.reply.text))
        return True

    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str, *, auto: bool = False) -> bool:
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
        (Store(_ticket(), _item(source="custom")), ReplyRequest(text="Да"), InvalidRequest),
        (Store(_ticket(), _item()), ReplyRequest(text="   "), InvalidRequest),
        (Store(_ticket(), _item()), ReplyRequest(text="я" * 5001), InvalidRequest),
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

    def __init__(self, outcome: PublishedReply | Exception) -> None:
        self.outcome = outcome

    def poll(self, stream: str, cursor: dict[str, Any], now: datetime) -> PollPage:
        raise AssertionError("not used")

    def publish(self, reply: ApprovedReply) -> PublishedReply:
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


SETTINGS = TicketSettings()


def _approved_state() -> ReplyState:
    return ReplyState(
        reply_id="rp_1", text="Да, есть", status="approved", approved_by="anna", approved_at=NOW
    )


def test_a_published_reply_is_recorded_on_its_ticket_as_its_first_response() -> None:
    store, dead = Store(_ticket(_approved_state()), _item()), Queue()
    connector = PublishingConnector(PublishedReply("wildberries", "q-77", "Да, есть"))
    outcome = publish_reply(_approved(), connector, store, store, dead, NOW, SETTINGS)
    assert outcome.published is not None
    assert store.published == [("rp_1", "Да, есть")]
    assert dead.sent == []
    # And the ticket has had its first response, and waits for the customer
    assert store.ticket is not None
    assert (store.ticket.first_response_at, store.ticket.status) == (NOW, "waiting_customer")


def test_a_permanent_refusal_goes_to_the_dlq_with_the_platforms_reason() -> None:
    store, dead = Store(_ticket(), _item()), Queue()
    outcome = publish_reply(
        _approved(),
        PublishingConnector(PermanentRejection(400, "Ответ слишком длинный")),
        store,
        store,
        dead,
        NOW,
        SETTINGS,
    )
    assert outcome.rejected is not None
    assert store.rejected == [("rp_1", "Ответ слишком длинный")]
    assert dead.sent == [
        RejectedReply(reply=_approved(), status=400, reason="Ответ слишком длинный", rejected_at=NOW)
    ]


def test_a_transient_failure_raises_so_the_message_is_retried_and_records_nothing() -> None:
    store, dead = Store(_ticket(), _item()), Queue()
    with pytest.raises(TransientError):
        publish_reply(
            _approved(), PublishingConnector(TransientError("HTTP 503")), store, store, dead, NOW, SETTINGS
        )
    assert (store.published, store.rejected, dead.sent) == ([], [], [])


def test_an_approved_reply_is_published_through_the_connection_it_names() -> None:
    store, dead = Store(_ticket(_approved_state()), _item()), Queue()
    connector = PublishingConnector(PublishedReply("wildberries", "q-77", "Да, есть"))
    registry = Registry({"wb-main": connector})

    outcome = publish_approved(_approved(), NOW, DIRECTORY, registry, store, store, dead, SETTINGS)

    assert outcome.published is not None
    assert store.published == [("rp_1", "Да, есть")]


@pytest.mark.parametrize(
    "directory",
    [Directory({}), Directory({"wb-main": OZON.model_copy(update={"name": "wb-main"})})],
    ids=["no-such-connection", "another-marketplace"],
)
def test_a_reply_for_a_connection_that_is_gone_is_malformed_and_records_nothing(directory: Directory) -> None:
    store, dead = Store(_ticket(), _item()), Queue()
    with pytest.raises(MalformedMessage):
        publish_approved(_approved(), NOW, directory, Registry({}), store, store, dead, SETTINGS)
    assert (store.published, store.rejected, dead.sent) == ([], [], [])


# ---------------------------------------------------------------- where a published reply takes the ticket


def test_an_approver_may_resolve_the_ticket_with_the_reply_naming_its_root_cause() -> None:
    # Given a reply approved with "resolve it once published, the question answered"
    store, queue = Store(_ticket(), _item()), Queue()
    request = ReplyRequest(
        text="Да, есть", approved_by="anna", after_reply="resolved", root_cause="question_answered"
    )
    approved = approve_reply("tk_1", request, NOW, store, store, store, queue)
    store.ticket = _ticket(_approved_state())
    # When it is published
    connector = PublishingConnector(PublishedReply("wildberries", "q-77", "Да, есть"))
    publish_reply(approved, connector, store, store, Queue(), NOW, SETTINGS)
    # Then the ticket is resolved with that root cause, not left waiting for the customer
    assert store.ticket is not None
    assert (store.ticket.status, store.ticket.root_cause) == ("resolved", "question_answered")
    assert store.ticket.history[-1].by == "anna"


def test_a_rules_after_reply_applies_when_the_approver_says_nothing() -> None:
    # Given a ticket whose rules said "resolved once answered, root cause question_answered"
    ruled = _ticket(_approved_state()).model_copy(
        update={"after_reply": "resolved", "after_reply_root_cause": "question_answered"}
    )
    store = Store(ruled, _item())
    # When its reply is published
    connector = PublishingConnector(PublishedReply("wildberries", "q-77", "Да, есть"))
    publish_reply(_approved(), connector, store, store, Queue(), NOW, SETTINGS)
    # Then the rule's wish holds
    assert store.ticket is not None
    assert (store.ticket.status, store.ticket.root_cause) == ("resolved", "question_answered")


@pytest.mark.parametrize(
    "request_",
    [
        ReplyRequest(text="Да", after_reply="resolved"),
        ReplyRequest(text="Да", after_reply="resolved", root_cause="no_such_cause"),
        ReplyRequest(text="Да", root_cause="question_answered"),
        ReplyRequest(text="Да", after_reply="waiting_customer", root_cause="question_answered"),
    ],
    ids=["resolved-without-cause", "unknown-cause", "cause-alone", "cause-without-resolving"],
)
def test_an_after_reply_that_cannot_be_kept_is_refused_before_anything_is_approved(
    request_: ReplyRequest,
) -> None:
    store, queue = Store(_ticket(), _item()), Queue()
    with pytest.raises(InvalidRequest):
        approve_reply("tk_1", request_, NOW, store, store, store, queue)
    assert (store.approved, queue.sent) == ([], [])


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("Здравствуйте! Позвоните нам: +7 912 345-67-89", "contact"),
        ("Подробности на myshop.ru, ждём вас", "link"),
        ("Здравствуйте, {{ name }}! Спасибо за отзыв", "template_markup"),
    ],
    ids=["phone", "link", "markup"],
)
def test_a_reply_that_fails_the_check_is_refused_with_the_check_and_where_and_nothing_is_approved(
    text: str, check: str
) -> None:
    store, queue = Store(_ticket(), _item()), Queue()

    with pytest.raises(InvalidRequest) as refused:
        approve_reply("tk_1", ReplyRequest(text=text), NOW, store, store, store, queue)

    (problem,) = [d for d in refused.value.details if d["check"] == check]
    assert text[problem["start"] : problem["end"]].strip()
    assert check in refused.value.message
    assert (store.approved, queue.sent) == ([], [])


def test_the_sellers_stop_words_refuse_a_reply_at_approval() -> None:
    store, queue = Store(_ticket(), _item()), Queue()
    stop = ReplySettings(stop_words=("компенсаци*",))

    with pytest.raises(InvalidRequest) as refused:
        approve_reply(
            "tk_1",
            ReplyRequest(text="Предложим компенсацию"),
            NOW,
            store,
            store,
            store,
            queue,
            reply_settings=stop,
        )

    assert [d["check"] for d in refused.value.details] == ["stop_word"]
    assert (store.approved, queue.sent) == ([], [])


class CountingConnector(PublishingConnector):
    def __init__(self) -> None:
        super().__init__(PublishedReply("wildberries", "q-77", "Да, есть"))
        self.sent = 0

    def publish(self, reply: ApprovedReply) -> PublishedReply:
        self.sent += 1
        return super().publish(reply)


def test_a_reply_that_fails_the_check_in_force_at_publishing_is_never_sent() -> None:
    # Given a reply approved before the seller made one of its words a stop-word
    store, dead, connector = Store(_ticket(_approved_state()), _item()), Queue(), CountingConnector()
    stop = ReplySettings(stop_words=("есть",))
    # When publish_answers takes it
    outcome = publish_reply(_approved(), connector, store, store, dead, NOW, SETTINGS, reply_settings=stop)
    # Then the platform never sees it: it is recorded as rejected and dead-lettered with the check's reason
    assert connector.sent == 0
    assert outcome.published is None and outcome.rejected is not None
    assert outcome.rejected.reason.startswith("refused by the reply check: stop_word:")
    assert store.rejected == [("rp_1", outcome.rejected.reason)]
    assert dead.sent == [outcome.rejected]
