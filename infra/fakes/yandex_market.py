"""Fake Yandex Market partner API: goods feedback, comments, chat messages, and its notification sender."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from infra.fakes.server import (
    FakeMarketplace,
    FakeRequest,
    FakeResponse,
    ItemStore,
    ReplyState,
    StoredItem,
    TokenBucket,
    check_reply_state,
    dig,
    malform,
    now_utc,
    post_json,
    seeded_time,
)

MSK = timezone(timedelta(hours=3))
FEEDBACK_LIMIT_DEFAULT = 25
FEEDBACK_LIMIT_MAX = 50
ENHANCE_YOUR_CALM = 420
# A comment's moderation state as Market's comment status says it.
COMMENT_STATUSES: dict[ReplyState, str] = {
    "published": "PUBLISHED",
    "pending": "UNMODERATED",
    "rejected": "BANNED",
}
_CODES: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "BAD_REQUEST",
    HTTPStatus.UNAUTHORIZED: "UNAUTHORIZED",
    HTTPStatus.FORBIDDEN: "FORBIDDEN",
    HTTPStatus.NOT_FOUND: "NOT_FOUND",
    HTTPStatus.METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
    ENHANCE_YOUR_CALM: "LIMIT_EXCEEDED",
    HTTPStatus.INTERNAL_SERVER_ERROR: "INTERNAL_ERROR",
}


def _status_name(status: int) -> str:
    try:
        return HTTPStatus(status).name
    except ValueError:
        return "ERROR"


def _ym_time(moment: datetime) -> str:
    return moment.astimezone(MSK).isoformat(timespec="seconds")


def _notification_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class FakeYandexMarket(FakeMarketplace):
    """POST v2/businesses/{businessId}/goods-feedback, .../goods-feedback/comments and .../comments/update,
    GET and POST v2/businesses/{businessId}/chats/message (also served without the v2 prefix).
    Api-Key header must match. Not rate limited unless told to be; throttled requests get 420.

    The shop's comments pass the fake's moderation: status PUBLISHED, UNMODERATED or BANNED.
    """

    platform = "yandex_market"

    def __init__(
        self,
        api_key: str = "ym-test-key",
        business_id: int = 777,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        samples: bool = False,
    ) -> None:
        super().__init__(host=host, port=port)
        self.api_key = api_key
        self.business_id = business_id
        self._feedbacks = ItemStore()
        self._comments: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: set[int] = set()
        for prefix in ("/v2", ""):
            base = prefix + "/businesses/{businessId}"
            self._route("POST", base + "/goods-feedback", self._list_feedbacks)
            self._route("POST", base + "/goods-feedback/comments", self._list_comments)
            self._route("POST", base + "/goods-feedback/comments/update", self._update_comment)
            self._route("GET", base + "/chats/message", self._get_chat_message)
            self._route("POST", base + "/chats/message", self._send_chat_message)
        if samples:
            self.add_sample_data()

    # ------------------------------------------------------------ seeding

    def add_feedback(
        self,
        comment: str = "Всё понравилось.",
        *,
        rating: int = 5,
        advantages: str | None = None,
        disadvantages: str | None = None,
        author: str = "Покупатель",
        offer_id: str = "CM-BARISTA-1",
        order_id: int | None = None,
        created_at: datetime | None = None,
        need_reaction: bool = True,
        comments: int = 0,
        recommended: bool | None = None,
        paid_amount: int = 0,
        photos: int = 0,
        videos: int = 0,
        feedback_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Seed a feedback as goods-feedback serves it; `fields` override or add any top-level field."""
        with self._lock:
            seq = self._next_seed()
            created = created_at or seeded_time(seq)
            number = feedback_id if feedback_id is not None else 48_590_000 + seq
            description = {
                key: value
                for key, value in (
                    ("advantages", advantages),
                    ("disadvantages", disadvantages),
                    ("comment", comment),
                )
                if value is not None
            }
            statistics: dict[str, Any] = {
                "rating": rating,
                "commentsCount": comments,
                "paidAmount": paid_amount,
            }
            if recommended is not None:
                statistics["recommended"] = recommended
            item: dict[str, Any] = {
                "feedbackId": number,
                "createdAt": _ym_time(created),
                "needReaction": need_reaction,
                "identifiers": {
                    "orderId": order_id if order_id is not None else 51_200_000_000 + seq,
                    "offerId": offer_id,
                },
                "author": author,
                "description": description,
                "media": {
                    "photos": [
                        f"https://avatars.mds.yandex.net/get-market-ugc/{number}/{n}/orig"
                        for n in range(photos)
                    ],
                    "videos": [
                        f"https://video.market.yandex.ru/feedback/{number}/{n}.mp4" for n in range(videos)
                    ],
                },
                "statistics": statistics,
            }
            item.update(fields)
            return dict(self._feedbacks.put(str(number), created, item).item)

    def add_malformed_feedback(
        self,
        drop: tuple[str, ...] = ("feedbackId",),
        replace: dict[str, Any] | None = None,
        **seed: Any,
    ) -> dict[str, Any]:
        """Seed a feedback that breaks the contract: by default no `feedbackId`, statistics not an object."""
        with self._lock:
            good = self.add_feedback(**seed)
            stored = self._feedbacks.get(str(good["feedbackId"]))
            assert stored is not None
            broken = malform(good, drop, {"statistics": "пять звёзд"} if replace is None else replace)
            self._feedbacks.put(stored.key, stored.created, broken)
            return dict(broken)

    def add_chat_message(
        self,
        chat_id: int,
        text: str,
        *,
        message_id: int | None = None,
        sender: str = "CUSTOMER",
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Seed a chat message as chats/message serves it (sender CUSTOMER, PARTNER, MARKET or SUPPORT)."""
        with self._lock:
            seq = self._next_seed()
            number = message_id if message_id is not None else 7_300_000 + seq
            message = {
                "messageId": number,
                "createdAt": _ym_time(created_at or seeded_time(seq)),
                "sender": sender,
                "message": text,
            }
            self._chats.add(chat_id)
            self._messages[(chat_id, number)] = message
            return dict(message)

    def feedback(self, feedback_id: int) -> dict[str, Any] | None:
        with self._lock:
            stored = self._feedbacks.get(str(feedback_id))
            return None if stored is None else dict(stored.item)

    def comments(self, feedback_id: int) -> list[dict[str, Any]]:
        """Store comments posted through the API to one feedback, oldest first."""
        with self._lock:
            return [dict(c) for c in self._comments.values() if c.get("feedbackId") == feedback_id]

    def set_reply_state(
        self,
        item_id: int | str,
        state: ReplyState,
        reason: str | None = None,
        *,
        can_modify: bool | None = None,
    ) -> None:
        """Move the shop's latest comment on feedback `item_id` to `state` (status PUBLISHED, UNMODERATED
        or BANNED), as Market's moderation would later; can_modify sets its canModify too."""
        wanted = check_reply_state(state)
        with self._lock:
            mine = [
                comment
                for comment in self._comments.values()
                if str(comment.get("feedbackId")) == str(item_id)
                and dig(comment, "author", "type") == "BUSINESS"
            ]
            if not mine:
                raise KeyError(f"no shop comment on feedback {item_id!r}")
            comment = mine[-1]
            comment["status"] = COMMENT_STATUSES[wanted]
            if can_modify is not None:
                comment["canModify"] = can_modify
            self._record_state(str(item_id), wanted, COMMENT_STATUSES[wanted], reason, comment["text"])

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        with self._lock:
            found = [message for (chat, _), message in self._messages.items() if chat == chat_id]
            return [dict(message) for message in sorted(found, key=lambda message: message["messageId"])]

    def add_sample_data(self) -> None:
        """Deterministic feedbacks (with pros and cons, a paid one, an answered one) and a chat."""
        self.add_feedback(
            "Кофемашина перестала греть воду через две недели. Сервисный центр в нашем городе не берёт.",
            rating=1,
            disadvantages="Сломалась через две недели",
            author="Константин",
            recommended=False,
            photos=2,
        )
        self.add_feedback(
            "Готовит отличный капучино, пенка плотная. Пользуюсь каждый день уже месяц.",
            rating=5,
            advantages="Вкусный кофе, быстро нагревается",
            disadvantages="Шумновата",
            author="Анна",
            recommended=True,
        )
        self.add_feedback(
            "Чехол красивый, но кнопки громкости нажимаются туго.",
            rating=3,
            offer_id="CASE-SOFT-15",
            author="Павел",
            paid_amount=150,
        )
        self.add_feedback(
            "Доставка задержалась на неделю, коробка пришла мятая. Сам товар целый.",
            rating=2,
            offer_id="CASE-SOFT-15",
            author="Юлия",
        )
        self.add_feedback(
            "Отличный подарок маме, всё работает.",
            rating=5,
            author="Игорь",
            need_reaction=False,
            comments=1,
            recommended=True,
        )
        self.add_chat_message(9001, "Здравствуйте! Когда привезут мой заказ? Обещали вчера.")
        self.add_chat_message(
            9001, "Добрый день! Заказ передан в доставку, будет завтра до 18:00.", sender="PARTNER"
        )
        self.add_chat_message(9002, "Можно ли вернуть чехол, если не подошёл по цвету?")

    # ------------------------------------------------------------ API notifications (Market -> otklik)

    def ping(self, time: datetime | None = None) -> dict[str, Any]:
        """PING: Market checks the endpoint (and expects an answer within 1 second)."""
        return {"notificationType": "PING", "time": _notification_time(time or now_utc())}

    def goods_feedback_created(
        self, feedback_id: int, *, created_at: datetime | None = None, published_at: datetime | None = None
    ) -> dict[str, Any]:
        """GOODS_FEEDBACK_CREATED carries ids only; the text comes from goods-feedback with feedbackIds."""
        created = created_at or now_utc()
        return {
            "notificationType": "GOODS_FEEDBACK_CREATED",
            "businessId": self.business_id,
            "feedbackId": feedback_id,
            "createdAt": _notification_time(created),
            "publishedAt": _notification_time(published_at or created),
        }

    def chat_message_sent(
        self, chat_id: int, message_id: int, *, sent_at: datetime | None = None
    ) -> dict[str, Any]:
        """CHAT_MESSAGE_SENT carries ids only; the text comes from GET chats/message. The docs type
        messageId as a string here (an integer in chats/message), so the fake sends a string.
        """
        return {
            "notificationType": "CHAT_MESSAGE_SENT",
            "businessId": self.business_id,
            "chatId": chat_id,
            "messageId": str(message_id),
            "sentAt": _notification_time(sent_at or now_utc()),
        }

    def notify(
        self, url: str, notification: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST a notification as Market does: to the configured URL + "/notification"; (status, body)."""
        return post_json(url.rstrip("/") + "/notification", notification, headers=headers)

    # ------------------------------------------------------------ platform forms

    def _authenticate(self, request: FakeRequest) -> FakeResponse | None:
        if request.header("Api-Key") == self.api_key:
            return None
        return self._error(HTTPStatus.UNAUTHORIZED, "Api-Key is missing or invalid")

    def _error(self, status: int, message: str) -> FakeResponse:
        code = _CODES.get(status) or _status_name(status)
        return FakeResponse(status, {"status": "ERROR", "errors": [{"code": code, "message": message}]})

    def _rate_limited(self, retry_after: float, bucket: TokenBucket | None) -> FakeResponse:
        per_second = f"{bucket.per_second:g} requests per second" if bucket else "requests"
        response = self._error(
            ENHANCE_YOUR_CALM, f"Hit rate limit of {per_second} for businessId {self.business_id}"
        )
        response.reason = "Enhance Your Calm"
        return response

    def _ok(self, result: Any = None) -> FakeResponse:
        body: dict[str, Any] = {"status": "OK"}
        if result is not None:
            body["result"] = result
        return FakeResponse(HTTPStatus.OK, body)

    def _check_business(self, request: FakeRequest) -> None:
        raw = request.params.get("businessId", "")
        if not raw.isdigit() or int(raw) < 1:
            raise self._reject(HTTPStatus.BAD_REQUEST, "businessId must be a positive integer")
        if int(raw) != self.business_id:
            raise self._reject(HTTPStatus.FORBIDDEN, f"no access to businessId {raw}")

    # ------------------------------------------------------------ handlers

    def _list_feedbacks(self, request: FakeRequest) -> FakeResponse:
        self._check_business(request)
        limit = self._int_query(request, "limit", FEEDBACK_LIMIT_DEFAULT)
        if not 1 <= limit <= FEEDBACK_LIMIT_MAX:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"limit must be from 1 to {FEEDBACK_LIMIT_MAX}")
        body = self._json_object(request, required=False)
        newest_first = list(reversed(self._feedbacks.oldest_first()))
        ids = body.get("feedbackIds")
        if ids is not None:
            if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids
            ):
                raise self._reject(HTTPStatus.BAD_REQUEST, "feedbackIds must be a list of integers")
            wanted = {str(i) for i in ids}
            return self._ok(
                {"feedbacks": [dict(s.item) for s in newest_first if s.key in wanted], "paging": {}}
            )
        keep = self._feedback_filter(body)
        start = 0
        token = request.arg("pageToken")
        if token:
            after = self._decode_token(token)
            positions = [index for index, stored in enumerate(newest_first) if stored.key == after]
            if not positions:
                raise self._reject(HTTPStatus.BAD_REQUEST, "pageToken is invalid")
            start = positions[0] if self._take_repeat() else positions[0] + 1
        rest = [stored for stored in newest_first[start:] if keep(stored)]
        size = self._page_size(limit)
        page = rest[:size]
        paging = {"nextPageToken": self._encode_token(page[-1].key)} if len(rest) > size and page else {}
        return self._ok({"feedbacks": [dict(stored.item) for stored in page], "paging": paging})

    def _feedback_filter(self, body: dict[str, Any]) -> Callable[[StoredItem], bool]:
        reaction = body.get("reactionStatus") or "ALL"
        if reaction not in ("ALL", "NEED_REACTION"):
            raise self._reject(HTTPStatus.BAD_REQUEST, "reactionStatus must be ALL or NEED_REACTION")
        ratings = body.get("ratingValues")
        offers = body.get("offerIds")
        paid = body.get("paid")
        date_from = self._iso_field(body, "dateTimeFrom")
        date_to = self._iso_field(body, "dateTimeTo")

        def keep(stored: StoredItem) -> bool:
            item = stored.item
            paid_amount = dig(item, "statistics", "paidAmount")
            return (
                (reaction == "ALL" or item.get("needReaction") is True)
                and (not ratings or dig(item, "statistics", "rating") in ratings)
                and (not offers or dig(item, "identifiers", "offerId") in offers)
                and (paid is None or bool(isinstance(paid_amount, int) and paid_amount > 0) == paid)
                and (date_from is None or stored.created > date_from)
                and (date_to is None or stored.created < date_to)
            )

        return keep

    def _update_comment(self, request: FakeRequest) -> FakeResponse:
        self._check_business(request)
        body = self._json_object(request)
        feedback_id, comment = body.get("feedbackId"), body.get("comment")
        if not isinstance(feedback_id, int) or isinstance(feedback_id, bool):
            raise self._reject(HTTPStatus.BAD_REQUEST, "feedbackId is required and must be an integer")
        if (
            not isinstance(comment, dict)
            or not isinstance(comment.get("text"), str)
            or not comment["text"].strip()
        ):
            raise self._reject(HTTPStatus.BAD_REQUEST, "comment.text is required")
        stored = self._feedbacks.get(str(feedback_id))
        if stored is None:
            raise self._reject(HTTPStatus.NOT_FOUND, f"feedback {feedback_id} not found")
        comment_id, parent_id = comment.get("id"), comment.get("parentId")
        previous = self._comments.get(comment_id) if isinstance(comment_id, int) else None
        if comment_id is not None and (previous is None or previous.get("feedbackId") != feedback_id):
            raise self._reject(HTTPStatus.NOT_FOUND, f"comment {comment_id} not found")
        if previous is not None and previous.get("canModify") is not True:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"comment {comment_id} cannot be modified")
        if parent_id is not None and not isinstance(parent_id, int):
            raise self._reject(HTTPStatus.BAD_REQUEST, "comment.parentId must be an integer")
        is_new = comment_id is None
        number = comment_id if isinstance(comment_id, int) else 91_000_000 + len(self._comments) + 1
        verdict = self._judge(comment["text"])
        saved: dict[str, Any] = {
            "id": number,
            "text": comment["text"],
            "canModify": True,
            "author": {"type": "BUSINESS", "name": "Магазин"},
            "status": COMMENT_STATUSES[verdict.state],
            "feedbackId": feedback_id,
        }
        self._record_state(
            str(feedback_id), verdict.state, COMMENT_STATUSES[verdict.state], verdict.reason, comment["text"]
        )
        if parent_id is not None:
            saved["parentId"] = parent_id
        self._comments[number] = saved
        item = dict(stored.item)
        item["needReaction"] = False
        if is_new and parent_id is None and isinstance(item.get("statistics"), dict):
            statistics = dict(item["statistics"])
            count = statistics.get("commentsCount")
            statistics["commentsCount"] = (count if isinstance(count, int) else 0) + 1
            item["statistics"] = statistics
        self._feedbacks.put(stored.key, stored.created, item)
        self._record_answer(request, body)
        return self._ok(dict(saved))

    def _list_comments(self, request: FakeRequest) -> FakeResponse:
        self._check_business(request)
        limit = self._int_query(request, "limit", FEEDBACK_LIMIT_DEFAULT)
        if not 1 <= limit <= FEEDBACK_LIMIT_MAX:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"limit must be from 1 to {FEEDBACK_LIMIT_MAX}")
        body = self._json_object(request)
        feedback_id, comment_ids = body.get("feedbackId"), body.get("commentIds")
        if comment_ids is not None:
            if feedback_id is not None or not isinstance(comment_ids, list) or not comment_ids:
                raise self._reject(HTTPStatus.BAD_REQUEST, "commentIds is a non-empty list, alone")
            chosen = [c for number, c in self._comments.items() if number in comment_ids]
        elif isinstance(feedback_id, int) and not isinstance(feedback_id, bool):
            chosen = [c for c in self._comments.values() if c.get("feedbackId") == feedback_id]
        else:
            raise self._reject(HTTPStatus.BAD_REQUEST, "feedbackId or commentIds is required")
        start = 0
        token = request.arg("pageToken")
        if token:
            after = self._decode_token(token)
            positions = [index for index, c in enumerate(chosen) if str(c["id"]) == after]
            if not positions:
                raise self._reject(HTTPStatus.BAD_REQUEST, "pageToken is invalid")
            start = positions[0] + 1
        rest = chosen[start:]
        size = self._page_size(limit)
        page = rest[:size]
        paging = {"nextPageToken": self._encode_token(str(page[-1]["id"]))} if len(rest) > size else {}
        return self._ok({"comments": [dict(c) for c in page], "paging": paging})

    def _get_chat_message(self, request: FakeRequest) -> FakeResponse:
        self._check_business(request)
        chat_id = self._int_query(request, "chatId", None)
        message_id = self._int_query(request, "messageId", None)
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise self._reject(HTTPStatus.NOT_FOUND, f"message {message_id} not found in chat {chat_id}")
        return self._ok(dict(message))

    def _send_chat_message(self, request: FakeRequest) -> FakeResponse:
        self._check_business(request)
        chat_id = self._int_query(request, "chatId", None)
        body = self._json_object(request)
        text = body.get("message")
        if not isinstance(text, str) or not text.strip():
            raise self._reject(HTTPStatus.BAD_REQUEST, "message is required")
        if chat_id not in self._chats:
            raise self._reject(HTTPStatus.NOT_FOUND, f"chat {chat_id} not found")
        self._record_answer(request, {"chatId": chat_id, **body})
        seq = self._next_seed()
        self._messages[(chat_id, 7_300_000 + seq)] = {
            "messageId": 7_300_000 + seq,
            "createdAt": _ym_time(now_utc()),
            "sender": "PARTNER",
            "message": text,
        }
        return self._ok()

    # ------------------------------------------------------------ parameters

    def _int_query(self, request: FakeRequest, name: str, default: int | None) -> int:
        raw = request.arg(name)
        if raw is None or raw == "":
            if default is None:
                raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} is required")
            return default
        try:
            return int(raw)
        except ValueError:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} must be an integer") from None

    def _iso_field(self, body: dict[str, Any], name: str) -> datetime | None:
        raw = body.get(name)
        if raw is None:
            return None
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} must be an ISO 8601 date-time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=MSK)

    @staticmethod
    def _encode_token(key: str) -> str:
        return base64.urlsafe_b64encode(f"after:{key}".encode()).decode().rstrip("=")

    def _decode_token(self, token: str) -> str:
        try:
            decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise self._reject(HTTPStatus.BAD_REQUEST, "pageToken is invalid") from None
        if not decoded.startswith("after:"):
            raise self._reject(HTTPStatus.BAD_REQUEST, "pageToken is invalid")
        return decoded.removeprefix("after:")
