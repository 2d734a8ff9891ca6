"""A ticket's SLA clocks: what is due when, each event once, escalations, pauses, next responses, fallbacks.

Every moment is Moscow's wall clock. The default calendar works Monday to Friday 09:00-18:00 with the
Russian production calendar (31 December 2026 and 1-8 January 2027 rest). The sample review arrives on
Sunday 2026-11-22 09:41, so its clocks start on Monday 23 November at 09:00, nine working hours a day:

- first response, 24 hours: Mon 9 + Tue 9 + Wed 6 -> Wed 25 Nov 15:00; its warning at 80%, 19.2 hours:
  Mon 9 + Tue 9 + Wed 1.2 -> Wed 25 Nov 10:12;
- resolution, 45 hours (five days): Fri 27 Nov 18:00; its warning at 36 hours: Thu 26 Nov 18:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.models import EscalationDue, Ticket, TicketStatus
from otklik.domain.routing import RoutingPolicy, open_ticket, plan_ticket
from otklik.domain.sla.calendar import BusinessCalendar
from otklik.domain.sla.clock import (
    TARGETS,
    SlaEvent,
    answered,
    customer_wrote,
    due,
    escalation_plan,
    follow,
    next_check,
    policy_of,
    record,
    reprioritized,
    runs,
)
from otklik.domain.sla.settings import (
    NO_SLA_SETTINGS,
    STANDARD,
    CalendarSettings,
    EscalationStep,
    SlaPolicy,
    SlaSettings,
    Target,
    Week,
)
from tests.unit.samples import NOW, feedback_item, stored_ticket

MOSCOW = ZoneInfo("Europe/Moscow")


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


CALENDAR = NO_SLA_SETTINGS.calendar("default")
FIRST_WARNING = msk(2026, 11, 25, 10, 12)
FIRST_DUE = msk(2026, 11, 25, 15)
RESOLUTION_WARNING = msk(2026, 11, 26, 18)
RESOLUTION_DUE = msk(2026, 11, 27, 18)
MICROSECOND = timedelta(microseconds=1)

CHAIN = (EscalationStep(notify="team_lead", after_hours=0), EscalationStep(notify="head", after_hours=4))
ESCALATING = SlaSettings(policies=(SlaPolicy(name="standard", targets=STANDARD.targets, escalation=CHAIN),))
# A next response within 4 business hours, no resolution target: the next-response rounds alone.
NEXT_IN_FOUR = SlaSettings(
    policies=(
        SlaPolicy(
            name="standard",
            targets=(Target(first_response_hours=24, next_response_hours=4),),
            escalation=CHAIN,
        ),
    )
)
LUNCH_DAY = ("09:00-13:00", "14:00-18:00")
LUNCH_WEEK = Week(mon=LUNCH_DAY, tue=LUNCH_DAY, wed=LUNCH_DAY, thu=LUNCH_DAY, fri=LUNCH_DAY)
WITH_LUNCH = SlaSettings(
    calendars=(CalendarSettings(name="default"), CalendarSettings(name="lunch", week=LUNCH_WEEK)),
    policies=(
        STANDARD,
        SlaPolicy(name="vip", calendar="lunch", targets=(Target(first_response_hours=2),)),
    ),
)


def planned(sla: SlaSettings = NO_SLA_SETTINGS) -> Ticket:
    """The open ticket of a one-star review received on Sunday 22 November, its deadlines from sla."""
    item = feedback_item(rating=1, label="negative", compound=-1.0)
    plan = plan_ticket(item, RoutingPolicy(), sla=sla)
    assert plan is not None
    return open_ticket(item, plan, NOW)


def moved(ticket: Ticket, status: TicketStatus) -> Ticket:
    return ticket.model_copy(update={"status": status})


def told(ticket: Ticket, now: datetime, sla: SlaSettings = NO_SLA_SETTINGS) -> Ticket:
    """The ticket once the sweep told and recorded what is due at now (one look)."""
    policy, calendar = policy_of(sla, ticket)
    return record(ticket, due(ticket, now), now, escalation_plan(policy, calendar))


# ---------------------------------------------------------------- due and next_check


def test_the_sample_ticket_has_the_deadlines_computed_by_hand() -> None:
    ticket = planned()

    assert (ticket.first_response_warn_at, ticket.first_response_due_at) == (FIRST_WARNING, FIRST_DUE)
    assert (ticket.resolution_warn_at, ticket.resolution_due_at) == (RESOLUTION_WARNING, RESOLUTION_DUE)


def test_a_fresh_ticket_is_next_checked_at_its_first_response_warning() -> None:
    # Given a ticket just opened
    ticket = planned()

    # When the sweep's index asks when to look at it, Then it is Wednesday 10:12, the warning
    assert next_check(ticket) == FIRST_WARNING


def test_at_the_warning_time_exactly_one_warning_is_due() -> None:
    ticket = planned()

    # When the sweep looks a microsecond early, and then at the warning time itself
    early = due(ticket, FIRST_WARNING - MICROSECOND)
    on_time = due(ticket, FIRST_WARNING)

    # Then nothing is due first, and then the first response's warning alone
    assert early == ()
    assert on_time == (SlaEvent("warning", "first_response", FIRST_WARNING, "first_response:warning"),)


def test_once_the_warning_is_recorded_the_next_check_is_the_breach() -> None:
    # Given the warning told and recorded at 10:12
    warned = told(planned(), FIRST_WARNING)

    # Then it is done, nothing is breached, and the next look is at the deadline, Wednesday 15:00
    assert warned.sla_done == ("first_response:warning",)
    assert warned.sla_breached is False
    assert next_check(warned) == FIRST_DUE
    # and the warning is not due again, then or a minute before the deadline
    assert due(warned, FIRST_WARNING) == ()
    assert due(warned, FIRST_DUE - timedelta(minutes=1)) == ()


def test_a_sweep_late_past_the_deadline_gets_the_breach_alone_and_records_both_done() -> None:
    # Given a ticket nobody looked at until Wednesday 15:30, half an hour after its deadline
    ticket, late = planned(), msk(2026, 11, 25, 15, 30)

    # When the sweep looks then
    events = due(ticket, late)
    recorded = record(ticket, events, late, escalation_plan(STANDARD, CALENDAR))

    # Then it gets the breach, not the warning, and both are recorded as done
    assert events == (SlaEvent("breach", "first_response", FIRST_DUE, "first_response:breach"),)
    assert set(recorded.sla_done) == {"first_response:breach", "first_response:warning"}
    assert (recorded.sla_breached, recorded.sla_breached_at) == (True, late)
    assert recorded.resolution_breached_at is None
    # and nothing is due again at the same moment; the next look is the resolution's warning (Thu 18:00)
    assert due(recorded, late) == ()
    assert next_check(recorded) == RESOLUTION_WARNING


def test_a_later_resolution_breach_keeps_the_first_breach_time_and_sets_its_own() -> None:
    # Given the first response breached and recorded on Wednesday at 15:30
    first_breach = msk(2026, 11, 25, 15, 30)
    breached = told(planned(), first_breach)

    # When the sweep next looks on Saturday 28 November at 10:00, past the resolution deadline (Fri 18:00)
    saturday = msk(2026, 11, 28, 10)
    events = due(breached, saturday)
    after = told(breached, saturday)

    # Then the resolution's breach comes alone (its warning of Thursday 18:00 is skipped with it)
    assert events == (SlaEvent("breach", "resolution", RESOLUTION_DUE, "resolution:breach"),)
    # and the ticket keeps its first breach time, with the resolution's own beside it
    assert after.sla_breached is True
    assert after.sla_breached_at == first_breach
    assert after.resolution_breached_at == saturday
    assert {"resolution:breach", "resolution:warning"} <= set(after.sla_done)
    # and nothing is left to tell: no escalation in the standard policy
    assert due(after, saturday) == ()
    assert next_check(after) is None


def test_every_event_is_due_once_however_often_the_sweep_looks() -> None:
    # Given a ticket swept every hour from its opening to a week after its resolution deadline
    ticket = planned()
    events: list[SlaEvent] = []
    moment = msk(2026, 11, 23, 9)
    while moment < msk(2026, 12, 4, 18):
        found = due(ticket, moment)
        events.extend(found)
        ticket = told(ticket, moment)
        moment += timedelta(hours=1)

    # Then each warning and breach was told once, in the order they fell due
    assert [event.key for event in events] == [
        "first_response:warning",
        "first_response:breach",
        "resolution:warning",
        "resolution:breach",
    ]
    assert next_check(ticket) is None


# ---------------------------------------------------------------- escalations


def test_a_breach_schedules_the_escalation_chain_from_the_deadline_in_business_hours() -> None:
    # Given a policy escalating to the team lead at once and to the head 4 business hours later, and a
    # sweep that only looks on Thursday 26 November at 11:00, long after the deadline (Wed 15:00)
    ticket, late = planned(ESCALATING), msk(2026, 11, 26, 11)

    # When the breach is recorded
    breached = told(ticket, late, ESCALATING)

    # Then both steps count from the deadline, not from the late sweep: the lead at Wednesday 15:00, the
    # head 4 working hours later across the night (Wed 15:00-18:00 is 3, Thu 09:00-10:00 the 4th)
    assert breached.escalations == (
        EscalationDue(target="first_response", step=0, notify="team_lead", at=FIRST_DUE),
        EscalationDue(target="first_response", step=1, notify="head", at=msk(2026, 11, 26, 10)),
    )
    # and both are already due to the late sweep, each once
    assert [(event.kind, event.notify) for event in due(breached, late)] == [
        ("escalation", "team_lead"),
        ("escalation", "head"),
    ]


@pytest.mark.parametrize(
    ("deadline", "head_at"),
    [
        # Friday 16:00-18:00 is 2 hours, Monday 30 November 09:00-11:00 the other 2.
        (msk(2026, 11, 27, 16), msk(2026, 11, 30, 11)),
        # Wed 30 December 16:00-18:00 is 2 hours; 31 December to 10 January rest; 11 January 09:00-11:00.
        (msk(2026, 12, 30, 16), msk(2027, 1, 11, 11)),
    ],
    ids=["across-a-weekend", "across-the-new-year-holidays"],
)
def test_the_head_step_skips_days_off(deadline: datetime, head_at: datetime) -> None:
    escalate = escalation_plan(ESCALATING.policy(), CALENDAR)

    steps = escalate("first_response", deadline)

    assert steps == (
        EscalationDue(target="first_response", step=0, notify="team_lead", at=deadline),
        EscalationDue(target="first_response", step=1, notify="head", at=head_at),
    )


def test_each_escalation_step_comes_once_at_its_own_time() -> None:
    # Given the first response breached at its deadline, Wednesday 15:00
    breached = told(planned(ESCALATING), FIRST_DUE, ESCALATING)

    # When the sweep looks again at once, Then the team lead's step is due (it is 0 hours after), alone
    (lead,) = due(breached, FIRST_DUE)
    assert (lead.kind, lead.notify, lead.at, lead.key) == (
        "escalation",
        "team_lead",
        FIRST_DUE,
        "first_response:escalation:0",
    )
    lead_told = told(breached, FIRST_DUE, ESCALATING)
    assert due(lead_told, FIRST_DUE) == ()
    assert next_check(lead_told) == msk(2026, 11, 26, 10)

    # When the sweep looks a minute before Thursday 10:00, and at 10:00
    assert due(lead_told, msk(2026, 11, 26, 9, 59)) == ()
    (head,) = due(lead_told, msk(2026, 11, 26, 10))
    head_told = told(lead_told, msk(2026, 11, 26, 10), ESCALATING)

    # Then the head is told once, and the next look is the resolution's warning (Thursday 18:00)
    assert (head.notify, head.key) == ("head", "first_response:escalation:1")
    assert due(head_told, msk(2026, 11, 26, 10)) == ()
    assert next_check(head_told) == RESOLUTION_WARNING


def test_escalations_stop_once_the_first_response_is_published() -> None:
    # Given the first response breached and the team lead told on Wednesday at 15:00
    lead_told = told(told(planned(ESCALATING), FIRST_DUE, ESCALATING), FIRST_DUE, ESCALATING)

    # When the reply reaches the customer at 16:00, before the head's step (Thursday 10:00)
    published = lead_told.model_copy(update={"first_response_at": msk(2026, 11, 25, 16)})

    # Then the head is never told: only the resolution's clock is left to look at
    assert due(published, msk(2026, 11, 26, 10)) == ()
    assert next_check(published) == RESOLUTION_WARNING
    assert [event.target for event in due(published, RESOLUTION_WARNING)] == ["resolution"]


# ---------------------------------------------------------------- runs


def test_no_clock_runs_for_a_ticket_that_needs_no_reply() -> None:
    spam = planned().model_copy(update={"reply_needed": False})

    assert [runs(spam, target) for target in TARGETS] == [False, False, False]
    assert next_check(spam) is None
    assert due(spam, msk(2026, 12, 31, 12)) == ()


@pytest.mark.parametrize("status", ["waiting_customer", "resolved", "closed"])
def test_no_clock_runs_while_the_ticket_is_not_being_worked(status: TicketStatus) -> None:
    ticket = moved(planned(), status)

    assert [runs(ticket, target) for target in TARGETS] == [False, False, False]
    assert next_check(ticket) is None
    assert due(ticket, msk(2026, 12, 31, 12)) == ()


@pytest.mark.parametrize("status", ["open", "acknowledged", "in_progress"])
def test_the_clocks_with_a_deadline_run_while_the_ticket_is_worked(status: TicketStatus) -> None:
    ticket = moved(planned(), status)

    # No next response is owed before the customer writes again: that clock has no deadline to run to.
    assert [runs(ticket, target) for target in TARGETS] == [True, False, True]


def test_the_first_response_clock_stops_at_the_first_response() -> None:
    # Given the first response published on Tuesday, before its warning
    answered_ticket = planned().model_copy(update={"first_response_at": msk(2026, 11, 24, 10)})

    # Then its clock stopped while the resolution's runs on
    assert runs(answered_ticket, "first_response") is False
    assert runs(answered_ticket, "resolution") is True
    # and neither its warning nor its breach ever comes
    assert due(answered_ticket, msk(2026, 11, 25, 15, 30)) == ()
    assert next_check(answered_ticket) == RESOLUTION_WARNING


# ---------------------------------------------------------------- follow: pauses and resumes


@pytest.mark.parametrize("status", ["waiting_customer", "resolved"])
def test_leaving_work_records_the_pause_and_stops_every_clock(status: TicketStatus) -> None:
    # Given a ticket in progress
    ticket = moved(planned(), "in_progress")
    friday = msk(2026, 11, 27, 17)

    # When it waits for the customer (or is resolved) on Friday at 17:00
    paused = follow(ticket, moved(ticket, status), friday, CALENDAR)

    # Then the pause is recorded, the deadlines stay as they are, and nothing is checked meanwhile
    assert paused.sla_paused_at == friday
    assert paused.resolution_due_at == RESOLUTION_DUE
    assert next_check(paused) is None


def test_a_pause_over_a_weekend_moves_the_pending_deadline_by_the_business_hours_it_took() -> None:
    # Given a ticket answered on Tuesday, its resolution warning told on Thursday, waiting for the
    # customer since Friday 27 November 17:00, an hour before its resolution deadline (Friday 18:00)
    ticket = moved(planned(), "in_progress").model_copy(
        update={"first_response_at": msk(2026, 11, 24, 10), "sla_done": ("resolution:warning",)}
    )
    paused = follow(ticket, moved(ticket, "waiting_customer"), msk(2026, 11, 27, 17), CALENDAR)

    # When it comes back on Monday 30 November at 10:00
    resumed = follow(paused, moved(paused, "open"), msk(2026, 11, 30, 10), CALENDAR)

    # Then the pause took 2 business hours (Fri 17:00-18:00, Mon 09:00-10:00): the deadline is Monday 11:00
    assert resumed.resolution_due_at == msk(2026, 11, 30, 11)
    assert resumed.sla_paused_at is None
    assert next_check(resumed) == msk(2026, 11, 30, 11)


def test_a_pause_over_the_new_year_holidays_counts_only_the_working_hours_around_them() -> None:
    # Given a ticket in progress whose resolution warning is on Wednesday 30 December 2026 at 16:30 and
    # its deadline at 17:30, put to waiting for the customer at 16:00
    ticket = stored_ticket(
        status="in_progress",
        created_at=msk(2026, 12, 28, 10),
        first_response_at=msk(2026, 12, 28, 12),
        resolution_warn_at=msk(2026, 12, 30, 16, 30),
        resolution_due_at=msk(2026, 12, 30, 17, 30),
    )
    paused = follow(ticket, moved(ticket, "waiting_customer"), msk(2026, 12, 30, 16), CALENDAR)

    # When the customer answers on Monday 11 January 2027 at 10:00, the first working day after them
    resumed = follow(paused, moved(paused, "open"), msk(2027, 1, 11, 10), CALENDAR)

    # Then the pause took 3 business hours (30 Dec 16:00-18:00, 11 Jan 09:00-10:00; 31 Dec to 10 Jan
    # rest): the warning moves to 11 January 10:30 and the deadline to 11:30
    assert resumed.resolution_warn_at == msk(2027, 1, 11, 10, 30)
    assert resumed.resolution_due_at == msk(2027, 1, 11, 11, 30)


def test_a_pause_in_a_calendar_with_a_lunch_break_leaves_the_break_out() -> None:
    # Given a calendar working 09:00-13:00 and 14:00-18:00, and a ticket due on Tuesday 24 November at
    # 16:30 put to waiting for the customer at 12:00
    lunch = WITH_LUNCH.calendar("lunch")
    ticket = stored_ticket(
        status="in_progress",
        sla_policy="vip",
        sla_calendar="lunch",
        first_response_at=msk(2026, 11, 23, 10),
        resolution_due_at=msk(2026, 11, 24, 16, 30),
    )
    paused = follow(ticket, moved(ticket, "waiting_customer"), msk(2026, 11, 24, 12), lunch)

    # When it comes back at 15:00 the same day
    resumed = follow(paused, moved(paused, "in_progress"), msk(2026, 11, 24, 15), lunch)

    # Then the pause took 2 business hours (12:00-13:00, 14:00-15:00; not the lunch hour), so the deadline
    # moves from 16:30 to Wednesday 09:30 (16:30-18:00 is 1.5 of them, Wednesday 09:00-09:30 the rest);
    # a calendar without the break would have charged 3 hours and said Wednesday 10:30
    assert resumed.resolution_due_at == msk(2026, 11, 25, 9, 30)


def test_what_passed_before_the_pause_stays_and_what_was_pending_moves() -> None:
    # Given the first response breached on Wednesday at 15:00 (lead told, head due Thursday 10:00), and
    # the ticket waiting for the customer from Wednesday 17:00
    breached = moved(told(told(planned(ESCALATING), FIRST_DUE, ESCALATING), FIRST_DUE, ESCALATING), "open")
    paused = follow(breached, moved(breached, "waiting_customer"), msk(2026, 11, 25, 17), CALENDAR)

    # When it comes back on Thursday at 11:00: a pause of 3 business hours (Wed 17-18, Thu 09-11)
    resumed = follow(paused, moved(paused, "open"), msk(2026, 11, 26, 11), CALENDAR)

    # Then the first response's warning, deadline and lead step, passed before the pause, stay
    assert (resumed.first_response_warn_at, resumed.first_response_due_at) == (FIRST_WARNING, FIRST_DUE)
    lead, head = resumed.escalations
    assert lead.at == FIRST_DUE
    # and what was still ahead moves 3 business hours on: the head's step Thu 10:00 -> 13:00, the
    # resolution's warning Thu 18:00 -> Fri 12:00 and its deadline Fri 18:00 -> Mon 30 Nov 12:00
    assert head.at == msk(2026, 11, 26, 13)
    assert resumed.resolution_warn_at == msk(2026, 11, 27, 12)
    assert resumed.resolution_due_at == msk(2026, 11, 30, 12)
    # and the step already told is not told again
    assert [event.notify for event in due(resumed, msk(2026, 11, 26, 13))] == ["head"]


def test_a_moved_deadline_never_passes_the_reply_window() -> None:
    # Given a ticket the marketplace takes replies to until Monday 30 November 10:30, waiting for the
    # customer from Friday 17:00, an hour before its resolution deadline
    ticket = moved(planned(), "in_progress").model_copy(
        update={"reply_window_closes_at": msk(2026, 11, 30, 10, 30)}
    )
    paused = follow(ticket, moved(ticket, "waiting_customer"), msk(2026, 11, 27, 17), CALENDAR)

    # When it comes back on Monday at 10:00 (the deadline would move to 11:00)
    resumed = follow(paused, moved(paused, "open"), msk(2026, 11, 30, 10), CALENDAR)

    # Then it is cut to the window's end
    assert resumed.resolution_due_at == msk(2026, 11, 30, 10, 30)


def test_closing_a_resolved_ticket_records_no_new_pause() -> None:
    # Given a ticket resolved on Thursday at 12:00
    ticket = moved(planned(), "in_progress")
    resolved = follow(ticket, moved(ticket, "resolved"), msk(2026, 11, 26, 12), CALENDAR)

    # When it is closed on Friday at 12:00
    closed = follow(resolved, moved(resolved, "closed"), msk(2026, 11, 27, 12), CALENDAR)

    # Then the pause is still the resolution's, and no deadline moved
    assert closed.sla_paused_at == msk(2026, 11, 26, 12)
    assert closed.resolution_due_at == RESOLUTION_DUE
    assert next_check(closed) is None


def test_closing_straight_from_work_records_no_pause() -> None:
    ticket = moved(planned(), "in_progress")

    closed = follow(ticket, moved(ticket, "closed"), msk(2026, 11, 26, 12), CALENDAR)

    assert closed.sla_paused_at is None
    assert closed.resolution_due_at == RESOLUTION_DUE


def test_moving_between_working_statuses_neither_pauses_nor_moves_anything() -> None:
    ticket = planned()

    taken = follow(ticket, moved(ticket, "in_progress"), msk(2026, 11, 24, 12), CALENDAR)

    assert taken == moved(ticket, "in_progress")


def test_a_next_response_warned_before_a_pause_is_not_warned_again_after_it() -> None:
    # Given a next response owed by Tuesday 1 December 12:00 whose warning (Friday 27 November 17:00) was
    # told, and the ticket waiting for the customer from Friday 17:30
    ticket = stored_ticket(
        status="in_progress",
        first_response_at=msk(2026, 11, 24, 10),
        first_response_due_at=msk(2026, 11, 25, 15),
        next_response_warn_at=msk(2026, 11, 27, 17),
        next_response_due_at=msk(2026, 12, 1, 12),
    )
    warned = told(ticket, msk(2026, 11, 27, 17))
    paused = follow(warned, moved(warned, "waiting_customer"), msk(2026, 11, 27, 17, 30), CALENDAR)

    # When the agent takes it back on Monday 30 November at 10:00: a pause of 1.5 business hours
    # (Fri 17:30-18:00, Mon 09:00-10:00)
    monday = msk(2026, 11, 30, 10)
    resumed = follow(paused, moved(paused, "in_progress"), monday, CALENDAR)

    # Then the deadline moves to Tuesday 13:30, and its warning, told already, is not told again
    assert resumed.next_response_due_at == msk(2026, 12, 1, 13, 30)
    assert due(resumed, monday) == ()
    assert next_check(resumed) == msk(2026, 12, 1, 13, 30)


def test_a_next_response_warned_before_a_pause_without_business_time_is_not_warned_again() -> None:
    # Given a next response owed by Monday 30 November 18:00 Moscow (15:00 UTC), its warning of Friday
    # 17:00 Moscow told, the times stored in UTC as samples build them, and the ticket waiting for the
    # customer from Saturday 10:00 Moscow
    ticket = stored_ticket(
        status="in_progress",
        first_response_at=datetime(2026, 11, 24, 7, tzinfo=UTC),
        first_response_due_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
        next_response_warn_at=datetime(2026, 11, 27, 14, tzinfo=UTC),
        next_response_due_at=datetime(2026, 11, 30, 15, tzinfo=UTC),
    )
    warned = told(ticket, datetime(2026, 11, 27, 14, tzinfo=UTC))
    paused = follow(warned, moved(warned, "waiting_customer"), msk(2026, 11, 28, 10), CALENDAR)

    # When the agent takes it back on Sunday at 12:00 Moscow: a pause of no business time at all
    sunday = msk(2026, 11, 29, 12)
    resumed = follow(paused, moved(paused, "in_progress"), sunday, CALENDAR)

    # Then the deadline is the same moment, and the warning already told is not due again
    assert resumed.next_response_due_at == msk(2026, 11, 30, 18)
    assert due(resumed, sunday) == ()
    assert next_check(resumed) == msk(2026, 11, 30, 18)


# ---------------------------------------------------------------- customer_wrote and answered


def first_answered(sla: SlaSettings = NO_SLA_SETTINGS) -> Ticket:
    """The sample ticket, its first response published on Tuesday 24 November at 10:00, open again."""
    return planned(sla).model_copy(update={"first_response_at": msk(2026, 11, 24, 10)})


def test_after_a_first_response_a_next_response_is_owed_in_business_hours() -> None:
    # Given a ticket answered on Tuesday at 10:00
    ticket = first_answered()
    policy, calendar = policy_of(NO_SLA_SETTINGS, ticket)

    # When the customer writes again on Tuesday 24 November at 12:00
    wrote = customer_wrote(ticket, msk(2026, 11, 24, 12), policy, calendar)

    # Then a reply is owed 24 business hours later (Tue 12-18 is 6, Wed 9, Thu 9): Thursday 18:00, its
    # warning at 19.2 hours (6 + 9 + 4.2): Thursday 13:12
    assert wrote.next_response_due_at == msk(2026, 11, 26, 18)
    assert wrote.next_response_warn_at == msk(2026, 11, 26, 13, 12)
    assert runs(wrote, "next_response") is True
    assert next_check(wrote) == msk(2026, 11, 26, 13, 12)
    (warning,) = due(wrote, msk(2026, 11, 26, 13, 12))
    assert (warning.kind, warning.target, warning.key) == (
        "warning",
        "next_response",
        "next_response@2026-11-26T15:00:00+00:00:warning",
    )


def test_before_any_first_response_the_customer_writing_again_changes_nothing() -> None:
    # Given a ticket not answered yet
    ticket = planned()

    # When the customer writes again on Tuesday at 12:00
    wrote = customer_wrote(ticket, msk(2026, 11, 24, 12), STANDARD, CALENDAR)

    # Then the first response still answers it: no next response is owed
    assert wrote == ticket
    assert wrote.next_response_due_at is None


def test_a_published_reply_clears_the_next_response_owed() -> None:
    # Given a next response owed by Thursday 18:00
    wrote = customer_wrote(first_answered(), msk(2026, 11, 24, 12), STANDARD, CALENDAR)

    # When the reply reaches the customer
    replied = answered(wrote)

    # Then no next response is owed, and the next look is the resolution's warning again
    assert (replied.next_response_due_at, replied.next_response_warn_at) == (None, None)
    assert runs(replied, "next_response") is False
    assert next_check(replied) == RESOLUTION_WARNING
    assert [event.target for event in due(replied, msk(2026, 11, 26, 18, 30))] == ["resolution"]


def test_a_customer_chasing_an_answer_does_not_move_the_deadline_owed() -> None:
    # Given a next response owed since Tuesday 12:00 (due 16:00)
    policy, calendar = policy_of(NEXT_IN_FOUR, first_answered(NEXT_IN_FOUR))
    owed = customer_wrote(first_answered(NEXT_IN_FOUR), msk(2026, 11, 24, 12), policy, calendar)

    # When the customer writes again at 15:00, before any reply
    chased = customer_wrote(owed, msk(2026, 11, 24, 15), policy, calendar)

    # Then the deadline counts from the oldest message not answered
    assert chased.next_response_due_at == msk(2026, 11, 24, 16)
    assert chased == owed


def test_no_next_response_is_owed_once_the_marketplace_takes_no_reply() -> None:
    # Given a ticket whose marketplace reply window closed on Tuesday 11:00
    ticket = first_answered(NEXT_IN_FOUR).model_copy(update={"reply_window_closes_at": msk(2026, 11, 24, 11)})
    policy, calendar = policy_of(NEXT_IN_FOUR, ticket)

    # When the customer writes at 12:00
    wrote = customer_wrote(ticket, msk(2026, 11, 24, 12), policy, calendar)

    # Then no reply is owed: none could be sent (and none breaches at once)
    assert wrote.next_response_due_at is None
    assert next_check(wrote) == next_check(ticket)


def test_a_second_round_of_next_response_gets_its_own_warning_breach_and_escalations() -> None:
    # Given a policy owing a next response within 4 business hours, and round one: the customer wrote on
    # Tuesday at 12:00 (due 16:00, warning at 15:12), nobody answered until after 16:05
    policy, calendar = policy_of(NEXT_IN_FOUR, first_answered(NEXT_IN_FOUR))
    round_one = customer_wrote(first_answered(NEXT_IN_FOUR), msk(2026, 11, 24, 12), policy, calendar)
    assert (round_one.next_response_warn_at, round_one.next_response_due_at) == (
        msk(2026, 11, 24, 15, 12),
        msk(2026, 11, 24, 16),
    )
    first_breach = msk(2026, 11, 24, 16, 5)
    breached = told(told(round_one, first_breach, NEXT_IN_FOUR), first_breach, NEXT_IN_FOUR)
    assert set(breached.sla_done) == {
        "next_response@2026-11-24T13:00:00+00:00:breach",
        "next_response@2026-11-24T13:00:00+00:00:warning",
        "next_response@2026-11-24T13:00:00+00:00:escalation:0",
    }

    # When the reply goes out at 17:00 and the customer writes again on Wednesday 25 November at 10:00
    replied = answered(breached)
    assert next_check(replied) is None
    round_two = customer_wrote(replied, msk(2026, 11, 25, 10), policy, calendar)

    # Then round two is due at 14:00 with its warning at 13:12 (3.2 hours), each told once under keys of
    # its own: round one's done keys do not hold them back
    assert next_check(round_two) == msk(2026, 11, 25, 13, 12)
    assert due(round_two, msk(2026, 11, 25, 13, 12)) == (
        SlaEvent(
            "warning",
            "next_response",
            msk(2026, 11, 25, 13, 12),
            "next_response@2026-11-25T11:00:00+00:00:warning",
        ),
    )
    warned = told(round_two, msk(2026, 11, 25, 13, 12), NEXT_IN_FOUR)
    assert due(warned, msk(2026, 11, 25, 13, 12)) == ()
    assert due(warned, msk(2026, 11, 25, 14)) == (
        SlaEvent(
            "breach",
            "next_response",
            msk(2026, 11, 25, 14),
            "next_response@2026-11-25T11:00:00+00:00:breach",
        ),
    )
    breached_again = told(warned, msk(2026, 11, 25, 14), NEXT_IN_FOUR)
    # and its escalation chain is its own, counted from its deadline (the head: 14:00 + 4 = 18:00)
    assert breached_again.escalations == (
        EscalationDue(target="next_response", step=0, notify="team_lead", at=msk(2026, 11, 25, 14)),
        EscalationDue(target="next_response", step=1, notify="head", at=msk(2026, 11, 25, 18)),
    )
    assert [event.key for event in due(breached_again, msk(2026, 11, 25, 14))] == [
        "next_response@2026-11-25T11:00:00+00:00:escalation:0"
    ]
    # and the ticket's first breach time is still round one's
    assert breached_again.sla_breached_at == first_breach


# ---------------------------------------------------------------- policy_of


def names(found: tuple[SlaPolicy, BusinessCalendar]) -> tuple[str, str]:
    policy, calendar = found
    return policy.name, calendar.name


@pytest.mark.parametrize(
    ("sla_policy", "sla_calendar", "expected"),
    [
        (None, None, ("standard", "default")),
        ("vip", "lunch", ("vip", "lunch")),
        # Both gone from the document: the default policy, on its own calendar.
        ("gone", "gone", ("standard", "default")),
        # The calendar renamed: the ticket's policy, on the calendar that policy names now.
        ("vip", "gone", ("vip", "lunch")),
    ],
    ids=["neither-named", "both-named", "both-gone", "calendar-gone"],
)
def test_the_ticket_keeps_to_the_policy_and_calendar_the_document_still_names(
    sla_policy: str | None, sla_calendar: str | None, expected: tuple[str, str]
) -> None:
    ticket = stored_ticket(sla_policy=sla_policy, sla_calendar=sla_calendar)

    assert names(policy_of(WITH_LUNCH, ticket)) == expected


def test_a_ticket_whose_policy_is_gone_falls_back_to_the_default_policy_on_its_own_calendar() -> None:
    # Given a ticket of the vip policy (calendar "lunch"), and a document that dropped the policy but
    # still has the calendar
    without_vip = WITH_LUNCH.model_copy(update={"policies": (STANDARD,)})
    ticket = stored_ticket(sla_policy="vip", sla_calendar="lunch")

    # When its policy is looked up
    found = policy_of(without_vip, ticket)

    # Then it keeps to the default policy, counted in the calendar its deadlines were counted in
    assert names(found) == ("standard", "lunch")


URGENT_FASTER = SlaSettings(
    policies=(
        SlaPolicy(
            name="standard",
            targets=(
                Target(priorities=("urgent",), first_response_hours=2, resolution_hours=9),
                Target(first_response_hours=24, resolution_hours=45),
            ),
        ),
    )
)


def test_a_priority_raised_to_urgent_brings_the_urgent_deadlines_and_a_lowered_one_keeps_them() -> None:
    # Given a normal ticket opened on Monday 23 November at 09:00 Moscow (24 working hours to answer)
    policy, calendar = policy_of(URGENT_FASTER, stored_ticket())
    opened = stored_ticket(
        priority="normal",
        created_at=msk(2026, 11, 23, 9),
        first_response_due_at=msk(2026, 11, 25, 15),
        resolution_due_at=msk(2026, 11, 27, 18),
    )

    # When a repeat contact raises it to urgent
    urgent = reprioritized(opened, opened.model_copy(update={"priority": "urgent"}), policy, calendar)
    # and when another change lowers it again
    lowered = reprioritized(urgent, urgent.model_copy(update={"priority": "low"}), policy, calendar)

    # Then it is owed its answer as an urgent ticket: 2 working hours (11:00), resolved in 9 (18:00)
    assert (urgent.first_response_due_at, urgent.resolution_due_at) == (
        msk(2026, 11, 23, 11),
        msk(2026, 11, 23, 18),
    )
    # And lowering it gives no more time than it had
    assert (lowered.first_response_due_at, lowered.resolution_due_at) == (
        urgent.first_response_due_at,
        urgent.resolution_due_at,
    )
