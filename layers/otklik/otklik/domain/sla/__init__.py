"""SLA on business calendars: working hours, the Russian production calendar, policies and deadlines.

    calendar = config.sla.calendar("default")
    add_business_hours(received_at, 24, calendar)          # the moment 24 working hours later
    business_hours_between(received_at, replied_at, calendar)
    policy = config.sla.policy()                            # the default policy ("standard")
    deadlines(policy, config.sla.calendar(policy.calendar), "high", "review", received_at, "wildberries")

Pure: no clock (moments are passed in), no environment, no I/O.
"""

from otklik.domain.sla.calendar import (
    BusinessCalendar,
    NoWorkingTime,
    add_business_hours,
    business_hours_between,
)
from otklik.domain.sla.policy import (
    Deadlines,
    Due,
    Escalation,
    deadlines,
    due_after,
    escalations,
    next_response_due,
    reply_window_of,
)
from otklik.domain.sla.settings import CalendarSettings, SlaPolicy, SlaSettings, Target, UnknownName

__all__ = [
    "BusinessCalendar",
    "CalendarSettings",
    "Deadlines",
    "Due",
    "Escalation",
    "NoWorkingTime",
    "SlaPolicy",
    "SlaSettings",
    "Target",
    "UnknownName",
    "add_business_hours",
    "business_hours_between",
    "deadlines",
    "due_after",
    "escalations",
    "next_response_due",
    "reply_window_of",
]
