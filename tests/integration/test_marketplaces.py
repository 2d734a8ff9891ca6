"""Marketplace connectors through the real handlers on moto, against fake WB, Ozon and YM on loopback."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from infra.local.seed import PUSH_TOKEN, SAMPLE_CONFIG, marketplace_seed
from infra.local.template import load_template
from otklik.adapters.ticket_store import TicketStore
from otklik.bootstrap import poll_marketplaces
from tests.integration.conftest import ROOT, Stack
from tests.integration.test_first_response import overdue, sweep
from tests.support.api_events import body_of, ops_event, request_event

SCHEDULE = json.loads(
    (Path(__file__).resolve().parents[2] / "events" / "schedule_sweep_sla.json").read_text()
)


@dataclass
class Market:
    wb: FakeWildberries
    ozon: FakeOzon
    ym: FakeYandexMarket


@pytest.fixture
def market(stack: Stack) -> Iterator[Market]:
    with FakeWildberries() as wb, FakeOzon() as ozon, FakeYandexMarket() as ym:
        for fake in (wb, ozon, ym):
            fake.no_rate_limit()
        overrides, secrets = marketplace_seed(
            "test",
            (wb.url, wb.token),
            (ozon.url, ozon.client_id, ozon.api_key),
            (ym.url, ym.api_key, ym.business_id),
        )
        for name, value in secrets.items():
            stack.ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
        stack.template = load_template(ROOT / "template.yaml", {"Stage": "test", **overrides})
        yield Market(wb, ozon, ym)


def _ingested(stack: Stack) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := stack.receive("IngestQueue"):
        messages.extend(json.loads(m["Body"]) for m in batch)
        for m in batch:
            stack.sqs.delete_message(
                QueueUrl=stack.queue_url("IngestQueue"), ReceiptHandle=m["ReceiptHandle"]
            )
    return messages


# ---------------------------------------------------------------- in: polling


def test_a_poll_brings_reviews_and_questions_from_all_three_marketplaces(
    stack: Stack, market: Market
) -> None:
    # Given a one-star WB review with pros and cons, a WB question, an Ozon review and question, a YM review
    market.wb.add_feedback("Порвался через неделю", rating=1, pros="Цвет", cons="Качество")
    market.wb.add_question("Есть размер M?")
    market.ozon.add_review("Блендер сломался", rating=1)
    market.ozon.add_question("Есть гарантия?")
    market.ym.add_feedback("Кофемашина отличная", rating=5, advantages="Быстро", disadvantages="Шумная")
    # When the schedule fires
    result = stack.invoke("PollMarketplacesFunction", SCHEDULE)
    # Then every stream was read without error and all five items are on IngestQueue
    assert all(s["error"] is None for s in result["streams"]), result
    ingested = _ingested(stack)
    kinds = Counter((m["source"], m["kind"]) for m in ingested)
    assert kinds == {
        ("wildberries", "review"): 1,
        ("wildberries", "question"): 1,
        ("ozon", "review"): 1,
        ("ozon", "question"): 1,
        ("yandex_market", "review"): 1,
    }
    wb_review = next(m for m in ingested if m["source"] == "wildberries" and m["kind"] == "review")
    assert (wb_review["account"], wb_review["rating"], wb_review["pros"], wb_review["cons"]) == (
        "wb-main",
        1,
        "Цвет",
        "Качество",
    )


def test_the_next_poll_resumes_where_the_last_stopped(stack: Stack, market: Market) -> None:
    # Given a first poll that read everything
    market.wb.add_feedback("Первый отзыв", rating=4)
    stack.invoke("PollMarketplacesFunction", SCHEDULE)
    _ingested(stack)
    # When a new review arrives and the next poll runs once the interval has passed
    market.wb.add_feedback("Второй отзыв, всё плохо", rating=2)
    later = datetime.now(UTC) + timedelta(minutes=10)
    stack.use_environment("PollMarketplacesFunction")
    poll_marketplaces.build()(later)
    # Then only the new one is read
    assert [m["text"] for m in _ingested(stack) if m["source"] == "wildberries"] == [
        "Второй отзыв, всё плохо"
    ]


def _backfill(since: str, connection: str | None = None) -> dict[str, Any]:
    window = {"since": since, **({"connection": connection} if connection else {})}
    return {**SCHEDULE, "detail": {"backfill": window}}


def _wildberries_texts(stack: Stack) -> list[str]:
    return sorted(m["text"] for m in _ingested(stack) if m["source"] == "wildberries")


def test_a_backfill_reads_what_the_cursor_passed_and_the_next_poll_goes_on_from_the_cursor(
    stack: Stack, market: Market
) -> None:
    # Given a poll that read a review and moved its cursor past it
    market.wb.add_feedback("Прочитан опросом", rating=4, created_at=datetime.now(UTC) - timedelta(hours=1))
    stack.invoke("PollMarketplacesFunction", SCHEDULE)
    _ingested(stack)
    # ... and a review written two days ago that the platform showed only now (the cursor is past it)
    market.wb.add_feedback("Пропущенный отзыв", rating=1, created_at=datetime.now(UTC) - timedelta(days=2))
    forced = {**SCHEDULE, "detail": {"force": True}}
    stack.invoke("PollMarketplacesFunction", forced)
    assert _wildberries_texts(stack) == []  # an ordinary poll does not look back
    # When wb-main is backfilled from three days ago
    since = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    result = stack.invoke("PollMarketplacesFunction", _backfill(since, "wb-main"))
    # Then both reviews are queued again (the first is a duplicate for score_feedback), wb-main's streams only
    assert result["backfill"]["since"] == since and "read_back" not in result
    assert {(s["connection"], s["stream"]) for s in result["streams"]} == {
        ("wb-main", "feedbacks"),
        ("wb-main", "questions"),
    }
    assert _wildberries_texts(stack) == ["Пропущенный отзыв", "Прочитан опросом"]
    # And the next poll goes on from the cursor as before: nothing again, then what is new
    stack.invoke("PollMarketplacesFunction", forced)
    assert _wildberries_texts(stack) == []
    market.wb.add_feedback("Новый после бэкфилла", rating=5, created_at=datetime.now(UTC))
    stack.invoke("PollMarketplacesFunction", forced)
    assert _wildberries_texts(stack) == ["Новый после бэкфилла"]


def test_a_backfill_of_an_unknown_connection_or_a_future_day_is_refused_and_reads_nothing(
    stack: Stack, market: Market
) -> None:
    market.wb.add_feedback("Не должен быть прочитан", rating=1)
    today = datetime.now(UTC).date()

    unknown = stack.invoke("PollMarketplacesFunction", _backfill(today.isoformat(), "wb-mian"))
    future = stack.invoke("PollMarketplacesFunction", _backfill((today + timedelta(days=2)).isoformat()))

    assert unknown == {
        "refused": "connection 'wb-mian' is not a connection; the enabled ones: ozon-main, wb-main, ym-main"
    }
    assert future["refused"].startswith(f"backfill.since: {today + timedelta(days=2)} is after today")
    assert _ingested(stack) == []
    assert [r for r in market.wb.requests if r.path == "/api/v1/feedbacks"] == []


def test_a_malformed_item_is_skipped_and_the_rest_of_its_page_is_ingested(
    stack: Stack, market: Market
) -> None:
    market.wb.add_feedback("Хороший чайник", rating=5)
    market.wb.add_malformed_feedback()
    market.wb.add_feedback("Плохой чайник", rating=1)
    result = stack.invoke("PollMarketplacesFunction", SCHEDULE)
    feedbacks = next(
        s for s in result["streams"] if s["connection"] == "wb-main" and s["stream"] == "feedbacks"
    )
    assert feedbacks["malformed"] == 1
    assert {m["text"] for m in _ingested(stack) if m["source"] == "wildberries"} == {
        "Хороший чайник",
        "Плохой чайник",
    }


def test_rate_limit_answers_and_5xx_are_waited_out(stack: Stack, market: Market) -> None:
    market.wb.add_feedback("Нормально", rating=4)
    market.wb.fail_next(429, headers={"X-Ratelimit-Retry": "0"})
    market.ozon.fail_next(503)
    market.ym.fail_next(420)
    result = stack.invoke("PollMarketplacesFunction", SCHEDULE)
    assert all(s["error"] is None for s in result["streams"]), result
    assert any(m["source"] == "wildberries" for m in _ingested(stack))


def _emitted(printed: str, name: str) -> list[float]:
    """The values of one metric in the CloudWatch embedded-metric lines the handler printed."""
    values: list[float] = []
    for line in printed.splitlines():
        if line.startswith("{") and '"_aws"' in line and name in (document := json.loads(line)):
            value = document[name]
            values.extend(value if isinstance(value, list) else [value])
    return values


def test_a_run_counts_its_failed_streams_for_the_alarm(
    stack: Stack, market: Market, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Wildberries refusing the token on the next request (a revoked token: permanent)
    market.wb.fail_next(401)
    # When a poll runs
    result = stack.invoke("PollMarketplacesFunction", SCHEDULE)
    # Then the stream it hit stopped with its error, the others went on
    failed = [s for s in result["streams"] if s["error"]]
    assert len(failed) == 1 and failed[0]["connection"].startswith("wb"), result
    assert len(result["streams"]) > 1
    # And the run counted one failed stream, in the metric MarketplacePollsFailedAlarm watches
    assert _emitted(capsys.readouterr().out, "MarketplacePollsFailed") == [1]

    # When the next forced poll succeeds, the run counts none
    stack.invoke("PollMarketplacesFunction", {**SCHEDULE, "detail": {"force": True}})
    assert _emitted(capsys.readouterr().out, "MarketplacePollsFailed") == [0]


# ---------------------------------------------------------------- in: pushes


def _push(
    stack: Stack, resource: str, path: str, params: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    event = request_event("POST", resource, path, json.dumps(body, ensure_ascii=False).encode(), params)
    response: dict[str, Any] = stack.invoke("IngestWebhookFunction", event)
    return response


def _ozon(stack: Stack, market: Market, body: dict[str, Any], token: str = PUSH_TOKEN) -> dict[str, Any]:
    return _push(
        stack,
        "/push/ozon/{connection}/{token}",
        f"/push/ozon/ozon-main/{token}",
        {"connection": "ozon-main", "token": token},
        body,
    )


def _ym(stack: Stack, market: Market, body: dict[str, Any], token: str = PUSH_TOKEN) -> dict[str, Any]:
    return _push(
        stack,
        "/push/yandex-market/{connection}/{token}/notification",
        f"/push/yandex-market/ym-main/{token}/notification",
        {"connection": "ym-main", "token": token},
        body,
    )


def test_ozon_ping_is_answered_as_ozon_expects(stack: Stack, market: Market) -> None:
    response = _ozon(stack, market, market.ozon.ping_message())
    assert response["statusCode"] == 200
    assert set(body_of(response)) == {"version", "name", "time"}


def test_an_ozon_chat_message_becomes_chat_feedback(stack: Stack, market: Market) -> None:
    response = _ozon(
        stack, market, market.ozon.new_message("chat-1", "msg-1", "Где мой заказ? Уже неделю жду")
    )
    assert (response["statusCode"], body_of(response)) == (200, {"result": True})
    [chat] = _ingested(stack)
    assert (chat["source"], chat["kind"], chat["external_id"], chat["reply_context"]) == (
        "ozon",
        "chat",
        "msg-1",
        {"chat_id": "chat-1"},
    )


def test_other_ozon_pushes_are_acknowledged_and_ingest_nothing(stack: Stack, market: Market) -> None:
    response = _ozon(stack, market, market.ozon.other_message("TYPE_NEW_POSTING", posting_number="1-2-3"))
    assert (response["statusCode"], body_of(response)) == (200, {"result": True})
    assert _ingested(stack) == []


def test_a_push_with_a_wrong_token_is_refused_and_queues_nothing(stack: Stack, market: Market) -> None:
    response = _ozon(stack, market, market.ozon.new_message("chat-1", "msg-2", "Привет"), token="guessed")
    assert response["statusCode"] == 404
    assert _ingested(stack) == []


def test_yandex_market_ping_and_a_review_notification_become_a_fetched_review(
    stack: Stack, market: Market
) -> None:
    # Given a review on Yandex Market and its notification
    review = market.ym.add_feedback("Кофемашина течёт, не рекомендую", rating=1)
    # When the ping and the notification arrive
    ping = _ym(stack, market, market.ym.ping())
    notified = _ym(stack, market, market.ym.goods_feedback_created(review["feedbackId"]))
    # Then both are answered at once, and the review waits on FetchQueue, not yet fetched
    assert ping["statusCode"] == 200 and set(body_of(ping)) == {"version", "name", "time"}
    assert notified["statusCode"] == 200
    assert _ingested(stack) == []
    # When fetch_marketplace takes the job
    result = stack.invoke("FetchMarketplaceFunction", stack.sqs_event("FetchQueue"))
    # Then the review's text is on IngestQueue
    assert result == {"batchItemFailures": []}
    [fetched] = _ingested(stack)
    assert (fetched["source"], fetched["external_id"], fetched["rating"]) == (
        "yandex_market",
        str(review["feedbackId"]),
        1,
    )
    assert "не рекомендую" in fetched["text"]


# ---------------------------------------------------------------- out: replies


def _ticket_for_wb_review(stack: Stack, market: Market) -> tuple[str, dict[str, Any]]:
    """A WB one-star review polled, scored and routed: its ticket id and the fake's review."""
    review = market.wb.add_feedback("Порвался через день", rating=1)
    stack.invoke("PollMarketplacesFunction", SCHEDULE)
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue"))
    stack.invoke("RouteFeedbackFunction", stack.sqs_event("RouteQueue"))
    tickets = body_of(
        stack.invoke("OpsApiFunction", ops_event("/tickets", "/tickets", query={"status": "open"}))
    )
    ticket = next(t for t in tickets["items"] if t["source"] == "wildberries")
    return str(ticket["id"]), review


def _approve(stack: Stack, ticket_id: str, text: str, **more: str) -> dict[str, Any]:
    event = request_event(
        "POST",
        "/tickets/{id}/reply",
        f"/tickets/{ticket_id}/reply",
        json.dumps({"text": text, "approved_by": "anna", **more}, ensure_ascii=False).encode(),
        {"id": ticket_id},
        {"Authorization": "Bearer test-token"},
    )
    response: dict[str, Any] = stack.invoke("OpsApiFunction", event)
    return response


def test_an_approved_reply_reaches_wildberries_once_and_is_recorded_on_the_ticket(
    stack: Stack, market: Market
) -> None:
    # Given a ticket for a WB review and a reply approved on it
    ticket_id, review = _ticket_for_wb_review(stack, market)
    approved = _approve(stack, ticket_id, "Здравствуйте! Заменим товар, напишите нам.")
    assert approved["statusCode"] == 202
    message = stack.receive("AnswerQueue")[0]["Body"]
    # When publish_answers gets the message, and then the same message again (a redelivery)
    first = stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue", [message]))
    second = stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue", [message]))
    # Then Wildberries got the answer exactly once, for that review
    assert first == second == {"batchItemFailures": []}
    assert [(a["path"], a["body"]["id"], a["body"]["text"]) for a in market.wb.answers] == [
        ("/api/v1/feedbacks/answer", review["id"], "Здравствуйте! Заменим товар, напишите нам.")
    ]
    # And the ticket shows it published
    ticket = body_of(
        stack.invoke(
            "OpsApiFunction",
            ops_event("/tickets/{id}", f"/tickets/{ticket_id}", path_parameters={"id": ticket_id}),
        )
    )
    assert ticket["reply"]["status"] == "published"


def test_a_reply_the_platform_refuses_lands_in_the_dlq_with_its_reason(stack: Stack, market: Market) -> None:
    ticket_id, _ = _ticket_for_wb_review(stack, market)
    _approve(stack, ticket_id, "Спасибо за отзыв!")
    market.wb.fail_next(400, body={"title": "Bad Request", "detail": "Отзыв уже удалён покупателем"})
    result = stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue"))
    assert result == {"batchItemFailures": []}
    [dead] = [json.loads(m["Body"]) for m in stack.receive("AnswerDLQ")]
    assert dead["status"] == 400
    assert "удалён" in dead["reason"]
    ticket = body_of(
        stack.invoke(
            "OpsApiFunction",
            ops_event("/tickets/{id}", f"/tickets/{ticket_id}", path_parameters={"id": ticket_id}),
        )
    )
    assert ticket["reply"]["status"] == "rejected"
    assert market.wb.answers == []


def test_a_reply_that_fails_transiently_is_retried(stack: Stack, market: Market) -> None:
    ticket_id, _ = _ticket_for_wb_review(stack, market)
    _approve(stack, ticket_id, "Спасибо!")
    market.wb.fail_next(503, times=5)
    event = stack.sqs_event("AnswerQueue")
    result = stack.invoke("PublishAnswersFunction", event)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert stack.receive("AnswerDLQ") == []


def test_a_reply_to_own_channel_feedback_is_refused(stack: Stack, market: Market) -> None:
    from tests.support.api_events import webhook_event
    from tests.support.signing import sample_body, signature_for

    body = sample_body()
    stack.invoke("IngestWebhookFunction", webhook_event(body, signature_for(body)))
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue"))
    stack.invoke("RouteFeedbackFunction", stack.sqs_event("RouteQueue"))
    tickets = body_of(
        stack.invoke("OpsApiFunction", ops_event("/tickets", "/tickets", query={"status": "open"}))
    )
    response = _approve(stack, tickets["items"][0]["id"], "Спасибо")
    assert response["statusCode"] == 400
    assert stack.receive("AnswerQueue") == []


def test_a_poll_skips_connections_polled_within_their_interval_unless_forced(
    stack: Stack, market: Market
) -> None:
    # Given a first poll
    market.wb.add_feedback("Первый", rating=5)
    stack.invoke("PollMarketplacesFunction", SCHEDULE)
    _ingested(stack)
    market.wb.add_feedback("Второй, всё плохо", rating=1)
    # When the schedule fires again at once, and then forced
    again = stack.invoke("PollMarketplacesFunction", SCHEDULE)
    forced = stack.invoke("PollMarketplacesFunction", {**SCHEDULE, "detail": {"force": True}})
    # Then only the forced poll reads the new review
    assert again["streams"] == []
    assert any(s["ingested"] == 1 for s in forced["streams"])
    assert [m["text"] for m in _ingested(stack) if m["source"] == "wildberries"] == ["Второй, всё плохо"]


def test_a_yandex_market_chat_notification_becomes_chat_feedback(stack: Stack, market: Market) -> None:
    message = market.ym.add_chat_message(4242, "Здравствуйте, когда будет доставка?")
    response = _ym(stack, market, market.ym.chat_message_sent(4242, message["messageId"]))
    assert response["statusCode"] == 200
    assert stack.invoke("FetchMarketplaceFunction", stack.sqs_event("FetchQueue")) == {
        "batchItemFailures": []
    }
    [chat] = _ingested(stack)
    assert (chat["source"], chat["kind"], chat["reply_context"]) == (
        "yandex_market",
        "chat",
        {"chat_id": "4242"},
    )


def _arrive(stack: Stack, market: Market, where: str) -> None:
    """One item of the given kind arrives at its marketplace and reaches IngestQueue the way it would."""
    if where == "wb-question":
        market.wb.add_question("Какой объём у чайника?")
    elif where == "ozon-review":
        market.ozon.add_review("Блендер сломался", rating=1)
    elif where == "ozon-question":
        market.ozon.add_question("Подходит ли для льда?")
    elif where == "ym-review":
        market.ym.add_feedback("Течёт, не рекомендую", rating=1)
    if where.startswith(("wb-", "ozon-r", "ozon-q", "ym-r")):
        stack.invoke("PollMarketplacesFunction", {**SCHEDULE, "detail": {"force": True}})
    elif where == "ozon-chat":
        chat = market.ozon.add_chat("chat-77")
        _ozon(stack, market, market.ozon.new_message(chat, "msg-77", "Где мой заказ?"))
    elif where == "ym-chat":
        message = market.ym.add_chat_message(5151, "Где мой заказ?")
        _ym(stack, market, market.ym.chat_message_sent(5151, message["messageId"]))
        stack.invoke("FetchMarketplaceFunction", stack.sqs_event("FetchQueue"))


@pytest.mark.parametrize(
    ("where", "fake", "path_part"),
    [
        ("wb-question", "wb", "/api/v1/questions"),
        ("ozon-review", "ozon", "/v1/review/comment/create"),
        ("ozon-question", "ozon", "/v1/question/answer/create"),
        ("ozon-chat", "ozon", "/v1/chat/send/message"),
        ("ym-review", "ym", "/goods-feedback/comments/update"),
        ("ym-chat", "ym", "/chats/message"),
    ],
)
def test_each_kind_of_reply_reaches_its_platforms_endpoint_once(
    stack: Stack, market: Market, where: str, fake: str, path_part: str
) -> None:
    # Given an item of that kind turned into a ticket
    _arrive(stack, market, where)
    stack.invoke("ScoreFeedbackFunction", stack.sqs_event("IngestQueue"))
    stack.invoke("RouteFeedbackFunction", stack.sqs_event("RouteQueue"))
    tickets = body_of(
        stack.invoke("OpsApiFunction", ops_event("/tickets", "/tickets", query={"status": "open"}))
    )
    [ticket] = tickets["items"]
    # When a reply is approved and its message is delivered twice
    assert _approve(stack, ticket["id"], "Здравствуйте! Ответим подробно.")["statusCode"] == 202
    message = stack.receive("AnswerQueue")[0]["Body"]
    for _ in range(2):
        assert stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue", [message])) == {
            "batchItemFailures": []
        }
    # Then the platform's own endpoint for that kind got it once
    answers = getattr(market, fake).answers
    assert len(answers) == 1
    assert path_part in answers[0]["path"]
    assert "Здравствуйте! Ответим подробно." in json.dumps(answers[0]["body"], ensure_ascii=False)


def test_a_deployment_without_a_connections_parameter_polls_nothing(stack: Stack) -> None:
    # Given no /otklik/test/marketplaces/connections at all (a deployment without marketplaces)
    # When the schedule fires
    result = stack.invoke("PollMarketplacesFunction", SCHEDULE)
    # Then nothing is polled and nothing fails
    assert result["streams"] == []
    assert result["read_back"] == {"published": 0, "pending": 0, "refused": 0}


# ---------------------------------------------------------------- out: a published reply, a first response


def _wb_ticket_past_its_deadline(stack: Stack, market: Market) -> str:
    """A WB one-star review's ticket, its first-response deadline (and the sweep's watch) an hour ago."""
    ticket_id, _ = _ticket_for_wb_review(stack, market)
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stack.dynamodb.update_item(
        TableName=stack.table("TicketsTable"),
        Key={"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}},
        UpdateExpression="SET due_at = :past, first_response_due_at = :past",
        ExpressionAttributeValues={":past": {"S": past}},
    )
    return ticket_id


def _ticket_of(stack: Stack, ticket_id: str) -> dict[str, Any]:
    found: dict[str, Any] = body_of(
        stack.invoke(
            "OpsApiFunction",
            ops_event("/tickets/{id}", f"/tickets/{ticket_id}", path_parameters={"id": ticket_id}),
        )
    )
    return found


def test_a_reply_published_to_the_marketplace_stops_the_clock_and_the_sweep_leaves_the_ticket_alone(
    stack: Stack, market: Market
) -> None:
    # Given a WB review's ticket past its deadline, and another overdue ticket nobody answered
    answered = _wb_ticket_past_its_deadline(stack, market)
    TicketStore(stack.dynamodb, stack.table("TicketsTable")).create(overdue("tk_unanswered"))
    # When a reply to the first is approved and publish_answers publishes it
    assert _approve(stack, answered, "Заменим товар")["statusCode"] == 202
    assert stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue")) == {"batchItemFailures": []}
    assert len(market.wb.answers) == 1

    # Then the ticket records its first response and waits for the customer
    ticket = _ticket_of(stack, answered)
    assert ticket["reply"]["status"] == "published"
    assert ticket["first_response_at"] == ticket["reply"]["published_at"]
    assert (ticket["status"], ticket["history"][-1]["by"]) == ("waiting_customer", "anna")
    # And the sweep breaches only the unanswered one, and tells nobody about the answered one
    assert sweep(stack) == ["tk_unanswered"]
    assert _ticket_of(stack, answered)["sla_breached"] is False
    notified = [json.loads(m["Body"])["notification"] for m in stack.receive("NotifyQueue")]
    assert [(n["ticket_id"], n["event"]) for n in notified if n["event"] == "sla_breached"] == [
        ("tk_unanswered", "sla_breached")
    ]


def test_after_reply_resolved_resolves_the_answered_ticket_with_the_configured_root_cause(
    stack: Stack, market: Market
) -> None:
    stack.put_config(
        SAMPLE_CONFIG.read_text("utf-8")
        .replace("after_reply: waiting_customer", "after_reply: resolved")
        .replace("after_reply_root_cause: null", "after_reply_root_cause: question_answered")
    )
    answered = _wb_ticket_past_its_deadline(stack, market)

    assert _approve(stack, answered, "Да, подойдёт")["statusCode"] == 202
    stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue"))

    ticket = _ticket_of(stack, answered)
    assert (ticket["status"], ticket["root_cause"]) == ("resolved", "question_answered")
    assert sweep(stack) == []


def test_an_approver_resolves_the_ticket_with_the_reply_and_a_bad_root_cause_is_refused(
    stack: Stack, market: Market
) -> None:
    # Given a WB ticket, and an approval that names a root cause the document does not list
    ticket_id, _ = _ticket_for_wb_review(stack, market)
    refused = _approve(stack, ticket_id, "Заменим", after_reply="resolved", root_cause="bad_luck")
    assert refused["statusCode"] == 400
    assert stack.receive("AnswerQueue") == []
    # When the same reply is approved with a listed one and published
    approved = _approve(stack, ticket_id, "Заменим", after_reply="resolved", root_cause="product_defect")
    assert approved["statusCode"] == 202
    stack.invoke("PublishAnswersFunction", stack.sqs_event("AnswerQueue"))
    # Then the ticket is resolved with it: no clock runs on it any more
    ticket = _ticket_of(stack, ticket_id)
    assert (ticket["status"], ticket["root_cause"]) == ("resolved", "product_defect")
    assert ticket["sla_paused_at"] is not None


def test_a_reply_with_a_phone_number_is_refused_with_the_check_and_nothing_is_queued(
    stack: Stack, market: Market
) -> None:
    # Given a WB ticket
    ticket_id, _ = _ticket_for_wb_review(stack, market)
    # When an agent approves a reply that gives a phone number (the marketplaces forbid contacts)
    refused = _approve(stack, ticket_id, "Здравствуйте! Позвоните нам: +7 912 345-67-89")
    # Then it is refused, saying which check and where, and nothing is approved or queued
    assert refused["statusCode"] == 400
    error = body_of(refused)["error"]
    assert error["code"] == "bad_request"
    assert [d["check"] for d in error["details"]] == ["contact"]
    assert "contact: a phone number at" in error["message"]
    assert stack.receive("AnswerQueue") == []
    assert "reply" not in _ticket_of(stack, ticket_id)
