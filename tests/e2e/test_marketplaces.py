"""The marketplace loop over real HTTP: fakes on loopback, the local stack polling, pushed, replying."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from infra.local.seed import PUSH_TOKEN
from otklik.entrypoints import cli
from tests.e2e.conftest import RunningStack, eventually, free_port, running_stack


@dataclass
class Marketplaces:
    stack: RunningStack
    wb: FakeWildberries
    ozon: FakeOzon
    ym: FakeYandexMarket


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Marketplaces]:
    # The fakes use the credentials the local stack seeds for them (their defaults).
    with FakeWildberries() as wb, FakeOzon() as ozon, FakeYandexMarket() as ym:
        env = {
            "OTKLIK_LOCAL_WB_URL": wb.url,
            "OTKLIK_LOCAL_OZON_URL": ozon.url,
            "OTKLIK_LOCAL_YM_URL": ym.url,
        }
        with running_stack(tmp_path_factory.mktemp("market-stack") / "stack.log", env) as stack:
            yield Marketplaces(stack, wb, ozon, ym)


def _tickets(stack: RunningStack) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = stack.ops("/tickets?status=open&limit=200").body["items"]
    return items


def _ticket_for(stack: RunningStack, source: str, kind: str, excerpt: str) -> dict[str, Any] | None:
    return next(
        (
            t
            for t in _tickets(stack)
            if (t["source"], t["kind"]) == (source, kind) and excerpt in t["excerpt"]
        ),
        None,
    )


def _poll_now(stack: RunningStack) -> None:
    # Forced: the tests poll again sooner than a connection's interval
    answer = stack.request("POST", "/_local/schedules/PollMarketplacesFunction", body=b'{"force": true}')
    assert answer.status == 200


def _reply(stack: RunningStack, ticket_id: str, text: str) -> int:
    body = json.dumps({"text": text, "approved_by": "e2e"}, ensure_ascii=False).encode()
    answer = stack.request(
        "POST",
        f"/tickets/{ticket_id}/reply",
        body=body,
        headers={"Authorization": "Bearer local-dev-token", "Content-Type": "application/json"},
    )
    return answer.status


def test_reviews_and_questions_from_all_three_marketplaces_become_tickets(market: Marketplaces) -> None:
    # Given a complaint and a question on each marketplace that polls
    market.wb.add_feedback("Чайник протекает, ужасно", rating=1)
    market.wb.add_question("Какой объём у чайника?")
    market.ozon.add_review("Блендер сломался через неделю", rating=1)
    market.ozon.add_question("Подходит ли для льда?")
    market.ym.add_feedback("Кофемашина шумит и течёт, не рекомендую", rating=1)
    # When the poll schedule fires
    _poll_now(market.stack)
    # Then each becomes a ticket
    expected = [
        ("wildberries", "review", "протекает"),
        ("wildberries", "question", "объём"),
        ("ozon", "review", "сломался"),
        ("ozon", "question", "льда"),
        ("yandex_market", "review", "шумит"),
    ]
    for source, kind, excerpt in expected:
        assert eventually(lambda s=source, k=kind, e=excerpt: _ticket_for(market.stack, s, k, e), timeout=15)


def test_pings_are_answered_and_pushed_messages_become_tickets(market: Marketplaces) -> None:
    api = market.stack.api_url
    ozon_url = f"{api}/push/ozon/ozon-main/{PUSH_TOKEN}"
    ym_url = f"{api}/push/yandex-market/ym-main/{PUSH_TOKEN}"
    # Both platforms' pings get the answer each expects
    for status, body in (
        market.ozon.push(ozon_url, market.ozon.ping_message()),
        market.ym.notify(ym_url, market.ym.ping()),
    ):
        assert status == 200
        assert set(body) == {"version", "name", "time"}
    # An Ozon chat message and a Yandex Market review notification become tickets
    market.ozon.push(ozon_url, market.ozon.new_message("chat-e2e", "msg-e2e", "Где мой заказ? Жду неделю"))
    review = market.ym.add_feedback("Пришла с трещиной, разочарован", rating=2)
    status, _ = market.ym.notify(ym_url, market.ym.goods_feedback_created(review["feedbackId"]))
    assert status == 200
    assert eventually(lambda: _ticket_for(market.stack, "ozon", "chat", "Где мой заказ"), timeout=15)
    assert eventually(lambda: _ticket_for(market.stack, "yandex_market", "review", "трещиной"), timeout=15)


def test_an_approved_reply_reaches_the_right_endpoint_exactly_once(market: Marketplaces) -> None:
    # Given a ticket for a Wildberries review
    review = market.wb.add_feedback("Носик чайника отвалился", rating=1)
    _poll_now(market.stack)
    ticket = eventually(lambda: _ticket_for(market.stack, "wildberries", "review", "Носик"), timeout=15)
    # When a reply is approved through the ops API
    assert _reply(market.stack, ticket["id"], "Здравствуйте! Пришлём замену.") == 202

    # Then Wildberries receives it once, for that review, and the ticket says published
    def published() -> dict[str, Any] | None:
        reply = market.stack.ops(f"/tickets/{ticket['id']}").body.get("reply") or {}
        return reply if reply.get("status") == "published" else None

    eventually(published, timeout=15)
    answers = [a for a in market.wb.answers if a["body"].get("id") == review["id"]]
    assert [a["body"]["text"] for a in answers] == ["Здравствуйте! Пришлём замену."]
    # And approving the same text again changes nothing
    assert _reply(market.stack, ticket["id"], "Здравствуйте! Пришлём замену.") == 409


def test_a_rejected_reply_lands_in_the_dlq_with_the_platforms_reason(market: Marketplaces) -> None:
    market.ozon.add_review("Не включается вообще", rating=1)
    _poll_now(market.stack)
    ticket = eventually(lambda: _ticket_for(market.stack, "ozon", "review", "Не включается"), timeout=15)
    market.ozon.fail_next(400, body={"code": 3, "message": "review is already processed", "details": []})
    assert _reply(market.stack, ticket["id"], "Спасибо, поможем.") == 202
    sqs = market.stack.aws("sqs")
    dlq = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("AnswerDLQ"))

    def rejected() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )
        return [json.loads(m["Body"]) for m in messages if ticket["id"] in m["Body"]]

    [dead] = eventually(rejected, timeout=15)
    assert dead["status"] == 400
    assert "already processed" in dead["reason"]


def test_a_push_with_a_wrong_token_is_refused(market: Marketplaces) -> None:
    request = urllib.request.Request(
        f"{market.stack.api_url}/push/ozon/ozon-main/not-the-token",
        data=json.dumps(market.ozon.ping_message()).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404


def test_the_readme_demo_brings_all_three_marketplaces_and_a_reply_comes_back(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Given `OTKLIK_LOCAL_FAKES=1 make run`: the stack starts its own fakes and sends the demo pushes
    env = {
        "OTKLIK_LOCAL_FAKES": "1",
        "OTKLIK_FAKE_WB_PORT": str(free_port()),
        "OTKLIK_FAKE_OZON_PORT": str(free_port()),
        "OTKLIK_FAKE_YM_PORT": str(free_port()),
    }
    with running_stack(tmp_path_factory.mktemp("demo-stack") / "stack.log", env) as stack:
        # Then tickets come from all three marketplaces, the Ozon chat message among them
        def sources() -> set[str] | None:
            found = {t["source"] for t in _tickets(stack)}
            return found if {"wildberries", "ozon", "yandex_market"} <= found else None

        eventually(sources, timeout=20)
        chat = eventually(lambda: _ticket_for(stack, "ozon", "chat", "Заказ задерживается"), timeout=20)
        # And a reply approved on it comes back published
        assert _reply(stack, chat["id"], "Здравствуйте! Разберёмся.") == 202
        eventually(
            lambda: (
                (stack.ops(f"/tickets/{chat['id']}").body.get("reply") or {}).get("status") == "published"
            ),
            timeout=15,
        )


# Last in the module: its reviews are dated now, which moves Wildberries' cursor past the fakes' seeded days.
def test_otklik_backfill_reads_a_review_the_cursor_had_passed_and_it_becomes_a_ticket(
    market: Marketplaces, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a poll that moved Wildberries' cursor to an hour ago, and a review of two days ago shown only now
    now = datetime.now(UTC)
    market.wb.add_feedback("Свежий отзыв, всё хорошо", rating=5, created_at=now - timedelta(hours=1))
    _poll_now(market.stack)
    market.wb.add_feedback("Пропущенный: чайник сгорел", rating=1, created_at=now - timedelta(days=2))
    _poll_now(market.stack)
    # When `otklik backfill` reads wb-main again from three days ago
    since = (now - timedelta(days=3)).date().isoformat()
    code = cli.main(
        ["backfill", "--since", since, "--connection", "wb-main", "--stack-url", market.stack.api_url]
    )
    # Then it printed what each stream read, and the missed review became a ticket
    printed = capsys.readouterr()
    assert (code, printed.err) == (0, "")
    assert printed.out.startswith(f"backfill from {since} to ")
    assert "wb-main feedbacks: 2 in, 1 page(s)" in printed.out
    assert eventually(lambda: _ticket_for(market.stack, "wildberries", "review", "сгорел"), timeout=15)
    # And a connection it does not know is one line, exit 2
    assert (
        cli.main(
            ["backfill", "--since", since, "--connection", "wb-mian", "--stack-url", market.stack.api_url]
        )
        == 2
    )
    assert capsys.readouterr().err.startswith("otklik: connection 'wb-mian' is not a connection;")
