"""Notifications on the local stack over HTTP: a fake Telegram Bot API on loopback, SES and SNS on moto.

The stack runs with a document whose subscriptions send each kind of ticket to its own Telegram chat, so
each case reads its own chat: urgent tickets (and the head of support's e-mail and SMS), questions in
quiet hours, complaints to a chat whose bot was blocked, and a flood of reviews past a rate cap.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.fakes.telegram import FakeTelegram
from otklik.bootstrap import send_notifications
from otklik.domain.ids import ticket_id
from tests.e2e.conftest import RunningStack, eventually, function_environment, running_stack
from tests.support.signing import sample_body

URGENT_CHAT, NIGHT_CHAT, BLOCKED_CHAT, FLOOD_CHAT = "100", "200", "300", "400"


def _document(quiet_start: str, quiet_end: str) -> str:
    return f"""
channels:
  - {{name: telegram, type: telegram, bot_token_parameter: notify/telegram-bot-token}}
  - {{name: email, type: email, sender: otklik@shop.example}}
  - {{name: sms, type: sms}}
recipients:
  - {{name: duty, addresses: {{telegram: "{URGENT_CHAT}"}}}}
  - name: night
    timezone: UTC
    addresses: {{telegram: "{NIGHT_CHAT}"}}
    quiet_hours: {{start: "{quiet_start}", end: "{quiet_end}"}}
  - {{name: blocked, addresses: {{telegram: "{BLOCKED_CHAT}"}}}}
  - name: flood
    addresses: {{telegram: "{FLOOD_CHAT}"}}
    rate_cap: {{messages: 10, minutes: 60}}
  - {{name: head, addresses: {{email: head@shop.example, sms: "+79990001122"}}}}
subscriptions:
  - {{name: urgent, events: [ticket_opened], recipients: [duty, head], when: {{priorities: [urgent]}}}}
  - {{name: questions, events: [ticket_opened], recipients: [night], when: {{kinds: [question]}}}}
  - {{name: complaints, events: [ticket_opened], recipients: [blocked], when: {{kinds: [complaint]}}}}
  - {{name: operations, events: [dlq_not_empty], recipients: [head], channels: [email]}}
  - name: reviews
    events: [ticket_opened]
    recipients: [flood]
    when: {{kinds: [review], priorities: [high, normal, low]}}
"""


@dataclass
class NotifyStack:
    stack: RunningStack
    telegram: FakeTelegram
    quiet_end: datetime


@pytest.fixture(scope="module")
def notify_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotifyStack]:
    # Quiet hours for the night recipient from an hour ago to two hours on (UTC), whenever the test runs
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    folder = tmp_path_factory.mktemp("notify-stack")
    config = folder / "otklik.yaml"
    config.write_text(_document(start.strftime("%H:%M"), end.strftime("%H:%M")), "utf-8")
    with FakeTelegram() as telegram:
        environ = {"OTKLIK_LOCAL_CONFIG": str(config), "OTKLIK_LOCAL_TELEGRAM_URL": telegram.url}
        with running_stack(Path(folder) / "stack.log", environ) as stack:
            yield NotifyStack(stack, telegram, end)


def _post(stack: RunningStack, **changes: Any) -> str:
    body = sample_body(**changes)
    answer = stack.post_webhook(body)
    assert answer.status == 202, answer.body
    return str(answer.body["id"])


def _ticket_of(stack: RunningStack, feedback_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        answer = stack.ops(f"/tickets/{ticket_id(feedback_id)}")
        return answer.body if answer.status == 200 else None

    return eventually(found, timeout=30)


def _deliveries(stack: RunningStack, ticket_id: str) -> dict[str, dict[str, Any]]:
    """The outbox's ticket_opened entry: what each delivery did, by its key (telegram:duty...)."""
    answer = stack.ops(f"/notifications?ticket_id={ticket_id}")
    assert answer.status == 200, answer.body
    for item in answer.body["items"]:
        if item["event"] == "ticket_opened":
            return {result["channel"]: result for result in item["results"]}
    return {}


def _delivered(stack: RunningStack, ticket_id: str, key: str, status: str) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        result = _deliveries(stack, ticket_id).get(key)
        return result if result is not None and result["status"] == status else None

    return eventually(settled, timeout=30)


def _about(telegram: FakeTelegram, chat: str, ticket_id: str) -> list[Any]:
    return [message for message in telegram.messages_to(chat) if ticket_id in message.shown]


def _moto(stack: RunningStack) -> dict[str, Any]:
    with urllib.request.urlopen(f"{stack.aws_url}/moto-api/data.json", timeout=10) as answer:
        data: dict[str, Any] = json.loads(answer.read())
        return data


def _release_at(stack: RunningStack, moment: datetime) -> send_notifications.Released:
    """The schedule's pass of send_notifications at `moment`, with the stack's own resources."""
    with function_environment(stack, "SendNotificationsFunction"):
        return send_notifications.build().release(moment)


def _vip(number: int) -> dict[str, Any]:
    return {"id": f"c-vip-{number}", "name": "Анна", "tier": "vip"}


def test_an_urgent_ticket_reaches_telegram_once_with_a_button_that_opens_it(
    notify_stack: NotifyStack,
) -> None:
    stack, telegram = notify_stack.stack, notify_stack.telegram

    # When a one-star review of a VIP customer (urgent) arrives
    ticket = _ticket_of(stack, _post(stack, id="urgent-1", customer=_vip(1)))
    assert ticket["priority"] == "urgent"

    # Then the duty chat gets it once, with a button to the ticket, and the link opens the ticket
    _delivered(stack, ticket["id"], "telegram:duty", "sent")
    [message] = _about(telegram, URGENT_CHAT, ticket["id"])
    assert message.parse_mode == "HTML"
    [[button]] = message.reply_markup["inline_keyboard"]
    assert button["text"] == "Открыть тикет"
    # (the dashboard's ticket view: the page itself answers here; the browser test opens such a link)
    assert button["url"] == f"{stack.api_url}/dashboard#/tickets/{ticket['id']}"
    with urllib.request.urlopen(button["url"], timeout=10) as answer:
        assert answer.status == 200 and answer.headers.get_content_type() == "text/html"
    # And the customer's e-mail and phone are not in it (only the masked excerpt)
    assert "anna@example.com" not in message.shown and "345-67-89" not in message.shown

    # And the head of support's e-mail and SMS reached moto's SES and SNS
    _delivered(stack, ticket["id"], "email:head", "sent")
    _delivered(stack, ticket["id"], "sms:head", "sent")
    moto = _moto(stack)
    mails = [m for m in moto["ses"]["Message"] if m["destinations"]["ToAddresses"] == ["head@shop.example"]]
    assert any(ticket["id"] in mail["subject"] for mail in mails)
    texts = [sms["message"] for sms in moto["sns"]["SMS"] if sms["phone_number"] == "+79990001122"]
    assert any(ticket["id"] in text and len(text) <= 140 for text in texts)


def test_a_telegram_429_with_retry_after_is_waited_out_and_sent_once(notify_stack: NotifyStack) -> None:
    stack, telegram = notify_stack.stack, notify_stack.telegram

    # Given the Bot API asks the next request to wait a second
    telegram.rate_limit_next(retry_after=1)

    ticket = _ticket_of(stack, _post(stack, id="urgent-2", customer=_vip(2)))

    # Then the message was sent after the 429, once
    result = _delivered(stack, ticket["id"], "telegram:duty", "sent")
    assert len(_about(telegram, URGENT_CHAT, ticket["id"])) == 1
    refused = [call for call in telegram.requests if call.status == 429]
    assert refused and result["attempts"] == 1


def test_a_blocked_bot_is_recorded_failed_and_not_tried_again(notify_stack: NotifyStack) -> None:
    stack, telegram = notify_stack.stack, notify_stack.telegram
    telegram.block(BLOCKED_CHAT)

    ticket = _ticket_of(stack, _post(stack, id="complaint-1", kind="complaint", rating=None))

    result = _delivered(stack, ticket["id"], "telegram:blocked", "failed")
    assert "blocked" in result["detail"] and result["attempts"] == 1
    # And after the schedule's pass nothing more was asked of the Bot API for that chat
    _release_at(stack, datetime.now(UTC) + timedelta(minutes=30))
    tries = [call for call in telegram.requests if str(call.params.get("chat_id")) == BLOCKED_CHAT]
    assert len(tries) == 1


def test_a_question_in_quiet_hours_is_delivered_at_their_end(notify_stack: NotifyStack) -> None:
    stack, telegram = notify_stack.stack, notify_stack.telegram

    ticket = _ticket_of(
        stack, _post(stack, id="question-1", kind="question", rating=None, text="Подскажите, есть размер M?")
    )

    # Then it waits: nothing in the night chat
    deferred = _delivered(stack, ticket["id"], "telegram:night", "deferred")
    assert notify_stack.quiet_end.isoformat()[:16] in deferred["detail"]
    assert _about(telegram, NIGHT_CHAT, ticket["id"]) == []

    # When the schedule's pass runs just before the end, nothing is released; at the end, it is
    assert _release_at(stack, notify_stack.quiet_end - timedelta(minutes=1)).waits == 0
    assert _release_at(stack, notify_stack.quiet_end).waits == 1
    _delivered(stack, ticket["id"], "telegram:night", "sent")
    assert len(_about(telegram, NIGHT_CHAT, ticket["id"])) == 1


def test_thirty_tickets_to_a_recipient_capped_at_ten_give_ten_messages_and_one_digest(
    notify_stack: NotifyStack,
) -> None:
    stack, telegram = notify_stack.stack, notify_stack.telegram
    started = datetime.now(UTC)

    # When 30 one-star reviews from 30 customers arrive within a minute
    ids = [
        _post(stack, id=f"flood-{n}", customer={"id": f"c-flood-{n}", "name": "Иван", "tier": "regular"})
        for n in range(30)
    ]
    tickets = [_ticket_of(stack, feedback_id)["id"] for feedback_id in ids]

    def settled() -> list[str] | None:
        statuses = [_deliveries(stack, one).get("telegram:flood", {}).get("status") for one in tickets]
        return statuses if None not in statuses else None

    statuses = eventually(settled, timeout=60)

    # Then 10 went as messages and 20 wait for the digest
    assert sorted(statuses) == ["digested"] * 20 + ["sent"] * 10
    assert len(telegram.messages_to(FLOOD_CHAT)) == 10

    # And at the window's end one digest tells the 20, once
    first = _release_at(stack, started + timedelta(minutes=61))
    assert [(told.channel, told.status) for told in first.digests] == [("telegram:flood", "sent")]
    assert _release_at(stack, started + timedelta(minutes=62)).digests == []
    messages = telegram.messages_to(FLOOD_CHAT)
    assert len(messages) == 11
    assert messages[-1].shown.startswith("20 новых тикетов за час")


def test_a_dead_letter_queue_that_fills_is_told_by_e_mail_once(notify_stack: NotifyStack) -> None:
    stack = notify_stack.stack
    status = stack.request("GET", "/_local/status").body
    url = status["resources"]["AnswerDLQ"]["url"]

    # Given a message dead-lettered in AnswerDLQ
    stack.aws("sqs").send_message(QueueUrl=url, MessageBody='{"reply_id": "rp_dead"}')

    # When the schedule's pass runs, twice
    first = _release_at(stack, datetime.now(UTC))
    second = _release_at(stack, datetime.now(UTC))

    # Then the queue is told once, and the head of support's e-mail says which queue
    assert "AnswerDLQ" in first.dead_letters and "AnswerDLQ" not in second.dead_letters

    def mailed() -> list[dict[str, Any]]:
        return [m for m in _moto(stack)["ses"]["Message"] if "AnswerDLQ" in m["subject"]]

    [mail] = eventually(mailed, timeout=30)
    assert mail["subject"] == "Очередь ошибок AnswerDLQ не пуста"
