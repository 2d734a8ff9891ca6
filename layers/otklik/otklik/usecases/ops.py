"""Ops API queries: feedback, tickets, notifications and aggregates, with their parameters checked."""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, get_args

from otklik.domain.aggregates import day_period, summarize
from otklik.domain.errors import InvalidRequest, NotAuthenticated, NotFound
from otklik.domain.models import TicketStatus
from otklik.ports import AggregateQueries, FeedbackQueries, Page, TicketQueries

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_bearer(authorization: str | None, expected_token: str) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("send Authorization: Bearer <token>")
    if not hmac.compare_digest(token.strip().encode(), expected_token.encode()):
        raise NotAuthenticated("the bearer token is not valid")


def _day(params: Mapping[str, str]) -> str:
    day = params.get("day")
    if not day:
        raise InvalidRequest("query parameter day=YYYY-MM-DD is required")
    try:
        if not _DAY.match(day):
            raise ValueError(day)
        date.fromisoformat(day)
    except ValueError as error:
        raise InvalidRequest(f"day must be a calendar date YYYY-MM-DD, not {day!r}") from error
    return day


def _limit(params: Mapping[str, str]) -> int:
    raw = params.get("limit", str(DEFAULT_LIMIT))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _page(page: Page) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor}


def get_feedback(store: FeedbackQueries, feedback_id: str) -> dict[str, Any]:
    found = store.get(feedback_id)
    if found is None:
        raise NotFound(f"no feedback {feedback_id}")
    return found


def list_feedback(store: FeedbackQueries, params: Mapping[str, str]) -> dict[str, Any]:
    page = store.list_day(_day(params), _limit(params), params.get("cursor"))
    return {"day": params["day"], **_page(page)}


def list_tickets(store: TicketQueries, params: Mapping[str, str]) -> dict[str, Any]:
    status = params.get("status", "open")
    allowed = get_args(TicketStatus)
    if status not in allowed:
        raise InvalidRequest(f"status must be one of {', '.join(allowed)}")
    return {"status": status, **_page(store.list_by_status(status, _limit(params), params.get("cursor")))}


def get_ticket(store: TicketQueries, ticket_id: str) -> dict[str, Any]:
    found = store.get(ticket_id)
    if found is None:
        raise NotFound(f"no ticket {ticket_id}")
    return found


def list_notifications(store: TicketQueries, params: Mapping[str, str]) -> dict[str, Any]:
    ticket_id = params.get("ticket_id")
    if not ticket_id:
        raise InvalidRequest("query parameter ticket_id is required")
    if store.get(ticket_id) is None:
        raise NotFound(f"no ticket {ticket_id}")
    return {"ticket_id": ticket_id, "items": store.list_notifications(ticket_id)}


def get_aggregates(store: AggregateQueries, params: Mapping[str, str]) -> dict[str, Any]:
    day = _day(params)
    counters = store.period(day_period(day))
    sources = {
        dimension.removeprefix("source#"): summarize(values)
        for dimension, values in sorted(counters.items())
        if dimension.startswith("source#")
    }
    return {"day": day, "all": summarize(counters.get("all", {})), "sources": sources}
