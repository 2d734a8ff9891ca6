"""Tickets on moto through the ops API: status and assignment routes and their refusals, GET /tickets'
filters (one Query of a page each, newest first), and concurrent changes that lose nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.seed import SAMPLE_CONFIG
from otklik.adapters import aws
from otklik.adapters.dynamo import model_to_document, to_item
from otklik.adapters.team_turns import TeamTurns
from otklik.adapters.ticket_store import TicketStore
from otklik.domain.errors import Conflict
from otklik.domain.lifecycle import TicketSettings, TransitionRefused
from otklik.domain.models import Ticket
from otklik.domain.sla import clock
from otklik.domain.timefmt import iso_seconds
from otklik.usecases.tickets import AssignRequest, StatusRequest, assign_ticket, change_status
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event, request_event
from tests.unit.samples import stored_ticket

FUNCTION = "OpsApiFunction"
NOW = datetime.now(UTC).replace(microsecond=0)
SETTINGS = TicketSettings()


def _ticket(ticket_id: str, age_minutes: int = 0, **changes: Any) -> Ticket:
    return stored_ticket(ticket_id, created_at=NOW - timedelta(minutes=60 - age_minutes), **changes)


def _store(stack: Stack) -> TicketStore:
    return TicketStore(stack.dynamodb, stack.table("TicketsTable"))


def _post(stack: Stack, ticket_id: str, action: str, body: bytes | dict[str, Any]) -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    event = request_event(
        "POST",
        f"/tickets/{{id}}/{action}",
        f"/tickets/{ticket_id}/{action}",
        raw,
        {"id": ticket_id},
        {"Authorization": "Bearer test-token"},
    )
    response: dict[str, Any] = stack.invoke(FUNCTION, event)
    return response


def _list(stack: Stack, **query: str) -> dict[str, Any]:
    response = stack.invoke(FUNCTION, ops_event("/tickets", "/tickets", query=query))
    assert response["statusCode"] == 200, response["body"][:300]
    listed: dict[str, Any] = body_of(response)
    return listed


def _ids(stack: Stack, **query: str) -> list[str]:
    return [item["id"] for item in _list(stack, **query)["items"]]


def _error(response: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    assert response["statusCode"] == status, response["body"][:300]
    error: dict[str, Any] = body_of(response)["error"]
    assert error["code"] == code
    return error


# ---------------------------------------------------------------- POST /tickets/{id}/status and /assign


def test_a_ticket_goes_through_its_lifecycle_and_the_history_says_who_and_when(stack: Stack) -> None:
    # Given an open ticket
    _store(stack).create(_ticket("tk_1"))
    steps = [
        {"status": "acknowledged", "by": "anna"},
        {"status": "in_progress", "by": "anna", "note": "Звоню покупателю"},
        {"status": "resolved", "by": "anna", "root_cause": "product_defect", "note": "Заменили"},
        {"status": "open", "by": "ivan", "note": "Покупатель пишет снова"},
        {"status": "resolved", "by": "ivan", "root_cause": "delivery"},
        {"status": "closed", "by": "lead"},
    ]
    # When agents move it, step by step
    answers = [_post(stack, "tk_1", "status", step) for step in steps]

    # Then each answer is 200 with the ticket as it now is, its version one more each time
    assert [a["statusCode"] for a in answers] == [200] * len(steps)
    shown = [body_of(a) for a in answers]
    assert [(t["status"], t["version"]) for t in shown] == [
        ("acknowledged", 1),
        ("in_progress", 2),
        ("resolved", 3),
        ("open", 4),
        ("resolved", 5),
        ("closed", 6),
    ]
    # And the stored ticket shows the same, with every change in its history
    stored = _store(stack).get("tk_1")
    assert stored is not None and stored == shown[-1]
    assert [(h["status"], h["by"]) for h in stored["history"][1:]] == [(s["status"], s["by"]) for s in steps]
    assert (stored["root_cause"], stored["history"][3]["root_cause"]) == ("delivery", "product_defect")
    assert stored["history"][2]["note"] == "Звоню покупателю"


def test_a_move_the_lifecycle_refuses_is_a_409_saying_from_what_to_what_and_what_is_allowed(
    stack: Stack,
) -> None:
    _store(stack).create(_ticket("tk_1", status="resolved", resolved_at=NOW, root_cause="delivery"))

    error = _error(_post(stack, "tk_1", "status", {"status": "acknowledged", "by": "anna"}), 409, "conflict")

    assert error["message"] == (
        "ticket tk_1 cannot go from resolved to acknowledged;"
        " from resolved it can go to open, in_progress, closed"
    )
    assert error["details"] == [
        {"from": "resolved", "to": "acknowledged", "allowed": ["open", "in_progress", "closed"]}
    ]
    assert _store(stack).get("tk_1")["version"] == 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"status": "resolved", "by": "anna"}, "resolving needs a root_cause"),
        ({"status": "resolved", "by": "anna", "root_cause": "luck"}, "root_cause must be one of"),
        ({"status": "done", "by": "anna"}, "does not match the schema"),
        ({"status": "acknowledged"}, "does not match the schema"),
        ({"status": "acknowledged", "by": "anna", "why": "x"}, "does not match the schema"),
        (b'{"status": "acknowledged", "by": "anna"', "JSON"),
    ],
    ids=["no-root-cause", "unknown-root-cause", "unknown-status", "no-by", "unknown-field", "broken-json"],
)
def test_a_bad_status_body_is_a_400_and_changes_nothing(
    stack: Stack, body: dict[str, Any] | bytes, fragment: str
) -> None:
    _store(stack).create(_ticket("tk_1"))

    error = _error(_post(stack, "tk_1", "status", body), 400, "bad_request")

    assert fragment in error["message"] or fragment in json.dumps(error.get("details", []))
    assert _store(stack).get("tk_1")["status"] == "open"  # type: ignore[index]


@pytest.mark.parametrize("action", ["status", "assign"])
def test_an_unknown_ticket_is_a_404(stack: Stack, action: str) -> None:
    body = (
        {"status": "acknowledged", "by": "anna"} if action == "status" else {"assignee": "anna", "by": "lead"}
    )

    _error(_post(stack, "tk_nope", action, body), 404, "not_found")
    _error(_post(stack, "tk_" + "a" * 5000, action, body), 404, "not_found")


def test_assigning_a_ticket_shows_it_assigned_and_in_the_assignees_list(stack: Stack) -> None:
    _store(stack).create(_ticket("tk_1"))

    answer = _post(stack, "tk_1", "assign", {"assignee": "Анна Петрова", "by": "lead"})

    assert answer["statusCode"] == 200
    assert body_of(answer)["assignee"] == "Анна Петрова"
    assert body_of(answer)["history"][-1]["note"] == "assigned to Анна Петрова"
    assert _ids(stack, assignee="Анна Петрова") == ["tk_1"]
    # And unassigning takes it off that list
    assert _post(stack, "tk_1", "assign", {"assignee": None, "by": "lead"})["statusCode"] == 200
    assert _ids(stack, assignee="Анна Петрова") == []


def test_only_a_teams_members_are_assigned_when_the_team_lists_them(stack: Stack) -> None:
    stack.put_config(
        SAMPLE_CONFIG.read_text("utf-8").replace(
            "teams:\n  - name: support\n", "teams:\n  - name: support\n    members: [anna, ivan]\n"
        )
    )
    _store(stack).create(_ticket("tk_1"))

    refused = _error(_post(stack, "tk_1", "assign", {"assignee": "petr", "by": "lead"}), 400, "bad_request")
    assert "anna, ivan" in refused["message"]
    assert _post(stack, "tk_1", "assign", {"assignee": "ivan", "by": "lead"})["statusCode"] == 200


def test_a_closed_ticket_is_not_assigned(stack: Stack) -> None:
    _store(stack).create(_ticket("tk_1", status="closed", resolved_at=NOW, root_cause="spam"))

    _error(_post(stack, "tk_1", "assign", {"assignee": "anna", "by": "lead"}), 409, "conflict")


HOSTILE_BODIES: dict[str, bytes] = {
    "3000-brackets": b"[" * 3000,
    "huge-integer": b'{"status": "open", "by": ' + b"1" * 5000 + b"}",
    "lone-surrogate": b'{"status": "acknowledged", "by": "\\ud800"}',
    "nan": b'{"status": NaN, "by": "anna"}',
    "not-an-object": b'["acknowledged"]',
    "nul-by": json.dumps({"status": "acknowledged", "by": "\u0000" * 100}).encode(),
    "note-2001": json.dumps({"status": "acknowledged", "by": "anna", "note": "я" * 2001}).encode(),
    "status-object": json.dumps({"status": {"$ne": "x"}, "by": "anna"}).encode(),
    "root-cause-huge": json.dumps({"status": "resolved", "by": "anna", "root_cause": "x" * 10_000}).encode(),
    "assignee-list": json.dumps({"assignee": ["anna"], "by": "lead"}).encode(),
    "assignee-hash": json.dumps({"assignee": "a#breached=true\u0000", "by": "lead"}).encode(),
    "empty": b"",
}


def test_hostile_bodies_are_refused_in_our_shape_never_a_5xx_and_change_nothing(stack: Stack) -> None:
    _store(stack).create(_ticket("tk_1"))
    wrong = []
    for case, body in HOSTILE_BODIES.items():
        for action in ("status", "assign"):
            response = _post(stack, "tk_1", action, body)
            error = body_of(response).get("error", {})
            if (
                response["statusCode"] not in (400, 413)
                or "code" not in error
                or len(response["body"]) > 2000
            ):
                wrong.append(f"{action} {case}: {response['statusCode']} {response['body'][:100]}")
    oversized = json.dumps({"status": "acknowledged", "by": "anna", "note": "😀" * 5000}).encode()
    too_large = _post(stack, "tk_1", "status", oversized)

    assert wrong == []
    _error(too_large, 413, "payload_too_large")
    assert _store(stack).get("tk_1")["version"] == 0  # type: ignore[index]


def test_a_ticket_stored_before_the_lifecycle_reads_as_version_0_and_takes_its_first_change(
    stack: Stack,
) -> None:
    # Given a ticket as the store wrote it before versions, queue entries and the new fields existed
    document = model_to_document(_ticket("tk_old"))
    for field in ("version", "tags", "linked_feedback", "repeat_contacts", "matched_rules", "notify"):
        document.pop(field, None)
    document.update(pk="TICKET#tk_old", sk="TICKET", created_at=iso_seconds(_ticket("tk_old").created_at))
    stack.dynamodb.put_item(TableName=stack.table("TicketsTable"), Item=to_item(document))
    assert _ids(stack, team="support") == []  # no queue entries yet

    # When an agent acknowledges it, then filters for it
    answer = _post(stack, "tk_old", "status", {"status": "acknowledged", "by": "anna"})

    # Then it is changed as any other, and found by its filters from now on
    assert answer["statusCode"] == 200, answer["body"][:300]
    assert body_of(answer)["version"] == 1
    assert _ids(stack, status="acknowledged", team="support") == ["tk_old"]


# ---------------------------------------------------------------- GET /tickets filters


@pytest.fixture
def queue(stack: Stack) -> dict[str, Ticket]:
    """Five tickets a minute apart (a oldest), each differing in what the filters look at."""
    store = _store(stack)
    tickets = {
        "a": _ticket("tk_a", 0, assignee="anna"),
        "b": _ticket(
            "tk_b", 1, priority="normal", assignee="ivan", first_response_due_at=NOW - timedelta(hours=1)
        ),
        "c": _ticket("tk_c", 2, team="logistics", assignee="anna"),
        "d": _ticket("tk_d", 3),
        "e": _ticket("tk_e", 4, assignee="anna"),
    }
    for ticket in tickets.values():
        assert store.create(ticket)
    late = store.get_ticket("tk_b")
    assert late is not None
    assert store.update(late, clock.record(late, clock.due(late, NOW), NOW, lambda target, at: ()))
    assert _post(stack, "tk_e", "status", {"status": "in_progress", "by": "anna"})["statusCode"] == 200
    return tickets


FILTERED = [
    ({}, ["tk_d", "tk_c", "tk_b", "tk_a"]),
    ({"status": "open"}, ["tk_d", "tk_c", "tk_b", "tk_a"]),
    ({"team": "support"}, ["tk_d", "tk_b", "tk_a"]),
    ({"team": "logistics"}, ["tk_c"]),
    ({"priority": "high"}, ["tk_d", "tk_c", "tk_a"]),
    ({"priority": "urgent"}, []),
    ({"assignee": "anna"}, ["tk_c", "tk_a"]),
    ({"breached": "true"}, ["tk_b"]),
    ({"breached": "false"}, ["tk_d", "tk_c", "tk_a"]),
    ({"team": "support", "priority": "high"}, ["tk_d", "tk_a"]),
    ({"team": "support", "priority": "high", "assignee": "anna", "breached": "false"}, ["tk_a"]),
    ({"team": "support", "breached": "true", "assignee": "ivan"}, ["tk_b"]),
    ({"status": "in_progress"}, ["tk_e"]),
    ({"status": "in_progress", "assignee": "anna"}, ["tk_e"]),
    ({"status": "resolved", "team": "support"}, []),
]


@pytest.mark.parametrize(("query", "expected"), FILTERED, ids=[json.dumps(q) for q, _ in FILTERED])
def test_each_filter_and_their_combinations_list_matching_tickets_newest_first(
    stack: Stack, queue: dict[str, Ticket], query: dict[str, str], expected: list[str]
) -> None:
    assert _ids(stack, **query) == expected


def test_every_filtered_listing_is_one_query_of_one_page_and_never_a_scan(
    stack: Stack, queue: dict[str, Ticket]
) -> None:
    # Given the calls the ops API makes to DynamoDB, recorded
    _ids(stack)  # builds the service and its client
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, dict(params)))

    client = aws.client("dynamodb")
    client.meta.events.register("provide-client-params.dynamodb.*", record)
    try:
        for query, _expected in FILTERED:
            calls.clear()
            _list(stack, **query, limit="2")
            queries = [params for name, params in calls if name == "Query"]
            # Then each listing is one Query, of a page, newest first, and the rest reads by key
            assert len(queries) == 1, query
            assert (queries[0]["Limit"], queries[0]["ScanIndexForward"]) == (2, False)
            assert {name for name, _ in calls} <= {"Query", "BatchGetItem"}, query
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.*", record)


def test_a_filtered_listing_pages_through_every_match_once(stack: Stack, queue: dict[str, Ticket]) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        page = _list(stack, team="support", limit="1", **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["tk_d", "tk_b", "tk_a"]


def test_a_cursor_of_one_filter_is_refused_for_another(stack: Stack, queue: dict[str, Ticket]) -> None:
    first = _list(stack, team="support", limit="1")

    response = stack.invoke(
        FUNCTION,
        ops_event("/tickets", "/tickets", query={"team": "logistics", "cursor": first["next_cursor"]}),
    )

    _error(response, 400, "bad_request")


def test_the_listing_answers_with_the_filters_it_applied(stack: Stack, queue: dict[str, Ticket]) -> None:
    listed = _list(stack, team="support", breached="true")

    assert {k: v for k, v in listed.items() if k != "items"} == {
        "status": "open",
        "team": "support",
        "breached": True,
        "next_cursor": None,
    }
    assert listed["items"][0]["sla_breached"] is True


@pytest.mark.parametrize(
    "query",
    [
        {"team": "Support"},
        {"priority": "asap"},
        {"breached": "1"},
        {"assignee": "a" * 100_000},
        {"status": "new"},
    ],
)
def test_a_filter_no_ticket_can_match_is_a_400(stack: Stack, query: dict[str, str]) -> None:
    response = stack.invoke(FUNCTION, ops_event("/tickets", "/tickets", query=query))

    assert len(response["body"]) < 500
    _error(response, 400, "bad_request")


# ---------------------------------------------------------------- concurrent changes


@pytest.fixture
def atomic_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB checks a write's condition and applies it as one step; moto does the two without a lock,
    so two threads could both pass a condition. Each request is made one step here, as on DynamoDB; what
    happens between a read and a write (the race these tests are about) is left as it is."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("get_item", "put_item", "update_item", "transact_write_items", "query"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


class Meeting(TicketStore):
    """A store whose first read in each of `parties` threads waits for the others to have read too, so
    they all change the ticket from the same version; `first` writes before the rest when given."""

    def __init__(self, stack: Stack, parties: int, first: str | None = None) -> None:
        super().__init__(stack.dynamodb, stack.table("TicketsTable"))
        self._barrier = threading.Barrier(parties, timeout=10)
        self._met: set[int] = set()
        self._first = first
        self._first_done = threading.Event()
        self.reads = 0

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        found = super().get_ticket(ticket_id)
        self.reads += 1
        if threading.get_ident() not in self._met:
            self._met.add(threading.get_ident())
            self._barrier.wait()
        return found

    def update(self, before: Ticket, after: Ticket) -> bool:
        name = threading.current_thread().name
        if self._first is not None and name != self._first:
            assert self._first_done.wait(timeout=10)
        try:
            return super().update(before, after)
        finally:
            if name == self._first:
                self._first_done.set()


def _run(*jobs: tuple[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each job in a thread of its name, all at once; what each returned or raised, by name."""
    outcomes: dict[str, Any] = {}

    def run(name: str, job: Callable[[], Any]) -> None:
        try:
            outcomes[name] = job()
        except Exception as error:  # noqa: BLE001 -- the outcome under test
            outcomes[name] = error

    threads = [threading.Thread(target=run, args=job, name=job[0]) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Generous: on a loaded machine eight threads taking turns at moto's one lock take a while, and a
        # thread still running when its outcome is read is a failure of the machine, not of the code
        thread.join(timeout=180)
    assert not [thread.name for thread in threads if thread.is_alive()], "jobs still running after 180 s"
    return outcomes


@pytest.mark.usefixtures("atomic_dynamodb")
def test_two_agents_changing_one_ticket_at_once_both_land(stack: Stack) -> None:
    # Given an open ticket that two agents read at the same moment
    _store(stack).create(_ticket("tk_1"))
    store = Meeting(stack, parties=2)

    # When one acknowledges it and the other assigns it, at once
    outcomes = _run(
        (
            "anna",
            lambda: change_status(
                "tk_1", StatusRequest(status="acknowledged", by="anna"), NOW, SETTINGS, store
            ),
        ),
        (
            "lead",
            lambda: assign_ticket(
                "tk_1", AssignRequest(assignee="ivan", by="lead"), NOW, lambda _: (), store
            ),
        ),
    )

    # Then neither change is lost: the loser read again and made its change on the winner's ticket
    assert all(isinstance(outcome, Ticket) for outcome in outcomes.values()), outcomes
    stored = _store(stack).get_ticket("tk_1")
    assert stored is not None
    assert (stored.status, stored.assignee, stored.version) == ("acknowledged", "ivan", 2)
    assert sorted(change.by for change in stored.history[1:]) == ["anna", "lead"]
    assert store.reads == 3


@pytest.mark.usefixtures("atomic_dynamodb")
def test_a_change_no_longer_allowed_after_the_other_agents_lands_is_a_409_and_writes_nothing(
    stack: Stack,
) -> None:
    # Given two agents who read an open ticket at once; anna resolves it first
    _store(stack).create(_ticket("tk_1"))
    store = Meeting(stack, parties=2, first="anna")
    resolve = StatusRequest(status="resolved", by="anna", root_cause="delivery")
    acknowledge = StatusRequest(status="acknowledged", by="ivan")

    # When ivan's acknowledgement comes second
    outcomes = _run(
        ("anna", lambda: change_status("tk_1", resolve, NOW, SETTINGS, store)),
        ("ivan", lambda: change_status("tk_1", acknowledge, NOW, SETTINGS, store)),
    )

    # Then anna's resolution holds, and ivan is told the ticket is resolved now (409), having written nothing
    assert isinstance(outcomes["anna"], Ticket)
    assert isinstance(outcomes["ivan"], TransitionRefused)
    assert "from resolved to acknowledged" in outcomes["ivan"].message
    stored = _store(stack).get_ticket("tk_1")
    assert stored is not None
    assert (stored.status, stored.version, len(stored.history)) == ("resolved", 1, 2)


class Writes(Meeting):
    """Meeting's store, noting which thread made each write that landed, and the version it wrote."""

    def __init__(self, stack: Stack, parties: int) -> None:
        super().__init__(stack, parties)
        self.landed: list[tuple[str, int]] = []

    def update(self, before: Ticket, after: Ticket) -> bool:
        written = super().update(before, after)
        if written:
            self.landed.append((threading.current_thread().name, before.version + 1))
        return written


@pytest.mark.usefixtures("atomic_dynamodb")
def test_many_agents_hammering_one_ticket_lose_no_change(stack: Stack) -> None:
    # Given one ticket, and eight agents who read it at once, then each assign it to themselves, back to
    # nobody and to themselves again
    _store(stack).create(_ticket("tk_1"))
    store = Writes(stack, parties=8)

    def agent(name: str) -> list[Ticket | Exception]:
        outcomes: list[Ticket | Exception] = []
        for assignee in (name, None, name):
            request = AssignRequest(assignee=assignee, by=name)
            try:
                outcomes.append(assign_ticket("tk_1", request, NOW, lambda _: (), store))
            except Conflict as busy:  # lost five races in a row: the agent is asked to send it again
                outcomes.append(busy)
        return outcomes

    outcomes = _run(*((f"agent-{n}", lambda n=n: agent(f"agent-{n}")) for n in range(8)))

    # Then every agent was answered for each change, all at once
    assert [len(results) for results in outcomes.values()] == [3] * 8
    # And every write that landed made one version, in turn, and is in the history where it landed
    stored = _store(stack).get_ticket("tk_1")
    assert stored is not None
    assert sorted(version for _, version in store.landed) == list(range(1, stored.version + 1))
    assert len(stored.history) == stored.version + 1
    assert all(stored.history[version].by == name for name, version in store.landed)
    # (and they did race: seven of the eight first writes lost, and were made again on a fresh read)
    assert store.reads > len(store.landed) + 7


@pytest.mark.usefixtures("atomic_dynamodb")
def test_round_robin_turns_taken_at_once_are_all_different(stack: Stack) -> None:
    turns = TeamTurns(stack.dynamodb, stack.table("TicketsTable"))

    outcomes = _run(
        *((f"route-{n}", lambda: [turns.next_turn("support") for _ in range(5)]) for n in range(8))
    )

    taken = sorted(turn for results in outcomes.values() for turn in results)
    assert taken == list(range(1, 41))
    assert turns.next_turn("logistics") == 1
