"""Ops API queries: feedback, tickets, notifications and aggregates, with their parameters checked.

Every parameter is bounded in length and charset here, before any store sees it: DynamoDB answers a
key over 2,048 bytes, an empty one or a start key of the wrong shape with a ValidationException, and
int() of 4,300 digits raises. A refusal quotes a parameter only once it is known to be short and plain.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, get_args

from otklik.domain import ids
from otklik.domain.aggregates import (
    DIMENSIONS,
    PERIOD_KINDS,
    PeriodError,
    day_period,
    period_key,
    period_range,
    summarize,
)
from otklik.domain.errors import InvalidRequest, NotAuthenticated, NotFound
from otklik.domain.lifecycle import NAME
from otklik.domain.models import Priority, TicketStatus
from otklik.domain.reports import Report, ReportPeriod
from otklik.ports import (
    AggregateQueries,
    AlertKeeper,
    AutoReplies,
    FeedbackQueries,
    Page,
    ReportArchive,
    TicketFilters,
    TicketQueries,
)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Our ids are a prefix and 24 hex digits (otklik.domain.ids). This is looser, so every id of ours
# passes; what passes is a short, plain key DynamoDB takes, and safe to quote in a refusal.
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Far longer than any cursor this API gives out (otklik.adapters.pages checks its content).
MAX_CURSOR_CHARS = 8192
_TEAM = re.compile(NAME)  # the configuration's names, as teams have them
MAX_ASSIGNEE_CHARS = 200


def check_bearer(authorization: str | None, expected_token: str) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("send Authorization: Bearer <token>")
    if not hmac.compare_digest(token.strip().encode(), expected_token.encode()):
        raise NotAuthenticated("the bearer token is not valid")


def is_id(value: str | None) -> bool:
    """Whether value has the shape of an id of ours (one that could name a stored item)."""
    return value is not None and _ID.fullmatch(value) is not None


def _day(params: Mapping[str, str]) -> str:
    day = params.get("day")
    if not day:
        raise InvalidRequest("query parameter day=YYYY-MM-DD is required")
    if not _DAY.fullmatch(day):
        raise InvalidRequest("day must be a calendar date YYYY-MM-DD")
    try:
        date.fromisoformat(day)
    except ValueError as error:
        raise InvalidRequest(f"day must be a calendar date YYYY-MM-DD, not {day!r}") from error
    return day


def _limit(params: Mapping[str, str]) -> int:
    raw = params.get("limit", str(DEFAULT_LIMIT))
    # The length first: int() of a string of 4,300 digits or more raises ValueError.
    digits = len(raw) <= len(str(MAX_LIMIT)) and raw.isascii() and raw.isdigit()
    if not digits or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _cursor(params: Mapping[str, str]) -> str | None:
    cursor = params.get("cursor")
    if cursor is not None and len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidRequest("cursor is not one this API gave out")
    return cursor or None


def _page(page: Page) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor}


def get_feedback(
    store: FeedbackQueries, feedback_id: str, auto_replies: AutoReplies | None = None
) -> dict[str, Any]:
    """One feedback item; with `auto_replies`, the automatic reply to it when it has no ticket (the outbox
    of automatic replies: who allowed it, what was published, what the platform shows of it)."""
    if not is_id(feedback_id):
        raise NotFound("no feedback has an id like that")
    found = store.get(feedback_id)
    if found is None:
        raise NotFound(f"no feedback {feedback_id}")
    if auto_replies is not None:
        reply = auto_replies.get_auto(ids.ticket_id(feedback_id))
        if reply is not None:
            found = {**found, "auto_reply": reply.model_dump(mode="json", exclude_none=True)}
    return found


def list_feedback(store: FeedbackQueries, params: Mapping[str, str]) -> dict[str, Any]:
    day = _day(params)
    return {"day": day, **_page(store.list_day(day, _limit(params), _cursor(params)))}


def _ticket_filters(params: Mapping[str, str]) -> TicketFilters:
    """GET /tickets' filters beside status, each checked for its shape (a value no ticket can have is
    refused, not looked for)."""
    team = params.get("team")
    if team is not None and not _TEAM.fullmatch(team):
        raise InvalidRequest("team must be a team's name: a-z, 0-9, _ and -, at most 40")
    priority = params.get("priority")
    priorities = get_args(Priority)
    if priority is not None and priority not in priorities:
        raise InvalidRequest(f"priority must be one of {', '.join(priorities)}")
    assignee = params.get("assignee")
    if assignee is not None and not (
        0 < len(assignee) <= MAX_ASSIGNEE_CHARS and assignee.isprintable() and assignee.strip()
    ):
        raise InvalidRequest(f"assignee must be a name: printable, 1 to {MAX_ASSIGNEE_CHARS} characters")
    breached = params.get("breached")
    if breached is not None and breached not in ("true", "false"):
        raise InvalidRequest("breached must be true or false")
    return TicketFilters(
        team=team,
        priority=priority,
        assignee=assignee,
        breached=None if breached is None else breached == "true",
    )


def list_tickets(store: TicketQueries, params: Mapping[str, str]) -> dict[str, Any]:
    """Tickets in a status (open unless asked otherwise) that match every filter given, newest first."""
    status = params.get("status", "open")
    allowed = get_args(TicketStatus)
    if status not in allowed:
        raise InvalidRequest(f"status must be one of {', '.join(allowed)}")
    filters = _ticket_filters(params)
    limit, cursor = _limit(params), _cursor(params)
    given = filters.given()
    page = (
        store.list_filtered(status, filters, limit, cursor)
        if given
        else store.list_by_status(status, limit, cursor)
    )
    return {"status": status, **given, **_page(page)}


def get_ticket(store: TicketQueries, ticket_id: str) -> dict[str, Any]:
    if not is_id(ticket_id):
        raise NotFound("no ticket has an id like that")
    found = store.get(ticket_id)
    if found is None:
        raise NotFound(f"no ticket {ticket_id}")
    return found


def list_notifications(store: TicketQueries, params: Mapping[str, str]) -> dict[str, Any]:
    ticket_id = params.get("ticket_id")
    if not ticket_id:
        raise InvalidRequest("query parameter ticket_id is required")
    if not is_id(ticket_id):
        raise NotFound("no ticket has an id like that")
    if store.get(ticket_id) is None:
        raise NotFound(f"no ticket {ticket_id}")
    return {"ticket_id": ticket_id, "items": store.list_notifications(ticket_id)}


def _of_dimension(counters: Mapping[str, Mapping[str, int]], dimension: str) -> dict[str, Any]:
    """A period's counters of one dimension by its value (a source, a product...), biggest first."""
    if dimension == "all":
        return {"all": summarize(counters.get("all", {}))}
    prefix = {"topic_polarity": "topic#", "product_topic": "product#"}.get(dimension, f"{dimension}#")
    parts = {"topic_polarity": 3, "account": 3, "product": 3, "product_topic": 6}.get(dimension, 2)
    found = {
        name.removeprefix(prefix): values
        for name, values in counters.items()
        if name.startswith(prefix) and len(name.split("#")) == parts
    }
    ordered = sorted(found.items(), key=lambda pair: (-pair[1].get("total", 0), pair[0]))
    return {name: summarize(values) for name, values in ordered}


def _aggregate_params(params: Mapping[str, str]) -> tuple[str, list[str], str]:
    kind = params.get("period", "day")
    dimension = params.get("dimension", "all")
    if dimension not in DIMENSIONS:
        raise InvalidRequest(f"dimension must be one of {', '.join(DIMENSIONS)}")
    key, first, last = params.get("key"), params.get("from"), params.get("to")
    try:
        if key is not None and (first is not None or last is not None):
            raise PeriodError("give key, or from and to, not both")
        if key is not None:
            return kind, [period_key(kind, key)], dimension
        if first is None or last is None:
            raise PeriodError("give key=<period>, or from=<period>&to=<period> for a range")
        return kind, period_range(period_key(kind, first), period_key(kind, last)), dimension
    except PeriodError as error:
        raise InvalidRequest(str(error)) from error


def get_aggregates(store: AggregateQueries, params: Mapping[str, str]) -> dict[str, Any]:
    """?day=YYYY-MM-DD: the day overall and per source. ?period=day|week|month&key=... (or &from=...&to=...
    for a chart's range) &dimension=all|source|account|product|topic|topic_polarity|team: that dimension's
    counters, per period of the range."""
    if "day" not in params:
        kind, periods, dimension = _aggregate_params(params)
        series = [
            {"key": period.partition("#")[2], "values": _of_dimension(store.period(period), dimension)}
            for period in periods
        ]
        if "key" in params:
            return {
                "period": kind,
                "key": series[0]["key"],
                "dimension": dimension,
                "values": series[0]["values"],
            }
        return {
            "period": kind,
            "from": series[0]["key"],
            "to": series[-1]["key"],
            "dimension": dimension,
            "series": series,
        }
    day = _day(params)
    counters = store.period(day_period(day))
    sources = {
        dimension.removeprefix("source#"): summarize(values)
        for dimension, values in sorted(counters.items())
        if dimension.startswith("source#")
    }
    return {"day": day, "all": summarize(counters.get("all", {})), "sources": sources}


def list_alerts(store: AlertKeeper | None, params: Mapping[str, str]) -> dict[str, Any]:
    """Spike alerts newest first: ?since=YYYY-MM-DD (default: every one kept), &limit=1..200 (50)."""
    since = params.get("since", "2000-01-01")
    try:
        day = date.fromisoformat(since) if _DAY.fullmatch(since) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidRequest("since must be a calendar date YYYY-MM-DD")
    raw = params.get("limit", "50")
    if not (len(raw) <= 3 and raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 200:
        raise InvalidRequest("limit must be a whole number from 1 to 200")
    alerts = store.since(day, int(raw)) if store is not None else []
    return {"items": [alert.model_dump(mode="json") for alert in alerts]}


REPORT_LINK_SECONDS = 3600


def _report_entry(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "kind": report.kind,
        "key": report.key,
        "title": report.title,
        "period": report.period,
        "built_at": report.built_at.isoformat(),
        "summary": report.summary,
        "changes": [change.text for change in report.changes],
    }


def list_reports(store: ReportArchive, params: Mapping[str, str]) -> dict[str, Any]:
    """Built reports newest first: ?kind=day|week|month (default: every kind), &limit=1..100 (20)."""
    kind = params.get("kind")
    if kind is not None and kind not in PERIOD_KINDS:
        raise InvalidRequest(f"kind must be one of {', '.join(PERIOD_KINDS)}")
    raw = params.get("limit", "20")
    if not (len(raw) <= 3 and raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100:
        raise InvalidRequest("limit must be a whole number from 1 to 100")
    return {"items": [_report_entry(report) for report in store.latest(kind, int(raw))]}


def get_report(store: ReportArchive, report_id: str) -> dict[str, Any]:
    """One report: its figures, rankings and changes, and a link to each file valid for an hour."""
    try:
        period = ReportPeriod.from_id(report_id)
    except PeriodError as error:
        raise NotFound(f"no report has an id like that: {error}") from error
    report = store.get(period.id)
    if report is None:
        raise NotFound(f"no report {period.id}: it was not built (otklik reports build)")
    return {
        **report.model_dump(mode="json"),
        "links": store.links(report, REPORT_LINK_SECONDS),
        "links_expire_in": REPORT_LINK_SECONDS,
    }
