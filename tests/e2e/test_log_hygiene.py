"""The local stack's logs carry no customer data and no secret: no e-mail address, phone or card
number, no review text, no webhook secret, bearer token or push-URL token.

Read are the log of a stack this module drives through every route with the samples of
tests/support/sensitive.py (accepted, refused and failing requests, pushes, polls, a published reply,
the SLA sweep), and every other local stack log this session's e2e tests wrote before it (the shared
stack's, the fuzz run's, the marketplace tests' when they ran first).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import TOKEN, eventually
from tests.support.hostile import ozon_document, to_json, webhook_document
from tests.support.marketplace_stack import MarketplaceStack, marketplace_stack, wait_idle
from tests.support.sensitive import (
    CARDS,
    CHAT_TEXTS,
    EMAILS,
    PHONES,
    REPLY_TEXTS,
    REVIEW_TEXTS,
    Leak,
    leaks_in,
)
from tests.support.signing import signature_for

KINDS = ("e-mail", "phone", "card", "review text", "webhook secret", "bearer token")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _webhook(stack: MarketplaceStack, document: dict[str, Any], signature: str | None = None) -> int:
    body = to_json(document).encode()
    headers = {"Content-Type": "application/json", "X-Otklik-Signature": signature or signature_for(body)}
    return stack.stack.request("POST", "/webhooks/custom", body, headers).status


def _open_tickets(stack: MarketplaceStack) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = stack.stack.ops("/tickets?status=open&limit=200").body["items"]
    return items


def _drive(market: MarketplaceStack) -> None:
    """Every route with the samples: accepted, refused and failing requests, pushes, polls, a reply."""
    api = market.stack.api_url
    # Own-channel webhooks: accepted ones with every sample, one refused for its schema, one for its
    # signature, one over the size limit
    for number, text in enumerate(REVIEW_TEXTS):
        document = {**webhook_document(text, "review"), "id": f"hygiene-{number}", "order": {"id": "o-1"}}
        document["customer"] = {
            "id": "c-1",
            "name": "Анна",
            "email": EMAILS[number % 3],
            "phone": PHONES[number % 4],
        }
        assert _webhook(market, document) == 202
    assert _webhook(market, {**webhook_document(REVIEW_TEXTS[0], "review"), "rating": "много"}) == 400
    assert _webhook(market, webhook_document(REVIEW_TEXTS[1], "review"), "t=1,v1=00") == 401
    assert _webhook(market, {**webhook_document(REVIEW_TEXTS[2], "review"), "text": CARDS[1] * 20_000}) == 413
    # Ozon chat pushes, one malformed; a Yandex Market chat notification and review notification
    for number, text in enumerate(CHAT_TEXTS):
        chat = market.ozon.add_chat(f"hygiene-chat-{number}")
        status, _ = market.ozon.push(
            api + market.ozon_push_path(), market.ozon.new_message(chat, f"h-{number}", text)
        )
        assert status == 200
    malformed = {**ozon_document(CHAT_TEXTS[0], "TYPE_NEW_MESSAGE"), "user": CHAT_TEXTS[0]}
    assert market.ozon.push(api + market.ozon_push_path(), malformed)[0] == 400
    ym_url = api + market.ym_push_path().removesuffix("/notification")  # notify() appends it
    market.ym.add_chat_message(4242, CHAT_TEXTS[1], message_id=4243)
    assert market.ym.notify(ym_url, market.ym.chat_message_sent(4242, 4243))[0] == 200
    review = market.ym.add_feedback(REVIEW_TEXTS[3], rating=1)
    assert market.ym.notify(ym_url, market.ym.goods_feedback_created(review["feedbackId"]))[0] == 200
    # Polled reviews and questions from all three
    market.wb.add_feedback(REVIEW_TEXTS[0], rating=1)
    market.wb.add_question(CHAT_TEXTS[0])
    market.ozon.add_review(REVIEW_TEXTS[1], rating=1)
    market.ym.add_feedback(REVIEW_TEXTS[2], rating=2)
    assert (
        market.stack.request("POST", "/_local/schedules/PollMarketplacesFunction", b'{"force": true}').status
        == 200
    )
    # The ops API: reads, a wrong token, a reply approved and published to an Ozon chat
    chat_ticket = eventually(
        lambda: next(
            (t for t in _open_tickets(market) if t["source"] == "ozon" and t["kind"] == "chat"), None
        ),
        timeout=30,
    )
    for path in (
        "/tickets?status=open",
        f"/tickets/{chat_ticket['id']}",
        f"/feedback/{chat_ticket['feedback_id']}",
        f"/notifications?ticket_id={chat_ticket['id']}",
    ):
        assert market.stack.ops(path).status == 200
    assert (
        market.stack.request("GET", "/tickets?status=open", headers={"Authorization": "Bearer wrong"}).status
        == 401
    )
    reply = json.dumps({"text": REPLY_TEXTS[0], "approved_by": "hygiene"}, ensure_ascii=False).encode()
    headers = {**AUTH, "Content-Type": "application/json"}
    assert market.stack.request("POST", f"/tickets/{chat_ticket['id']}/reply", reply, headers).status == 202
    assert market.stack.request("POST", "/_local/schedules/SweepSlaFunction").status == 200
    busy = wait_idle(market.stack, timeout=60)
    assert not busy, f"the stack did not become idle: {busy}"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, str]]:
    """This module's stack log, once the stack has stopped, and every other stack log written so far."""
    own = tmp_path_factory.mktemp("hygiene-stack") / "stack.log"
    with marketplace_stack(own) as market:
        _drive(market)
    # Each numbered folder also has a "…current" link to it: read every file once.
    found = sorted({path.resolve() for path in tmp_path_factory.getbasetemp().glob("*/stack.log")})
    yield {path: without_banner(path.read_text("utf-8", errors="replace")) for path in found}


# `make run`'s start-up banners: the first line of each and the line that ends it.
BANNERS = (
    ("otklik local stack '", "Ctrl-C stops the stack."),
    ("Marketplace fakes (sample data):", ""),
)


def without_banner(text: str) -> str:
    """The log without `make run`'s start-up banners: the README's own first-webhook and marketplace-demo
    lines for a person at the terminal, which show the local stack's documented token on purpose. Their
    lines become blank, so the other lines keep their numbers; everything the stack logs after is read."""
    lines = text.splitlines()
    for first, last in BANNERS:
        starts = [i for i, line in enumerate(lines) if line.startswith(first)]
        for start in starts:
            end = next((i for i in range(start, len(lines)) if lines[i] == last), start)
            lines[start : end + 1] = [""] * (end + 1 - start)
    return "\n".join(lines)


def _report(leaks: list[tuple[Path, Leak]]) -> str:
    shown = [f"{path}:{leak.line_number}: {leak.found!r} in: {leak.line[:300]}" for path, leak in leaks[:12]]
    more = f"\n… and {len(leaks) - 12} more lines" if len(leaks) > 12 else ""
    return f"{len(leaks)} log lines:\n" + "\n".join(shown) + more


def _leaks(logs: dict[Path, str], kind: str) -> list[tuple[Path, Leak]]:
    return [(path, leak) for path, text in logs.items() for leak in leaks_in(text) if leak.kind == kind]


def test_the_logs_read_include_this_modules_stack(logs: dict[Path, str]) -> None:
    own = [path for path in logs if path.parent.name.startswith("hygiene-stack")]
    assert own and "POST /webhooks/custom" in logs[own[0]], sorted(logs)


@pytest.mark.parametrize("kind", KINDS)
def test_no_log_line_carries(logs: dict[Path, str], kind: str) -> None:
    leaks = _leaks(logs, kind)
    assert not leaks, _report(leaks)


def test_no_log_line_carries_a_push_token(logs: dict[Path, str]) -> None:
    leaks = _leaks(logs, "push token")
    assert not leaks, _report(leaks)


def test_only_the_banners_are_left_out() -> None:
    # Given a log with both start-up banners, and a token logged before, between and after them
    text = "\n".join(
        [
            "01:00:00 INFO before Bearer local-dev-token",
            "otklik local stack 'otklik-local' (Stage=local)",
            "  curl -H 'Authorization: Bearer local-dev-token'",
            "Ctrl-C stops the stack.",
            "01:00:01 INFO between local-dev-token",
            "Marketplace fakes (sample data):",
            "  Tickets:  curl -sS -i -H 'Authorization: Bearer local-dev-token'",
            "",
            "01:00:02 INFO after local-dev-token",
        ]
    )
    # When the banners are left out
    lines = without_banner(text).splitlines()
    # Then the three logged lines keep their numbers and their text, and nothing else is left
    assert [n for n, line in enumerate(lines) if "local-dev-token" in line] == [0, 4, 8]
    assert len(lines) == 9
