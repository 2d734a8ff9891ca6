"""Routing rules on moto: a stored day dry-run through the ops handler, and explain showing matched rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.conftest import Stack
from tests.integration.test_pipeline import _deliver, _run_pipeline
from tests.support.api_events import body_of, ops_event, request_event
from tests.support.signing import sample_body

DAY = "2026-11-22"
# The sample's day: created 2026-11-22T09:41+03:00. Its delivery complaint names the courier.
LATE = "Курьер опоздал на три дня, коробка мятая"
# What the stored day is routed under: the default rules, every ticket to support. Not the sample, whose
# own last rule sends delivery complaints to logistics already, so a candidate would change nothing.
CURRENT = "teams: [{name: support}]\n"
LOGISTICS = """
teams: [{name: support}, {name: logistics}]
rules:
  - name: low-rating
    when: {rating: {lte: 2}}
    then: {reason: low_rating}
  - name: delivery-to-logistics
    when:
      topic: {topic: delivery, polarity: negative}
    then: {team: logistics, priority: high, tags: [delivery]}
"""


def _dry_run(stack: Stack, body: bytes | str, token: str = "test-token") -> dict[str, Any]:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    event = request_event(
        "POST", "/rules/dry-run", "/rules/dry-run", raw, None, {"Authorization": f"Bearer {token}"}
    )
    response: dict[str, Any] = stack.invoke("OpsApiFunction", event)
    return response


def _explain(stack: Stack, feedback_id: str) -> dict[str, Any]:
    response = stack.invoke(
        "OpsApiFunction",
        ops_event(
            "/feedback/{id}/explain", f"/feedback/{feedback_id}/explain", path_parameters={"id": feedback_id}
        ),
    )
    assert response["statusCode"] == 200, response
    answer: dict[str, Any] = body_of(response)
    return answer


def _stored_day(stack: Stack) -> dict[str, str]:
    """A routed day under the default rules: a late courier (two stars), a praise and a broken zip."""
    stack.put_config(CURRENT)
    ids = {
        "late": _deliver(stack, sample_body(id="late", text=LATE, rating=2)),
        "praise": _deliver(stack, sample_body(id="praise", text="Отличный рюкзак, спасибо", rating=5)),
        "zip": _deliver(stack, sample_body(id="zip", text="Молния сломалась", rating=1)),
    }
    _run_pipeline(stack)
    return ids


def test_a_dry_run_shows_what_a_candidate_would_change_on_a_stored_day(stack: Stack) -> None:
    # Given a day routed under the default rules (everything to support)
    ids = _stored_day(stack)

    # When a candidate that sends delivery complaints to logistics is dry-run over it
    response = _dry_run(stack, json.dumps({"config": LOGISTICS, "day": DAY}))

    # Then the late courier would go to logistics, high, tagged; the others keep what they got
    assert response["statusCode"] == 200, response
    answer = body_of(response)
    items = {entry["feedback_id"]: entry for entry in answer["items"]}
    late = items[ids["late"]]
    assert late["got"]["team"] == "support"
    assert late["got"]["rules"][:2] == ["negative-tonality", "low-rating"]
    assert (late["would"]["team"], late["would"]["priority"], late["would"]["tags"]) == (
        "logistics",
        "high",
        ["delivery"],
    )
    assert "team: support -> logistics" in late["changes"]
    why = {rule["name"]: rule["why"] for rule in late["would"]["rules"]}
    assert why["delivery-to-logistics"][0].startswith("topic delivery negative: '")
    assert items[ids["praise"]]["changes"] == []
    assert answer["summary"]["items"] == 3
    assert answer["summary"]["team_changes"] == {"support -> logistics": 1}
    # And nothing was changed: the stored ticket still says support
    assert _explain(stack, ids["late"])["routing"]["team"] == "support"


def test_a_capped_dry_run_gives_the_cursor_to_go_on(stack: Stack) -> None:
    _stored_day(stack)

    first = body_of(_dry_run(stack, json.dumps({"config": LOGISTICS, "day": DAY, "max_items": 2})))
    rest = body_of(
        _dry_run(
            stack,
            json.dumps({"config": LOGISTICS, "day": DAY, "max_items": 2, "cursor": first["next_cursor"]}),
        )
    )

    assert (first["summary"]["items"], first["capped"]) == (2, True)
    assert "send next_cursor as cursor" in first["message"]
    assert (rest["summary"]["items"], rest["capped"]) == (1, False)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            json.dumps({"config": "rules:\n  - {name: a, then: {team: logistic}}\n", "day": DAY}),
            "rules[0].then.team",
        ),
        (json.dumps({"config": "routing: [\n", "day": DAY}), "line "),
        (json.dumps({"config": "teams: []\n", "day": "22.11.2026"}), None),
        (json.dumps({"day": DAY}), None),
        ("not json", None),
        ("", None),
        (json.dumps({"config": "colour: red\n", "day": DAY}), "colour: unknown setting"),
    ],
    ids=["invalid-document", "bad-yaml", "bad-day", "no-config", "not-json", "empty", "unknown-settings"],
)
def test_a_bad_request_is_a_400_naming_what_is_wrong(stack: Stack, body: str, error: str | None) -> None:
    response = _dry_run(stack, body)

    assert response["statusCode"] == 400, response
    answer = body_of(response)["error"]
    assert answer["code"] == "bad_request"
    if error is not None:
        assert any(detail["error"].startswith(error) for detail in answer["details"]), answer


def test_a_yaml_bomb_is_refused_quickly_not_a_timeout(stack: Stack) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    response = _dry_run(stack, json.dumps({"config": "\n".join(levels) + "\n", "day": DAY}))

    assert response["statusCode"] == 400
    assert "expands to over" in body_of(response)["error"]["details"][0]["error"]


def test_an_oversized_body_is_a_413_and_a_wrong_token_a_401(stack: Stack) -> None:
    assert _dry_run(stack, json.dumps({"config": "#" * (1024 * 1024), "day": DAY}))["statusCode"] == 413
    assert _dry_run(stack, json.dumps({"config": "", "day": DAY}), token="nope")["statusCode"] == 401


def test_explain_shows_the_rules_that_matched_and_why_and_what_they_decide_now(stack: Stack) -> None:
    # Given the late courier routed under the default rules, and then the logistics rules deployed
    ids = _stored_day(stack)
    stack.put_config(LOGISTICS)

    # When its explanation is asked for
    routing = _explain(stack, ids["late"])["routing"]

    # Then the ticket's matched rules are there as it was opened, each with why in the item's own values
    assert routing["team"] == "support"
    matched = {rule["name"]: rule["why"] for rule in routing["matched_rules"]}
    assert list(matched)[:2] == ["negative-tonality", "low-rating"]
    assert matched["low-rating"] == ["rating 2 <= 2"]
    # And what the rules in force decide now, with what each matched rule does
    now = routing["now"]
    assert (now["ticket"], now["team"], now["priority"], now["tags"]) == (
        True,
        "logistics",
        "high",
        ["delivery"],
    )
    assert now["matched_rules"][0] == {
        "name": "low-rating",
        "why": ["rating 2 <= 2"],
        "then": {"reason": "low_rating"},
    }
    assert now["matched_rules"][1]["then"] == {"team": "logistics", "priority": "high", "tags": ["delivery"]}


def test_explain_of_an_item_without_a_ticket_shows_that_no_rule_gave_a_reason(stack: Stack) -> None:
    ids = _stored_day(stack)

    routing = _explain(stack, ids["praise"])["routing"]

    assert routing["ticket_id"] is None
    assert routing["now"]["ticket"] is False
    assert routing["now"]["reasons"] == []
