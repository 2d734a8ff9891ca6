"""Ops API queries: the bearer token and every query parameter are checked before any store is asked."""

from __future__ import annotations

from typing import Any

import pytest

from otklik.adapters.pages import Page
from otklik.domain.errors import InvalidRequest, NotAuthenticated, NotFound
from otklik.usecases.ops import (
    check_bearer,
    get_aggregates,
    get_feedback,
    get_ticket,
    list_feedback,
    list_notifications,
    list_tickets,
)

TOKEN = "local-dev-token"


class FeedbackDocuments:
    def __init__(self, *documents: dict[str, Any]) -> None:
        self.documents = {d["id"]: d for d in documents}
        self.asked: list[tuple[str, int, str | None]] = []

    def get(self, feedback_id: str) -> dict[str, Any] | None:
        found = self.documents.get(feedback_id)
        return dict(found) if found is not None else None

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        self.asked.append((day, limit, cursor))
        items = [dict(d) for d in self.documents.values() if d["day"] == day]
        return Page(items=items[:limit], next_cursor="next-page" if len(items) > limit else None)


class TicketDocuments:
    def __init__(self, *documents: dict[str, Any]) -> None:
        self.documents = {d["id"]: d for d in documents}
        self.asked: list[tuple[str, int, str | None]] = []

    def get(self, ticket_id: str) -> dict[str, Any] | None:
        return self.documents.get(ticket_id)

    def list_by_status(self, status: str, limit: int, cursor: str | None) -> Page:
        self.asked.append((status, limit, cursor))
        return Page(items=[d for d in self.documents.values() if d["status"] == status], next_cursor=None)

    def list_notifications(self, ticket_id: str) -> list[dict[str, Any]]:
        return [{"id": "nt_1", "ticket_id": ticket_id, "event": "ticket_opened"}]


class DayCounters:
    def __init__(self, counters: dict[str, dict[str, dict[str, int]]]) -> None:
        self.counters = counters

    def period(self, period: str) -> dict[str, dict[str, int]]:
        return self.counters.get(period, {})


FEEDBACK = {
    "id": "fb_1",
    "day": "2026-11-22",
    "text": "Порвалось",
}
TICKET = {"id": "tk_1", "status": "open", "priority": "high"}


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", f"Basic {TOKEN}", TOKEN, "Bearer wrong-token", f"Bearer {TOKEN}x"],
    ids=["missing", "empty", "no-token", "blank-token", "basic-scheme", "no-scheme", "wrong", "longer"],
)
def test_a_request_without_the_right_bearer_token_is_unauthorized(authorization: str | None) -> None:
    with pytest.raises(NotAuthenticated, match=r"[Bb]earer|token"):
        check_bearer(authorization, TOKEN)


@pytest.mark.parametrize("authorization", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN}"])
def test_the_right_bearer_token_passes(authorization: str) -> None:
    try:
        check_bearer(authorization, TOKEN)
    except NotAuthenticated as error:
        pytest.fail(f"refused a valid token: {error.message}")


@pytest.mark.parametrize(
    "params",
    [{}, {"day": ""}, {"day": "2026-13-01"}, {"day": "2026-2-1"}, {"day": "garbage"}, {"day": "2026-02-30"}],
    ids=["missing", "empty", "month-13", "unpadded", "garbage", "feb-30"],
)
def test_a_missing_or_impossible_day_is_a_bad_request_and_nothing_is_queried(params: dict[str, str]) -> None:
    store = FeedbackDocuments(FEEDBACK)

    with pytest.raises(InvalidRequest, match="day"):
        list_feedback(store, params)

    assert store.asked == []


def test_feedback_of_a_day_is_listed_page_by_page() -> None:
    store = FeedbackDocuments(FEEDBACK)

    answer = list_feedback(store, {"day": "2026-11-22", "cursor": "abc"})

    assert answer == {
        "day": "2026-11-22",
        "items": [{"id": "fb_1", "day": "2026-11-22", "text": "Порвалось"}],
        "next_cursor": None,
    }
    assert store.asked == [("2026-11-22", 50, "abc")]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", "", " 5"])
def test_a_limit_outside_1_to_200_is_a_bad_request(limit: str) -> None:
    store = FeedbackDocuments(FEEDBACK)

    with pytest.raises(InvalidRequest, match="limit"):
        list_feedback(store, {"day": "2026-11-22", "limit": limit})

    assert store.asked == []


@pytest.mark.parametrize("limit", [1, 200])
def test_a_limit_at_the_bounds_is_passed_to_the_store(limit: int) -> None:
    store = FeedbackDocuments(FEEDBACK)

    list_feedback(store, {"day": "2026-11-22", "limit": str(limit)})

    assert store.asked == [("2026-11-22", limit, None)]


def test_a_limit_of_unicode_superscript_digits_is_a_bad_request() -> None:
    with pytest.raises(InvalidRequest):
        list_feedback(FeedbackDocuments(FEEDBACK), {"day": "2026-11-22", "limit": "²"})


def test_tickets_are_listed_by_status_open_unless_asked_otherwise() -> None:
    resolved = {"id": "tk_2", "status": "resolved", "priority": "low"}
    store = TicketDocuments(TICKET, resolved)

    default = list_tickets(store, {})
    asked = list_tickets(store, {"status": "resolved", "limit": "10"})

    assert default == {"status": "open", "items": [TICKET], "next_cursor": None}
    assert asked["items"] == [resolved]
    assert store.asked == [("open", 50, None), ("resolved", 10, None)]


@pytest.mark.parametrize("status", ["pending", "OPEN", ""])
def test_an_unknown_ticket_status_is_a_bad_request_listing_the_valid_ones(status: str) -> None:
    store = TicketDocuments(TICKET)

    with pytest.raises(
        InvalidRequest, match="open, acknowledged, in_progress, waiting_customer, resolved, closed"
    ):
        list_tickets(store, {"status": status})

    assert store.asked == []


def test_unknown_feedback_is_not_found() -> None:
    with pytest.raises(NotFound, match="fb_nope"):
        get_feedback(FeedbackDocuments(FEEDBACK), "fb_nope")


def test_known_feedback_is_shown_as_the_store_gives_it() -> None:
    assert get_feedback(FeedbackDocuments(FEEDBACK), "fb_1") == {
        "id": "fb_1",
        "day": "2026-11-22",
        "text": "Порвалось",
    }


def test_unknown_ticket_is_not_found_and_a_known_one_is_shown() -> None:
    store = TicketDocuments(TICKET)

    with pytest.raises(NotFound, match="tk_nope"):
        get_ticket(store, "tk_nope")
    assert get_ticket(store, "tk_1") == TICKET


def test_notifications_need_a_known_ticket() -> None:
    store = TicketDocuments(TICKET)

    with pytest.raises(InvalidRequest, match="ticket_id"):
        list_notifications(store, {})
    with pytest.raises(NotFound, match="tk_nope"):
        list_notifications(store, {"ticket_id": "tk_nope"})
    answer = list_notifications(store, {"ticket_id": "tk_1"})
    assert answer["ticket_id"] == "tk_1"
    assert [n["id"] for n in answer["items"]] == ["nt_1"]


def test_aggregates_of_a_day_show_all_feedback_and_each_source() -> None:
    store = DayCounters(
        {
            "DAY#2026-11-22": {
                "all": {"total": 3, "label_negative": 2, "rating_1": 2, "rating_sum": 7, "rating_count": 3},
                "source#custom": {
                    "total": 1,
                    "label_negative": 1,
                    "rating_1": 1,
                    "rating_sum": 1,
                    "rating_count": 1,
                },
                "source#wildberries": {"total": 2, "label_negative": 1, "rating_sum": 6, "rating_count": 2},
            },
            "DAY#2026-11-21": {"all": {"total": 99}},
        }
    )

    answer = get_aggregates(store, {"day": "2026-11-22"})

    assert answer["day"] == "2026-11-22"
    assert answer["all"]["total"] == 3
    assert answer["all"]["rating_average"] == 2.333
    assert answer["all"]["ratings"]["1"] == 2
    assert set(answer["sources"]) == {"custom", "wildberries"}
    assert answer["sources"]["custom"]["rating_average"] == 1.0
    assert answer["sources"]["wildberries"]["labels"] == {"negative": 1, "neutral": 0, "positive": 0}


def test_aggregates_of_a_quiet_day_are_zeros_with_no_sources() -> None:
    answer = get_aggregates(DayCounters({}), {"day": "2026-11-23"})

    assert answer["all"]["total"] == 0
    assert answer["all"]["rating_average"] is None
    assert answer["all"]["ratings"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
    assert answer["sources"] == {}


def test_aggregates_need_a_valid_day() -> None:
    with pytest.raises(InvalidRequest, match="day"):
        get_aggregates(DayCounters({}), {"day": "22.11.2026"})
