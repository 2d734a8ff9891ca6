"""The ticket lifecycle: every move allowed and refused, what each records, assignments, replies, repeats."""

from __future__ import annotations

from datetime import timedelta
from itertools import product
from typing import get_args

import pytest

from otklik.domain.config import ConfigInvalid, parse_config
from otklik.domain.errors import InvalidRequest
from otklik.domain.lifecycle import (
    SYSTEM,
    TRANSITIONS,
    TicketClosed,
    TicketSettings,
    TransitionRefused,
    assign,
    change_status,
    link_contact,
    reply_published,
)
from otklik.domain.models import ReplyState, StatusChange, Ticket, TicketStatus
from otklik.domain.sla.clock import runs
from tests.unit.samples import NOW

SETTINGS = TicketSettings()
LATER = NOW + timedelta(hours=2)
STATUSES: tuple[TicketStatus, ...] = get_args(TicketStatus)

# The lifecycle as a support lead reads it (docs/tickets.md): the moves a helpdesk allows, and no others.
ALLOWED: set[tuple[TicketStatus, TicketStatus]] = {
    ("open", "acknowledged"),
    ("open", "in_progress"),
    ("open", "waiting_customer"),
    ("open", "resolved"),
    ("acknowledged", "in_progress"),
    ("acknowledged", "waiting_customer"),
    ("acknowledged", "resolved"),
    ("in_progress", "waiting_customer"),
    ("in_progress", "resolved"),
    ("waiting_customer", "open"),
    ("waiting_customer", "in_progress"),
    ("waiting_customer", "resolved"),
    ("resolved", "open"),
    ("resolved", "in_progress"),
    ("resolved", "closed"),
}
PAIRS = list(product(STATUSES, STATUSES))


def ticket(status: TicketStatus = "open", **changes: object) -> Ticket:
    base = Ticket(
        id="tk_1",
        feedback_id="fb_1",
        source="wildberries",
        account="wb-main",
        kind="review",
        team="support",
        priority="high",
        status=status,
        reasons=("low_rating",),
        created_at=NOW,
        first_response_due_at=NOW + timedelta(hours=24),
        tonality_label="negative",
        excerpt="Порвалось",
        history=(StatusChange(at=NOW, by="otklik", status=status),),
        resolved_at=NOW if status in ("resolved", "closed") else None,
        root_cause="product_defect" if status in ("resolved", "closed") else None,
    )
    return base.model_copy(update=changes)


def _move(current: Ticket, wanted: TicketStatus) -> Ticket:
    cause = "product_defect" if wanted == "resolved" else None
    return change_status(current, wanted, "anna", LATER, SETTINGS, note="позвонила", root_cause=cause)


# ---------------------------------------------------------------- every pair of statuses


def test_the_table_is_the_lifecycle_the_docs_describe() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(
    ("current", "wanted"), sorted(ALLOWED), ids=[f"{a}->{b}" for a, b in sorted(ALLOWED)]
)
def test_an_allowed_move_changes_the_status_and_records_who_when_and_why(
    current: TicketStatus, wanted: TicketStatus
) -> None:
    moved = _move(ticket(current), wanted)

    assert moved.status == wanted
    assert moved.history[-1] == StatusChange(
        at=LATER,
        by="anna",
        status=wanted,
        note="позвонила",
        root_cause="product_defect" if wanted == "resolved" else None,
    )
    assert len(moved.history) == 2


REFUSED = [pair for pair in PAIRS if pair not in ALLOWED]


@pytest.mark.parametrize(("current", "wanted"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_a_move_the_lifecycle_does_not_hold_is_refused_saying_from_what_to_what_and_what_is_allowed(
    current: TicketStatus, wanted: TicketStatus
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        _move(ticket(current), wanted)

    allowed = list(TRANSITIONS[current])
    assert refused.value.details == [{"from": current, "to": wanted, "allowed": allowed}]
    assert current in refused.value.message and wanted in refused.value.message
    assert all(status in refused.value.message for status in allowed)


def test_a_status_is_never_changed_to_itself() -> None:
    with pytest.raises(TransitionRefused, match="already in_progress"):
        _move(ticket("in_progress"), "in_progress")


def test_closed_is_final() -> None:
    with pytest.raises(TransitionRefused, match="closed is final"):
        _move(ticket("closed"), "open")


# ---------------------------------------------------------------- resolving and reopening


def test_resolving_records_when_and_the_root_cause() -> None:
    resolved = change_status(
        ticket("in_progress"), "resolved", "anna", LATER, SETTINGS, root_cause="delivery"
    )

    assert (resolved.resolved_at, resolved.root_cause) == (LATER, "delivery")


@pytest.mark.parametrize(
    ("cause", "problem"),
    [(None, "resolving needs a root_cause"), ("bad_luck", "root_cause must be one of")],
    ids=["missing", "not-in-the-list"],
)
def test_resolving_needs_a_root_cause_from_the_configured_list(cause: str | None, problem: str) -> None:
    with pytest.raises(InvalidRequest, match=problem) as refused:
        change_status(ticket("in_progress"), "resolved", "anna", LATER, SETTINGS, root_cause=cause)

    assert "product_defect" in refused.value.message  # the list is named


def test_a_configured_root_cause_list_replaces_the_default_one() -> None:
    settings = TicketSettings(root_causes=("defect",))

    resolved = change_status(ticket(), "resolved", "anna", LATER, settings, root_cause="defect")

    assert resolved.root_cause == "defect"
    with pytest.raises(InvalidRequest):
        change_status(ticket(), "resolved", "anna", LATER, settings, root_cause="product_defect")


def test_a_root_cause_is_refused_on_anything_but_resolving() -> None:
    with pytest.raises(InvalidRequest, match="only when resolving"):
        change_status(ticket(), "in_progress", "anna", LATER, SETTINGS, root_cause="delivery")


@pytest.mark.parametrize("wanted", ["open", "in_progress"])
def test_a_reopen_clears_the_resolution_and_the_history_keeps_it(wanted: TicketStatus) -> None:
    resolved = change_status(ticket("in_progress"), "resolved", "anna", NOW, SETTINGS, root_cause="delivery")

    reopened = change_status(resolved, wanted, "ivan", LATER, SETTINGS, note="покупатель не согласен")

    assert (reopened.status, reopened.resolved_at, reopened.root_cause) == (wanted, None, None)
    assert [c.status for c in reopened.history] == ["in_progress", "resolved", wanted]
    assert reopened.history[1].root_cause == "delivery"


def test_closing_keeps_the_resolution() -> None:
    closed = _move(ticket("resolved"), "closed")

    assert (closed.resolved_at, closed.root_cause) == (NOW, "product_defect")


# ---------------------------------------------------------------- assignment


def test_an_assignment_is_recorded_in_the_history_without_moving_the_status() -> None:
    assigned = assign(ticket("acknowledged"), "anna", "lead", LATER)

    assert assigned is not None
    assert (assigned.assignee, assigned.status) == ("anna", "acknowledged")
    assert assigned.history[-1] == StatusChange(
        at=LATER, by="lead", status="acknowledged", note="assigned to anna"
    )


def test_assigning_again_to_the_same_person_changes_nothing_and_none_unassigns() -> None:
    assigned = ticket(assignee="anna")

    assert assign(assigned, "anna", "lead", LATER) is None
    unassigned = assign(assigned, None, "lead", LATER)
    assert unassigned is not None and unassigned.assignee is None
    assert unassigned.history[-1].note == "unassigned"


def test_a_team_that_lists_its_members_takes_only_them() -> None:
    with pytest.raises(
        InvalidRequest, match="'petr' is not a member of team support; its members are anna, ivan"
    ):
        assign(ticket(), "petr", "lead", LATER, members=("anna", "ivan"))

    assert assign(ticket(), "ivan", "lead", LATER, members=("anna", "ivan")) is not None


def test_a_closed_ticket_is_not_assigned() -> None:
    with pytest.raises(TicketClosed, match="closed is final"):
        assign(ticket("closed"), "anna", "lead", LATER)


# ---------------------------------------------------------------- the first-response clock and replies


@pytest.mark.parametrize(
    ("status", "watched"),
    [
        ("open", True),
        ("acknowledged", True),
        ("in_progress", True),
        ("waiting_customer", False),
        ("resolved", False),
        ("closed", False),
    ],
)
def test_the_first_response_clock_runs_only_while_the_team_owes_a_first_answer(
    status: TicketStatus, watched: bool
) -> None:
    assert runs(ticket(status), "first_response") is watched


def test_the_clock_stops_once_answered_and_never_runs_for_spam() -> None:
    assert runs(ticket(first_response_at=NOW), "first_response") is False
    assert runs(ticket(reply_needed=False), "first_response") is False


APPROVED = ReplyState(reply_id="rp_1", text="Заменим", status="approved", approved_by="anna", approved_at=NOW)


def test_a_published_reply_is_the_first_response_and_the_ticket_waits_for_the_customer() -> None:
    answered = reply_published(
        ticket("acknowledged", reply=APPROVED), "rp_1", LATER, "wb-9", "Заменим", "anna", SETTINGS
    )

    assert answered is not None
    assert answered.first_response_at == LATER
    assert answered.status == "waiting_customer"
    assert answered.reply is not None
    assert (answered.reply.status, answered.reply.published_at, answered.reply.platform_answer_id) == (
        "published",
        LATER,
        "wb-9",
    )
    assert answered.history[-1] == StatusChange(
        at=LATER, by="anna", status="waiting_customer", note="reply rp_1 published: the first response"
    )
    assert runs(answered, "first_response") is False


def test_the_same_publication_again_changes_nothing() -> None:
    answered = reply_published(ticket(reply=APPROVED), "rp_1", LATER, None, "Заменим", "anna", SETTINGS)
    assert answered is not None

    assert reply_published(answered, "rp_1", LATER, None, "Заменим", "anna", SETTINGS) is None


def test_a_later_reply_keeps_the_first_response_time() -> None:
    first = reply_published(ticket(reply=APPROVED), "rp_1", NOW, None, "Заменим", "anna", SETTINGS)
    assert first is not None
    again = _move(first, "in_progress").model_copy(
        update={"reply": APPROVED.model_copy(update={"reply_id": "rp_2"})}
    )

    second = reply_published(again, "rp_2", LATER, None, "Ещё", "anna", SETTINGS)

    assert second is not None
    assert (second.first_response_at, second.status) == (NOW, "waiting_customer")


def test_a_reply_published_after_the_ticket_was_resolved_leaves_it_resolved_but_counts_as_answered() -> None:
    answered = reply_published(
        ticket("resolved", reply=APPROVED), "rp_1", LATER, None, "Заменим", "anna", SETTINGS
    )

    assert answered is not None
    assert (answered.status, answered.first_response_at) == ("resolved", LATER)


def test_a_reply_the_ticket_no_longer_holds_still_counts_as_its_first_response() -> None:
    answered = reply_published(ticket(), "rp_gone", LATER, None, "Заменим", "anna", SETTINGS)

    assert answered is not None
    assert (answered.first_response_at, answered.reply) == (LATER, None)


def test_after_reply_resolved_resolves_with_the_configured_root_cause() -> None:
    settings = TicketSettings(after_reply="resolved", after_reply_root_cause="question_answered")

    answered = reply_published(ticket(reply=APPROVED), "rp_1", LATER, None, "Да", "anna", settings)

    assert answered is not None
    assert (answered.status, answered.root_cause, answered.resolved_at) == (
        "resolved",
        "question_answered",
        LATER,
    )


# ---------------------------------------------------------------- repeat contacts


def test_a_repeat_contact_joins_an_active_ticket_without_moving_it() -> None:
    joined = link_contact(ticket("in_progress"), "fb_2", LATER, LATER, SETTINGS)

    assert joined is not None
    assert (joined.status, joined.linked_feedback, joined.repeat_contacts) == ("in_progress", ("fb_2",), 1)
    assert joined.history[-1] == StatusChange(
        at=LATER, by=SYSTEM, status="in_progress", note="repeat contact fb_2"
    )


def test_a_repeat_contact_to_a_ticket_waiting_for_the_customer_puts_it_back_in_the_queue() -> None:
    joined = link_contact(ticket("waiting_customer"), "fb_2", LATER, LATER, SETTINGS)

    assert joined is not None and joined.status == "open"
    assert joined.history[-1].note == "the customer answered: repeat contact fb_2"


def test_a_repeat_contact_soon_after_the_resolution_reopens_the_ticket() -> None:
    resolved = ticket("resolved", resolved_at=NOW)

    reopened = link_contact(resolved, "fb_2", NOW + timedelta(days=7), LATER, SETTINGS)

    assert reopened is not None
    assert (reopened.status, reopened.resolved_at, reopened.root_cause) == ("open", None, None)
    assert reopened.history[-1].note == "reopened: repeat contact fb_2"


def test_a_repeat_contact_long_after_the_resolution_or_after_the_close_joins_nothing() -> None:
    resolved = ticket("resolved", resolved_at=NOW)

    assert link_contact(resolved, "fb_2", NOW + timedelta(days=7, seconds=1), LATER, SETTINGS) is None
    assert link_contact(ticket("closed"), "fb_2", LATER, LATER, SETTINGS) is None


def test_a_contact_joins_once_and_never_its_own_ticket() -> None:
    joined = link_contact(ticket(), "fb_2", LATER, LATER, SETTINGS)
    assert joined is not None

    assert link_contact(joined, "fb_2", LATER, LATER, SETTINGS) is None
    assert link_contact(ticket(), "fb_1", LATER, LATER, SETTINGS) is None


def test_a_repeat_contact_raises_the_priority_to_what_the_rules_gave_it_and_never_lowers_it() -> None:
    raised = link_contact(ticket(priority="normal"), "fb_2", LATER, LATER, SETTINGS, priority="urgent")
    kept = link_contact(ticket(priority="high"), "fb_2", LATER, LATER, SETTINGS, priority="low")

    assert raised is not None and kept is not None
    assert (raised.priority, kept.priority) == ("urgent", "high")
    assert raised.history[-1].note == "repeat contact fb_2, priority raised to urgent"


# ---------------------------------------------------------------- the `tickets:` section


def test_the_tickets_section_is_read_from_the_document() -> None:
    config = parse_config(
        "tickets:\n  root_causes: [brak, delivery]\n  repeat_contact_days: 7\n  reopen_days: 3\n"
        "  after_reply: resolved\n  after_reply_root_cause: delivery\n"
    )

    assert config.tickets == TicketSettings(
        root_causes=("brak", "delivery"),
        repeat_contact_days=7,
        reopen_days=3,
        after_reply="resolved",
        after_reply_root_cause="delivery",
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("tickets: {root_causes: []}", "tickets.root_causes: "),
        ("tickets: {root_causes: [Брак]}", "tickets.root_causes: [0] 'Брак' is not a name"),
        ("tickets: {root_causes: [a, a]}", "tickets.root_causes: [1] 'a' is listed twice"),
        ("tickets: {repeat_contact_days: -1}", "tickets.repeat_contact_days: "),
        ("tickets: {after_reply: closed}", "tickets.after_reply: "),
        (
            "tickets: {after_reply: resolved}",
            "tickets.after_reply_root_cause: required when after_reply is resolved",
        ),
        (
            "tickets: {after_reply: resolved, after_reply_root_cause: luck}",
            "tickets.after_reply_root_cause: 'luck' is not one of root_causes",
        ),
        ("tickets: {reopen_after: 3}", "tickets.reopen_after: unknown setting"),
    ],
)
def test_a_bad_tickets_section_is_refused_by_its_path(document: str, problem: str) -> None:
    with pytest.raises(ConfigInvalid) as refused:
        parse_config(document)

    assert any(found.startswith(problem) for found in refused.value.problems), refused.value.problems
