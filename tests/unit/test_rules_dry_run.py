"""The rules dry run: a candidate's decisions beside what each item of a stored day got, paged and capped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from otklik.domain.config import DEFAULT_CONFIG, parse_config
from otklik.domain.errors import InvalidRequest
from otklik.domain.ids import ticket_id
from otklik.domain.models import FeedbackItem, Ticket, Topic
from otklik.domain.routing import open_ticket, plan_ticket
from otklik.ports import Page
from otklik.usecases.dry_run import DryRunRequest, dry_run, dry_run_request
from tests.unit.samples import NOW, feedback_item

DAY = "2026-11-22"
CANDIDATE = """
teams: [{name: support}, {name: logistics}]
rules:
  - name: spam
    when: {flag: [advertising, gibberish, fake_signal]}
    then: {suppress: true}
    stop: true
  - name: low-rating
    when: {rating: {lte: 2}}
    then: {reason: low_rating}
  - name: delivery-to-logistics
    when: {topic: {topic: delivery, polarity: negative}}
    then: {team: logistics, priority: high, reason: delivery}
"""


class StoredDay:
    """A day of stored items as FeedbackTable's by_day index pages them, and their tickets."""

    def __init__(self, items: Sequence[FeedbackItem], tickets: Sequence[Ticket] = ()) -> None:
        self.documents: list[dict[str, Any]] = [item.model_dump(mode="json") for item in items]
        self.tickets = {ticket.id: ticket for ticket in tickets}
        self.pages_read = 0
        self.batches: list[int] = []

    def get(self, feedback_id: str) -> dict[str, Any] | None:
        return next((d for d in self.documents if d["id"] == feedback_id), None)

    def list_day(self, day: str, limit: int, cursor: str | None) -> Page:
        self.pages_read += 1
        start = int(cursor or 0)
        on_day = [d for d in self.documents if d["day"] == day]
        end = start + limit
        return Page(items=on_day[start:end], next_cursor=str(end) if end < len(on_day) else None)

    def get_tickets(self, ticket_ids: Sequence[str]) -> Mapping[str, Ticket]:
        self.batches.append(len(ticket_ids))
        return {found: self.tickets[found] for found in ticket_ids if found in self.tickets}


def routed(item: FeedbackItem) -> Ticket:
    """The ticket today's default rules opened for item."""
    plan = plan_ticket(item, DEFAULT_CONFIG.routing, DEFAULT_CONFIG.rules)
    assert plan is not None
    return open_ticket(item, plan, NOW)


def late_courier(external_id: str = "late") -> FeedbackItem:
    item = feedback_item(
        text="Курьер опоздал", rating=2, label="negative", compound=-0.5, external_id=external_id
    )
    topic = Topic(topic="delivery", polarity="negative", evidence="Курьер опоздал", start=0, end=14)
    return item.model_copy(update={"topics": (topic,)})


def by_id(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["feedback_id"]: entry for entry in answer["items"]}


def test_each_item_shows_what_it_would_get_beside_what_it_got() -> None:
    # Given a day: a late courier (ticketed to support), a praise (no ticket), and spam (a low ticket)
    late = late_courier()
    praise = feedback_item(text="Отлично", rating=5, label="positive", compound=0.9, external_id="praise")
    spam = feedback_item(
        text="Скидки тут", rating=1, label="negative", flags=("advertising",), external_id="spam"
    )
    day = StoredDay([late, praise, spam], [routed(late), routed(spam)])

    # When the candidate runs over it
    answer = dry_run(parse_config(CANDIDATE), DAY, day, day)

    # Then the late courier would go to logistics, high, and the spam would get no ticket
    items = by_id(answer)
    assert items[late.id]["got"]["team"] == "support"
    assert items[late.id]["got"]["rules"] == ["negative-tonality", "low-rating"]
    would = items[late.id]["would"]
    assert (would["ticket"], would["team"], would["priority"]) == (True, "logistics", "high")
    assert [rule["name"] for rule in would["rules"]] == ["low-rating", "delivery-to-logistics"]
    assert would["rules"][1]["why"] == ["topic delivery negative: 'Курьер опоздал'"]
    assert items[late.id]["changes"] == [
        "team: support -> logistics",
        "priority: normal -> high",
        "reasons: negative_tonality, low_rating -> low_rating, delivery",
    ]
    assert items[spam.id]["changes"] == ["ticket: opened -> none (suppressed)"]
    assert items[praise.id] == {**items[praise.id], "got": {"ticket": False}, "changes": []}
    # And the summary counts the changes
    summary = answer["summary"]
    assert (summary["items"], summary["changed"]) == (3, 2)
    assert summary["tickets"] == {"got": 2, "would": 1, "newly_opened": 0, "no_longer_opened": 1}
    assert summary["team_changes"] == {"support -> logistics": 1}
    assert summary["priority_changes"] == {"normal -> high": 1}
    assert summary["rules_matched"] == {"low-rating": 1, "delivery-to-logistics": 1, "spam": 1}
    assert answer["capped"] is False and answer["next_cursor"] is None


def test_an_item_not_ticketed_yet_would_be_newly_opened() -> None:
    late = late_courier()
    day = StoredDay([late])

    answer = dry_run(DEFAULT_CONFIG, DAY, day, day)

    assert by_id(answer)[late.id]["changes"] == ["ticket: none -> opened"]
    assert answer["summary"]["tickets"]["newly_opened"] == 1


def test_the_same_rules_as_in_force_change_nothing() -> None:
    items = [late_courier(f"late-{n}") for n in range(3)]
    day = StoredDay(items, [routed(item) for item in items])

    answer = dry_run(DEFAULT_CONFIG, DAY, day, day, changes_only=True)

    assert answer["summary"]["changed"] == 0
    assert answer["items"] == []


def test_a_day_is_read_a_page_at_a_time_with_one_ticket_batch_a_page() -> None:
    items = [late_courier(f"late-{n}") for n in range(250)]
    day = StoredDay(items)

    answer = dry_run(DEFAULT_CONFIG, DAY, day, day)

    assert answer["summary"]["items"] == 250
    assert day.pages_read == 3
    assert day.batches == [100, 100, 50]


def test_a_capped_run_says_so_and_goes_on_from_its_cursor() -> None:
    # Given a day of 30 items, run 20 at most
    items = [late_courier(f"late-{n}") for n in range(30)]
    day = StoredDay(items)
    first = dry_run(DEFAULT_CONFIG, DAY, day, day, max_items=20)

    # Then the run stops at 20, says so, and gives the cursor that reads the rest
    assert first["summary"]["items"] == 20
    assert first["capped"] is True
    assert "stopped after 20 items (max_items 20)" in first["message"]
    rest = dry_run(DEFAULT_CONFIG, DAY, day, day, max_items=20, cursor=first["next_cursor"])
    assert rest["summary"]["items"] == 10
    assert rest["capped"] is False
    assert {e["feedback_id"] for e in first["items"]} | {e["feedback_id"] for e in rest["items"]} == {
        item.id for item in items
    }


def test_a_stored_item_that_does_not_read_is_named_not_fatal() -> None:
    day = StoredDay([late_courier()])
    day.documents.append({"id": "fb_broken", "day": DAY, "kind": "review"})

    answer = dry_run(DEFAULT_CONFIG, DAY, day, day)

    assert answer["summary"]["unreadable"] == 1
    assert {"feedback_id": "fb_broken", "error": "the stored item does not read"} in answer["items"]


def test_a_request_with_an_invalid_candidate_names_every_problem_and_runs_nothing() -> None:
    day = StoredDay([late_courier()])
    request = DryRunRequest(
        config="rules:\n  - {name: a, when: {topic: deliverry}, then: {team: logistic}}\n", day=DAY
    )

    with pytest.raises(InvalidRequest) as refusal:
        dry_run_request(request, day, day)

    errors = [detail["error"] for detail in refusal.value.details]
    assert any(error.startswith("rules[0].when.topic: unknown topic 'deliverry'") for error in errors)
    assert "rules[0].then.team: unknown team 'logistic'; teams are support" in errors
    assert day.pages_read == 0


@pytest.mark.parametrize("day", ["22.11.2026", "2026-02-30", "2026-1-1", ""])
def test_a_request_needs_a_calendar_day(day: str) -> None:
    with pytest.raises(ValueError, match="must be a calendar date YYYY-MM-DD"):
        DryRunRequest(config="", day=day)


def test_the_tickets_looked_up_are_the_items_own() -> None:
    late = late_courier()
    day = StoredDay([late], [routed(late)])

    answer = dry_run(DEFAULT_CONFIG, DAY, day, day)

    assert by_id(answer)[late.id]["got"]["ticket_id"] == ticket_id(late.id)
