"""Replies on the local stack over real HTTP, with the marketplace fakes on loopback: drafts that pass the
check, five-star reviews answered by themselves once and never twice alike, refusals with their reason, and
a reply Wildberries' moderation rejects reopening its ticket until a corrected one is published once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from otklik.domain.ids import feedback_id
from tests.e2e.conftest import RunningStack, eventually, running_stack

TOKEN = {"Authorization": "Bearer local-dev-token", "Content-Type": "application/json"}


@dataclass
class Market:
    stack: RunningStack
    wb: FakeWildberries
    ozon: FakeOzon


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Market]:
    with FakeWildberries() as wb, FakeOzon() as ozon, FakeYandexMarket() as ym:
        for fake in (wb, ozon, ym):
            fake.no_rate_limit()
        env = {
            "OTKLIK_LOCAL_WB_URL": wb.url,
            "OTKLIK_LOCAL_OZON_URL": ozon.url,
            "OTKLIK_LOCAL_YM_URL": ym.url,
        }
        with running_stack(tmp_path_factory.mktemp("replies-stack") / "stack.log", env) as stack:
            yield Market(stack, wb, ozon)


def _poll(stack: RunningStack) -> dict[str, Any]:
    answer = stack.request("POST", "/_local/schedules/PollMarketplacesFunction", body=b'{"force": true}')
    assert answer.status == 200
    return dict(answer.body or {})


def _ticket(stack: RunningStack, source: str, excerpt: str) -> dict[str, Any] | None:
    for status in ("open", "waiting_customer"):
        items = stack.ops(f"/tickets?status={status}&limit=200").body["items"]
        found = next((t for t in items if t["source"] == source and excerpt in t["excerpt"]), None)
        if found:
            return dict(found)
    return None


def _approve(stack: RunningStack, ticket_id: str, text: str | None = None) -> tuple[int, dict[str, Any]]:
    body = {"approved_by": "e2e"} | ({"text": text} if text is not None else {})
    answer = stack.request(
        "POST",
        f"/tickets/{ticket_id}/reply",
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers=TOKEN,
    )
    return answer.status, dict(answer.body or {})


def _reply_of(stack: RunningStack, ticket_id: str, status: str) -> dict[str, Any] | None:
    reply = stack.ops(f"/tickets/{ticket_id}").body.get("reply") or {}
    return dict(reply) if reply.get("status") == status else None


def test_a_one_star_ozon_review_gets_a_ticket_with_a_draft_naming_its_topics_that_passes_the_check(
    market: Market,
) -> None:
    # Given a one-star Ozon review about a product that broke
    market.ozon.add_review("Блендер сломался через неделю, брак", rating=1)
    # When it is polled and routed
    _poll(market.stack)
    ticket = eventually(lambda: _ticket(market.stack, "ozon", "Блендер"), timeout=20)
    draft = market.stack.ops(f"/tickets/{ticket['id']}/draft").body
    # Then its draft passes the reply check, and its body is the one for each negative topic of the review
    assert draft["passes"] is True and draft["problems"] == []
    topics = market.stack.ops(f"/feedback/{ticket['feedback_id']}").body["topics"]
    negative = [t["topic"] for t in topics if t["polarity"] == "negative"]
    assert negative, topics
    assert f"body.{negative[0]}" in draft["draft"]["variant"]
    assert draft["draft"]["text"].startswith(("Здравствуйте", "Добрый день"))
    # And approving the draft as it is publishes that text to Ozon once
    assert _approve(market.stack, ticket["id"])[0] == 202
    eventually(lambda: _reply_of(market.stack, ticket["id"], "published"), timeout=20)
    texts = [a["body"].get("text") for a in market.ozon.answers]
    assert texts.count(draft["draft"]["text"]) == 1


def test_five_star_wildberries_reviews_are_answered_by_themselves_once_and_never_alike(
    market: Market,
) -> None:
    # Given two five-star reviews of the same product, with nothing risky in them
    first = market.wb.add_feedback("Отличный чайник, быстро закипает", rating=5)
    second = market.wb.add_feedback("Очень доволен, красивый и тихий", rating=5)
    # When they are polled (twice: a second poll of the same reviews answers nothing again)
    _poll(market.stack)

    def answers_to(review: dict[str, Any]) -> list[str]:
        return [a["body"]["text"] for a in market.wb.answers if a["body"].get("id") == review["id"]]

    eventually(lambda: answers_to(first) and answers_to(second), timeout=20)
    _poll(market.stack)
    # Then each is answered exactly once, automatically, and the two answers differ
    assert len(answers_to(first)) == 1 and len(answers_to(second)) == 1
    assert answers_to(first) != answers_to(second)
    # And no ticket was opened for them: each reply is in the outbox of automatic replies, on its feedback,
    # with the policy that allowed it
    assert _ticket(market.stack, "wildberries", "Отличный чайник") is None
    shown = market.stack.ops(f"/feedback/{feedback_id('wildberries', 'wb-main', 'review', first['id'])}").body
    assert shown["auto_reply"]["auto_rule"] == "five-stars"
    assert shown["auto_reply"]["approved_by"] == "auto:five-stars"
    assert shown["auto_reply"]["status"] == "published"
    assert shown["auto_reply"]["text"] == answers_to(first)[0]


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("Здравствуйте! Позвоните нам: +7 912 345-67-89, всё решим.", "contact"),
        ("Здравствуйте! Подробности на нашем сайте https://shop.example.ru/help", "link"),
    ],
    ids=["phone", "link"],
)
def test_a_reply_with_a_phone_number_or_a_link_is_refused_with_the_reason(
    market: Market, text: str, check: str
) -> None:
    # Given a ticket for a one-star review
    excerpt = f"Крышка треснула {check}"
    market.wb.add_feedback(excerpt, rating=1)
    _poll(market.stack)
    ticket = eventually(lambda: _ticket(market.stack, "wildberries", excerpt), timeout=20)
    # When an agent approves a reply holding a phone number or a link
    status, body = _approve(market.stack, ticket["id"], text)
    # Then it is refused, saying which check and where, and nothing is published
    assert status == 400
    assert check in body["error"]["message"]
    assert [d["check"] for d in body["error"]["details"]] == [check]
    assert _reply_of(market.stack, ticket["id"], "approved") is None


def test_a_reply_wildberries_rejects_reopens_its_ticket_and_the_correction_is_published_once(
    market: Market,
) -> None:
    # Given a ticket for a one-star review, and Wildberries' moderation rejecting the next reply
    review = market.wb.add_feedback("Чайник ржавеет изнутри", rating=1)
    _poll(market.stack)
    ticket = eventually(lambda: _ticket(market.stack, "wildberries", "ржавеет"), timeout=20)
    market.wb.moderate_next_reply("rejected", reason="нарушение правил")
    # When a reply is approved, published, and read back on the next poll
    assert _approve(market.stack, ticket["id"], "Здравствуйте! Нам жаль, разберёмся с партией.")[0] == 202
    eventually(lambda: _reply_of(market.stack, ticket["id"], "published"), timeout=20)
    looked = _poll(market.stack)
    # Then the ticket is open again, its reply rejected with the platform's reason
    assert looked["read_back"]["refused"] >= 1
    shown = market.stack.ops(f"/tickets/{ticket['id']}").body
    assert shown["status"] == "open"
    assert shown["reply"]["status"] == "rejected" and "Wildberries" in shown["reply"]["reason"]
    # When a corrected reply is approved
    corrected = "Здравствуйте! Спасибо, что сообщили: проверим партию и заменим товар."
    assert _approve(market.stack, ticket["id"], corrected)[0] == 202
    eventually(lambda: _reply_of(market.stack, ticket["id"], "published"), timeout=20)
    _poll(market.stack)
    # Then it reaches Wildberries exactly once, as an edit of the rejected answer, and stays shown
    sent = [
        (a["method"], a["body"]["text"]) for a in market.wb.answers if a["body"].get("id") == review["id"]
    ]
    assert sent.count(("PATCH", corrected)) == 1
    assert len(sent) == 2
    final = market.stack.ops(f"/tickets/{ticket['id']}").body
    assert final["reply"]["text"] == corrected and final["reply"]["platform_state"] == "published"
    assert [version["status"] for version in final["reply_versions"]] == ["rejected"]
