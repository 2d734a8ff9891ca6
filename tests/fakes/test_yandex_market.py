"""The fake Yandex Market API speaks its page tokens, error form and comments, and sends its notifications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.fakes.yandex_market import FakeYandexMarket
from tests.fakes.loopback import Reply, call
from tests.support.loopback import JsonServer

pytestmark = pytest.mark.integration

AUTH = {"Api-Key": "ym-test-key"}


@pytest.fixture
def ym() -> Iterator[FakeYandexMarket]:
    with FakeYandexMarket() as fake:
        yield fake


def feedbacks(ym: FakeYandexMarket, query: str = "", body: Any = None, *, prefix: str = "/v2") -> Reply:
    url = f"{ym.url}{prefix}/businesses/{ym.business_id}/goods-feedback{'?' + query if query else ''}"
    return call("POST", url, headers=AUTH, json_body={} if body is None else body)


def test_refuses_a_wrong_api_key_with_401_in_ym_error_form(ym: FakeYandexMarket) -> None:
    reply = call(
        "POST", f"{ym.url}/v2/businesses/777/goods-feedback", headers={"Api-Key": "nope"}, json_body={}
    )

    assert reply.status == 401
    assert reply.body["status"] == "ERROR"
    assert reply.body["errors"][0]["code"] == "UNAUTHORIZED"


def test_someone_elses_business_is_forbidden(ym: FakeYandexMarket) -> None:
    reply = call("POST", f"{ym.url}/v2/businesses/778/goods-feedback", headers=AUTH, json_body={})

    assert reply.status == 403


def test_pages_feedbacks_with_page_token_newest_first(ym: FakeYandexMarket) -> None:
    ids = [ym.add_feedback(f"Отзыв {n}")["feedbackId"] for n in range(5)]

    seen: list[int] = []
    token: str | None = None
    pages = 0
    while True:
        reply = feedbacks(ym, "limit=2" + (f"&pageToken={token}" if token else ""))
        result = reply.body["result"]
        seen += [item["feedbackId"] for item in result["feedbacks"]]
        pages += 1
        token = result["paging"].get("nextPageToken")
        if token is None:
            break

    assert reply.body["status"] == "OK"
    assert seen == list(reversed(ids))
    assert pages == 3


def test_feedback_items_have_ym_fields(ym: FakeYandexMarket) -> None:
    ym.add_feedback(
        "Сломалась", rating=1, advantages="Красивая", disadvantages="Сломалась", photos=1, recommended=False
    )

    item = feedbacks(ym).body["result"]["feedbacks"][0]

    assert set(item) == {
        "feedbackId",
        "createdAt",
        "needReaction",
        "identifiers",
        "author",
        "description",
        "media",
        "statistics",
    }
    assert item["description"] == {
        "advantages": "Красивая",
        "disadvantages": "Сломалась",
        "comment": "Сломалась",
    }
    assert set(item["identifiers"]) == {"orderId", "offerId"}
    assert item["statistics"]["rating"] == 1
    assert len(item["media"]["photos"]) == 1


def test_fetching_by_feedback_ids_returns_just_those(ym: FakeYandexMarket) -> None:
    wanted = ym.add_feedback("Нужный")
    ym.add_feedback("Лишний")

    result = feedbacks(ym, body={"feedbackIds": [wanted["feedbackId"], 1]}).body["result"]

    assert [item["feedbackId"] for item in result["feedbacks"]] == [wanted["feedbackId"]]
    assert result["paging"] == {}


def test_reaction_status_filter_and_limit_bounds(ym: FakeYandexMarket) -> None:
    needing = ym.add_feedback("Ждёт ответа")
    ym.add_feedback("Уже обработан", need_reaction=False)

    filtered = feedbacks(ym, body={"reactionStatus": "NEED_REACTION"}).body["result"]["feedbacks"]
    too_many = feedbacks(ym, "limit=51")
    bad_token = feedbacks(ym, "pageToken=garbage")

    assert [item["feedbackId"] for item in filtered] == [needing["feedbackId"]]
    assert (too_many.status, bad_token.status) == (400, 400)


def test_comment_is_recorded_and_clears_need_reaction(ym: FakeYandexMarket) -> None:
    feedback = ym.add_feedback("Чехол треснул", rating=1)
    body = {"feedbackId": feedback["feedbackId"], "comment": {"text": "Пришлём замену, напишите в чат."}}

    reply = call(
        "POST", f"{ym.url}/v2/businesses/777/goods-feedback/comments/update", headers=AUTH, json_body=body
    )

    assert (reply.status, reply.body["status"]) == (200, "OK")
    assert isinstance(reply.body["result"]["id"], int)
    assert reply.body["result"]["text"] == "Пришлём замену, напишите в чат."
    assert ym.answers == [
        {"method": "POST", "path": "/v2/businesses/777/goods-feedback/comments/update", "body": body}
    ]
    stored = ym.feedback(feedback["feedbackId"])
    assert stored is not None
    assert (stored["needReaction"], stored["statistics"]["commentsCount"]) == (False, 1)


def test_comment_on_unknown_feedback_is_404(ym: FakeYandexMarket) -> None:
    reply = call(
        "POST",
        f"{ym.url}/v2/businesses/777/goods-feedback/comments/update",
        headers=AUTH,
        json_body={"feedbackId": 1, "comment": {"text": "Спасибо"}},
    )

    assert (reply.status, reply.body["errors"][0]["code"]) == (404, "NOT_FOUND")
    assert ym.answers == []


def test_chat_message_fetch_and_send(ym: FakeYandexMarket) -> None:
    message = ym.add_chat_message(9001, "Когда привезут заказ?")

    fetched = call(
        "GET",
        f"{ym.url}/v2/businesses/777/chats/message?chatId=9001&messageId={message['messageId']}",
        headers=AUTH,
    )
    missing = call("GET", f"{ym.url}/v2/businesses/777/chats/message?chatId=9001&messageId=1", headers=AUTH)
    sent = call(
        "POST",
        f"{ym.url}/v2/businesses/777/chats/message?chatId=9001",
        headers=AUTH,
        json_body={"message": "Завтра"},
    )
    unknown_chat = call(
        "POST",
        f"{ym.url}/v2/businesses/777/chats/message?chatId=1",
        headers=AUTH,
        json_body={"message": "Привет"},
    )

    assert fetched.body == {"status": "OK", "result": message}
    assert fetched.body["result"]["sender"] == "CUSTOMER"
    assert (missing.status, sent.status, unknown_chat.status) == (404, 200, 404)
    assert [m["message"] for m in ym.chat_messages(9001)] == ["Когда привезут заказ?", "Завтра"]
    assert ym.answers == [
        {
            "method": "POST",
            "path": "/v2/businesses/777/chats/message",
            "body": {"chatId": 9001, "message": "Завтра"},
        }
    ]


def test_rate_limited_requests_get_420(ym: FakeYandexMarket) -> None:
    ym.rate_limit(per_second=0.5, burst=1)

    statuses = [feedbacks(ym) for _ in range(2)]

    assert [reply.status for reply in statuses] == [200, 420]
    assert statuses[1].body["status"] == "ERROR"


def test_fail_next_then_recovers(ym: FakeYandexMarket) -> None:
    ym.fail_next(500, times=2)

    statuses = [feedbacks(ym).status for _ in range(3)]

    assert statuses == [500, 500, 200]


def test_paths_without_the_v2_prefix_are_served_too(ym: FakeYandexMarket) -> None:
    ym.add_feedback()

    reply = feedbacks(ym, prefix="")

    assert reply.status == 200
    assert len(reply.body["result"]["feedbacks"]) == 1


def test_repeat_and_malformed_feedbacks_are_visible(ym: FakeYandexMarket) -> None:
    for n in range(3):
        ym.add_feedback(f"Отзыв {n}")
    broken = ym.add_malformed_feedback(comment="Без id")
    ym.repeat_item_on_next_page()

    first = feedbacks(ym, "limit=2").body["result"]
    second = feedbacks(ym, f"limit=2&pageToken={first['paging']['nextPageToken']}").body["result"]

    assert "feedbackId" not in broken
    assert first["feedbacks"][0]["statistics"] == "пять звёзд"
    assert second["feedbacks"][0] == first["feedbacks"][-1]


def test_notification_builders_follow_ym_format(ym: FakeYandexMarket) -> None:
    ping = ym.ping()
    created = ym.goods_feedback_created(48590001)
    sent = ym.chat_message_sent(9001, 7300001)

    assert set(ping) == {"notificationType", "time"} and ping["notificationType"] == "PING"
    assert created == {
        "notificationType": "GOODS_FEEDBACK_CREATED",
        "businessId": 777,
        "feedbackId": 48590001,
        "createdAt": created["createdAt"],
        "publishedAt": created["publishedAt"],
    }
    assert sent == {
        "notificationType": "CHAT_MESSAGE_SENT",
        "businessId": 777,
        "chatId": 9001,
        "messageId": "7300001",
        "sentAt": sent["sentAt"],
    }


def test_notify_posts_to_the_notification_path_of_a_local_endpoint(ym: FakeYandexMarket) -> None:
    answer = {"version": "1.0", "name": "otklik", "time": "2024-09-02T06:00:00Z"}
    with JsonServer(default=(200, answer)) as receiver:
        status, body = ym.notify(
            receiver.url("/webhooks/yandex_market/"), ym.goods_feedback_created(48590001)
        )

    assert (status, body) == (200, answer)
    assert receiver.seen[0].path == "/webhooks/yandex_market/notification"
    assert receiver.seen[0].json()["feedbackId"] == 48590001


# ---------------------------------------------------------------- moderation of comments


def update(ym: FakeYandexMarket, feedback_id: int, text: str, comment_id: int | None = None) -> Reply:
    comment: dict[str, Any] = {"text": text} if comment_id is None else {"id": comment_id, "text": text}
    return call(
        "POST",
        f"{ym.url}/v2/businesses/777/goods-feedback/comments/update",
        headers=AUTH,
        json_body={"feedbackId": feedback_id, "comment": comment},
    )


def listed(ym: FakeYandexMarket, feedback_id: int, query: str = "") -> Reply:
    return call(
        "POST",
        f"{ym.url}/v2/businesses/777/goods-feedback/comments{'?' + query if query else ''}",
        headers=AUTH,
        json_body={"feedbackId": feedback_id},
    )


def test_a_comment_is_listed_published_and_modifiable(ym: FakeYandexMarket) -> None:
    # Given a review
    review = ym.add_feedback("Шумная", rating=3)
    # When the shop comments on it
    saved = update(ym, review["feedbackId"], "Спасибо за отзыв!").body["result"]
    # Then the comments list shows it as Market does
    [shown] = listed(ym, review["feedbackId"]).body["result"]["comments"]
    assert shown == saved
    assert (shown["status"], shown["canModify"], shown["author"]["type"]) == ("PUBLISHED", True, "BUSINESS")


def test_moderation_knobs_set_unmoderated_and_banned(ym: FakeYandexMarket) -> None:
    # Given a pending verdict for the next reply and a banned word
    held, banned = ym.add_feedback("Один"), ym.add_feedback("Два")
    ym.moderate_next_reply("pending")
    ym.reject_replies_containing("скидка", reason="реклама")
    # When both reviews get comments
    update(ym, held["feedbackId"], "Разберёмся.")
    update(ym, banned["feedbackId"], "Вот вам СКИДКА 10%.")
    # Then their statuses say so, and the log keeps the reason
    assert ym.comments(held["feedbackId"])[0]["status"] == "UNMODERATED"
    assert ym.comments(banned["feedbackId"])[0]["status"] == "BANNED"
    assert [(s["platform_state"], s["reason"]) for s in ym.reply_states] == [
        ("UNMODERATED", None),
        ("BANNED", "реклама"),
    ]


def test_set_reply_state_moves_a_comment_and_can_forbid_changes(ym: FakeYandexMarket) -> None:
    # Given a published comment
    review = ym.add_feedback()
    comment_id = update(ym, review["feedbackId"], "Спасибо!").body["result"]["id"]
    # When Market bans it later and forbids changes
    ym.set_reply_state(review["feedbackId"], "rejected", can_modify=False)
    changed = update(ym, review["feedbackId"], "Исправленный ответ.", comment_id=comment_id)
    # Then it is BANNED, and changing it is refused
    [shown] = listed(ym, review["feedbackId"]).body["result"]["comments"]
    assert (shown["status"], shown["canModify"]) == ("BANNED", False)
    assert changed.status == 400
    assert len(ym.answers) == 1


def test_a_changed_comment_keeps_its_id_and_passes_moderation_again(ym: FakeYandexMarket) -> None:
    # Given a banned comment
    review = ym.add_feedback()
    ym.moderate_next_reply("rejected")
    comment_id = update(ym, review["feedbackId"], "Пишите в телеграм.").body["result"]["id"]
    # When it is changed
    changed = update(ym, review["feedbackId"], "Спасибо за отзыв!", comment_id=comment_id).body["result"]
    # Then the same comment is published with the new text
    assert (changed["id"], changed["status"], changed["text"]) == (
        comment_id,
        "PUBLISHED",
        "Спасибо за отзыв!",
    )
    assert len(ym.comments(review["feedbackId"])) == 1


def test_the_comments_list_pages_with_tokens(ym: FakeYandexMarket) -> None:
    review = ym.add_feedback()
    for n in range(3):
        update(ym, review["feedbackId"], f"Комментарий {n}")

    first = listed(ym, review["feedbackId"], "limit=2").body["result"]
    second = listed(ym, review["feedbackId"], f"limit=2&pageToken={first['paging']['nextPageToken']}")

    assert [c["text"] for c in first["comments"]] == ["Комментарий 0", "Комментарий 1"]
    assert [c["text"] for c in second.body["result"]["comments"]] == ["Комментарий 2"]
    assert second.body["result"]["paging"] == {}
