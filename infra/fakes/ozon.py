"""Fake Ozon Seller API: reviews, questions, review comments, answers, chat messages, and its push sender."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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

REVIEW_LIMIT_MIN = 20
REVIEW_LIMIT_MAX = 100
QUESTION_LIMIT_DEFAULT = 100
QUESTION_LIMIT_MAX = 1000
QUESTION_ANSWER_MIN_CHARS = 2
QUESTION_ANSWER_MAX_CHARS = 3000
CHAT_TEXT_MIN_CHARS = 1
CHAT_TEXT_MAX_CHARS = 1000
COMMENT_LIST_LIMIT_MAX = 100
# gRPC status codes Ozon puts in `code`.
INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAUTHENTICATED, INTERNAL = (
    3,
    5,
    7,
    8,
    16,
    13,
)
_GRPC_CODE: dict[int, int] = {
    HTTPStatus.BAD_REQUEST: INVALID_ARGUMENT,
    HTTPStatus.UNAUTHORIZED: UNAUTHENTICATED,
    HTTPStatus.FORBIDDEN: PERMISSION_DENIED,
    HTTPStatus.NOT_FOUND: NOT_FOUND,
    HTTPStatus.TOO_MANY_REQUESTS: RESOURCE_EXHAUSTED,
}
QUESTION_FILTERS = {
    "ALL": ("NEW", "VIEWED", "PROCESSED"),
    "NEW": ("NEW",),
    "VIEWED": ("VIEWED",),
    "PROCESSED": ("PROCESSED",),
    "UNPROCESSED": ("NEW", "VIEWED"),
}


@dataclass(frozen=True)
class OzonProduct:
    sku: int
    name: str
    slug: str

    @property
    def url(self) -> str:
        return f"https://www.ozon.ru/product/{self.slug}-{self.sku}/"


BLENDER = OzonProduct(1492301877, "Блендер погружной Вихрь 800 Вт", "blender-pogruzhnoy-vihr-800-vt")
BACKPACK = OzonProduct(1188340215, "Рюкзак городской водоотталкивающий 25 л", "ryukzak-gorodskoy-25-l")
SHAMPOO = OzonProduct(
    1710044386, "Шампунь для сухих волос с аргановым маслом, 400 мл", "shampun-argan-400-ml"
)


def _ozon_uuid(kind: str, number: int) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(f"ozon:{kind}:{number}".encode()).digest()[:16], version=4))


def _ozon_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class FakeOzon(FakeMarketplace):
    """POST /v1/review/list, /v1/question/list, /v1/review/comment/create|list|delete,
    /v1/question/answer/create|list|delete, /v1/chat/send/message. Client-Id and Api-Key headers must
    match. Not rate limited unless told to be.

    Comments and answers pass the fake's moderation; as on Ozon, the lists show only published ones.
    """

    platform = "ozon"

    def __init__(
        self,
        client_id: str = "123",
        api_key: str = "ozon-test-key",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        samples: bool = False,
    ) -> None:
        super().__init__(host=host, port=port)
        self.client_id = client_id
        self.api_key = api_key
        self.seller_id: int | str = int(client_id) if client_id.isdigit() else client_id
        self._reviews = ItemStore()
        self._questions = ItemStore()
        self._chats: dict[str, dict[str, Any]] = {}
        # Seller comments on reviews and answers to questions by their id, oldest first, each with the
        # fake moderation's state beside it: only "published" ones are listed.
        self._comments: dict[str, tuple[dict[str, Any], ReplyState]] = {}
        self._question_answers: dict[str, tuple[dict[str, Any], ReplyState]] = {}
        self._reply_seq = 0
        self._route("POST", "/v1/review/list", self._list_reviews)
        self._route("POST", "/v1/review/info", self._review_info)
        self._route("POST", "/v1/review/comment/create", self._create_comment)
        self._route("POST", "/v1/review/comment/list", self._list_comments)
        self._route("POST", "/v1/review/comment/delete", self._delete_comment)
        self._route("POST", "/v1/question/list", self._list_questions)
        self._route("POST", "/v1/question/answer/create", self._create_answer)
        self._route("POST", "/v1/question/answer/list", self._list_answers)
        self._route("POST", "/v1/question/answer/delete", self._delete_answer)
        self._route("POST", "/v1/chat/send/message", self._send_chat_message)
        if samples:
            self.add_sample_data()

    # ------------------------------------------------------------ seeding

    def add_review(
        self,
        text: str = "Всё отлично.",
        *,
        rating: int = 5,
        product: OzonProduct = BLENDER,
        published_at: datetime | None = None,
        processed: bool = False,
        comments: int = 0,
        photos: int = 0,
        videos: int = 0,
        order_status: str = "DELIVERED",
        is_rating_participant: bool = True,
        review_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Seed a review as /v1/review/list serves it; `fields` override or add any field. Returns it."""
        with self._lock:
            seq = self._next_seed()
            published = published_at or seeded_time(seq)
            key = review_id or _ozon_uuid("review", seq)
            item: dict[str, Any] = {
                "id": key,
                "sku": product.sku,
                "text": text,
                "published_at": _ozon_time(published),
                "rating": rating,
                "status": "PROCESSED" if processed else "UNPROCESSED",
                "comments_amount": comments,
                "photos_amount": photos,
                "videos_amount": videos,
                "order_status": order_status,
                "is_rating_participant": is_rating_participant,
            }
            item.update(fields)
            return dict(self._reviews.put(key, published, item).item)

    def add_question(
        self,
        text: str = "Есть ли гарантия?",
        *,
        product: OzonProduct = BLENDER,
        published_at: datetime | None = None,
        status: str = "NEW",
        answers: int = 0,
        author_name: str = "Покупатель",
        question_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Seed a question as /v1/question/list serves it (status NEW, VIEWED or PROCESSED). Returns it."""
        with self._lock:
            seq = self._next_seed()
            published = published_at or seeded_time(seq)
            key = question_id or _ozon_uuid("question", seq)
            item: dict[str, Any] = {
                "id": key,
                "sku": product.sku,
                "text": text,
                "published_at": _ozon_time(published),
                "product_url": product.url,
                "question_link": f"{product.url}questions/?question={key}",
                "status": status,
                "answers_count": answers,
                "author_name": author_name,
            }
            item.update(fields)
            return dict(self._questions.put(key, published, item).item)

    def add_chat(self, chat_id: str | None = None, *, chat_type: str = "Buyer_Seller") -> str:
        """A chat the seller may write to; returns its id."""
        with self._lock:
            key = chat_id or _ozon_uuid("chat", self._next_seed())
            self._chats[key] = {"chat_id": key, "chat_type": chat_type, "messages": []}
            return key

    def add_malformed_review(
        self,
        drop: tuple[str, ...] = ("id",),
        replace: dict[str, Any] | None = None,
        **seed: Any,
    ) -> dict[str, Any]:
        """Seed a review that breaks the contract: by default no `id` and a rating that is a string."""
        with self._lock:
            good = self.add_review(**seed)
            stored = self._reviews.get(good["id"])
            assert stored is not None
            broken = malform(good, drop, {"rating": "пять"} if replace is None else replace)
            self._reviews.put(stored.key, stored.created, broken)
            return dict(broken)

    def review(self, review_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._reviews.get(review_id)
            return None if stored is None else dict(stored.item)

    def question(self, question_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._questions.get(question_id)
            return None if stored is None else dict(stored.item)

    def review_comments(self, review_id: str) -> list[dict[str, Any]]:
        """The seller's comments on a review, whatever their state, oldest first, each with its "state"."""
        with self._lock:
            return [
                {**comment, "state": state}
                for comment, state in self._comments.values()
                if comment["review_id"] == review_id
            ]

    def question_answers(self, question_id: str) -> list[dict[str, Any]]:
        """The seller's answers to a question, whatever their state, oldest first, each with its "state"."""
        with self._lock:
            return [
                {**answer, "state": state}
                for answer, state in self._question_answers.values()
                if answer["question_id"] == question_id
            ]

    def set_reply_state(self, item_id: str, state: ReplyState, reason: str | None = None) -> None:
        """Move the latest comment on a review (or answer to a question) to `state`: published ones are
        listed; pending and rejected ones are not (Ozon lists only what passed its moderation)."""
        wanted = check_reply_state(state)
        with self._lock:
            for replies, key in ((self._comments, "review_id"), (self._question_answers, "question_id")):
                mine = [reply_id for reply_id, (reply, _) in replies.items() if reply[key] == item_id]
                if mine:
                    reply, _ = replies[mine[-1]]
                    replies[mine[-1]] = (reply, wanted)
                    self._record_state(item_id, wanted, _listed(wanted), reason, reply["text"])
                    return
        raise KeyError(f"no comment or answer on {item_id!r}")

    def chat_messages(self, chat_id: str) -> list[dict[str, Any]]:
        """What the seller sent to a chat through the API, oldest first."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return [] if chat is None else [dict(message) for message in chat["messages"]]

    def add_sample_data(self) -> None:
        """Deterministic reviews, questions and two chats with buyers."""
        self.add_review(
            "Блендер сгорел на второй день, запахло горелой проводкой. Деньги на ветер.",
            rating=1,
            photos=1,
        )
        self.add_review("Мощный, измельчает лёд без проблем, насадки удобно меняются. Рекомендую!", rating=5)
        self.add_review(
            "Рюкзак вместительный, но молния заедает уже через месяц, а лямка начала отрываться.",
            rating=2,
            product=BACKPACK,
            videos=1,
        )
        self.add_review(
            "Отличный рюкзак: ноутбук влезает, под дождём ничего не промокло.",
            rating=5,
            product=BACKPACK,
            processed=True,
            comments=1,
        )
        self.add_review("Пахнет приятно, но волосы после него сухие и путаются.", rating=3, product=SHAMPOO)
        self.add_review(
            "Заказ отменили без объяснений, хотя деньги списали сразу.",
            rating=1,
            product=SHAMPOO,
            order_status="CANCELLED",
            is_rating_participant=False,
        )
        self.add_question("Какой объём чаши у блендера и есть ли в комплекте венчик?", author_name="Алексей")
        self.add_question("Поместится ли ноутбук 16 дюймов?", product=BACKPACK, author_name="Виктория")
        self.add_question(
            "Подходит ли шампунь для окрашенных волос?",
            product=SHAMPOO,
            status="PROCESSED",
            answers=1,
            author_name="Елена",
        )
        self.add_chat("b646d975-0c9c-4872-9f41-8b1e57181063")
        self.add_chat("7f1c2a90-5d4e-4b8a-9e61-3c2d0f8a1b55")

    # ------------------------------------------------------------ push notifications (Ozon -> otklik)

    def ping_message(self, time: datetime | None = None) -> dict[str, Any]:
        """TYPE_PING: Ozon checks the endpoint when it is saved and then now and then."""
        return {"message_type": "TYPE_PING", "time": _ozon_time(time or now_utc()).replace(".000Z", "Z")}

    def new_message(
        self,
        chat_id: str,
        message_id: str,
        text: str,
        user_id: str = "115568",
        *,
        user_type: str = "Customer",
        chat_type: str = "Buyer_Seller",
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """TYPE_NEW_MESSAGE: a buyer (or support) wrote in a chat; `data` holds the text (Markdown)."""
        return {
            "message_type": "TYPE_NEW_MESSAGE",
            "chat_id": chat_id,
            "chat_type": chat_type,
            "message_id": str(message_id),
            "created_at": _ozon_time(created_at or now_utc()),
            "user": {"id": str(user_id), "type": user_type},
            "data": [text],
            "seller_id": self.seller_id,
        }

    def update_message(
        self,
        chat_id: str,
        message_id: str,
        text: str,
        user_id: str = "115568",
        *,
        user_type: str = "Customer",
        chat_type: str = "Buyer_Seller",
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> dict[str, Any]:
        """TYPE_UPDATE_MESSAGE: a chat message was edited; same shape as a new one plus `updated_at`."""
        message = self.new_message(
            chat_id,
            message_id,
            text,
            user_id,
            user_type=user_type,
            chat_type=chat_type,
            created_at=created_at,
        )
        message["message_type"] = "TYPE_UPDATE_MESSAGE"
        message["updated_at"] = _ozon_time(updated_at or now_utc())
        return message

    def other_message(self, message_type: str, **fields: Any) -> dict[str, Any]:
        """A push otklik does not ingest (TYPE_NEW_POSTING, TYPE_CHAT_CLOSED...); it must still answer 200."""
        examples: dict[str, dict[str, Any]] = {
            "TYPE_NEW_POSTING": {
                "posting_number": "24319409-0021-1",
                "products": [{"sku": BLENDER.sku, "offer_id": "VIHR-800", "quantity": 1}],
                "in_process_at": _ozon_time(now_utc()),
                "warehouse_id": 12850503335000,
            },
            "TYPE_MESSAGE_READ": {
                "chat_id": "b646d975-0c9c-4872-9f41-8b1e57181063",
                "chat_type": "Buyer_Seller",
                "message_id": "3000000000817031942",
                "created_at": _ozon_time(now_utc()),
                "user": {"id": "115568", "type": "Customer"},
                "last_read_message_id": "3000000000817031942",
            },
            "TYPE_CHAT_CLOSED": {
                "chat_id": "b646d975-0c9c-4872-9f41-8b1e57181063",
                "chat_type": "Buyer_Seller",
                "user": {"id": "115568", "type": "Customer"},
            },
        }
        return {
            "message_type": message_type,
            **examples.get(message_type, {}),
            **fields,
            "seller_id": self.seller_id,
        }

    def push(
        self, url: str, message: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST a push notification to `url` as Ozon does; (status, parsed JSON body)."""
        return post_json(url, message, headers=headers)

    # ------------------------------------------------------------ platform forms

    def _authenticate(self, request: FakeRequest) -> FakeResponse | None:
        client_id, api_key = request.header("Client-Id"), request.header("Api-Key")
        if not client_id or not api_key:
            return self._error(HTTPStatus.UNAUTHORIZED, "Client-Id and Api-Key headers are required")
        if client_id != self.client_id or api_key != self.api_key:
            return self._error(HTTPStatus.FORBIDDEN, "Invalid Api-Key, please contact support")
        return None

    def _error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(
            status, {"code": _GRPC_CODE.get(status, INTERNAL), "message": message, "details": []}
        )

    def _rate_limited(self, retry_after: float, bucket: TokenBucket | None) -> FakeResponse:
        return self._error(HTTPStatus.TOO_MANY_REQUESTS, "You have reached request rate limit per second")

    # ------------------------------------------------------------ handlers

    def _list_reviews(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        limit = body.get("limit")
        if not isinstance(limit, int) or not REVIEW_LIMIT_MIN <= limit <= REVIEW_LIMIT_MAX:
            raise self._reject(
                HTTPStatus.BAD_REQUEST, f"limit is required: from {REVIEW_LIMIT_MIN} to {REVIEW_LIMIT_MAX}"
            )
        status = body.get("status") or "ALL"
        if status not in ("ALL", "PROCESSED", "UNPROCESSED"):
            raise self._reject(HTTPStatus.BAD_REQUEST, "status must be ALL, PROCESSED or UNPROCESSED")
        wanted = ("PROCESSED", "UNPROCESSED") if status == "ALL" else (status,)
        page, has_next = self._cursor_page(
            self._reviews, body, limit, lambda stored: dig(stored.item, "status") in wanted
        )
        return FakeResponse(
            HTTPStatus.OK,
            {
                "reviews": [dict(stored.item) for stored in page],
                "has_next": has_next,
                "last_id": page[-1].key if page else "",
            },
        )

    def _list_questions(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request, required=False)
        limit = body.get("limit", QUESTION_LIMIT_DEFAULT)
        if not isinstance(limit, int) or not 1 <= limit <= QUESTION_LIMIT_MAX:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"limit must be from 1 to {QUESTION_LIMIT_MAX}")
        filters = body.get("filter") or {}
        if not isinstance(filters, dict):
            raise self._reject(HTTPStatus.BAD_REQUEST, "filter must be an object")
        status = filters.get("status") or "ALL"
        if status not in QUESTION_FILTERS:
            raise self._reject(
                HTTPStatus.BAD_REQUEST, f"filter.status must be one of {', '.join(QUESTION_FILTERS)}"
            )
        wanted = QUESTION_FILTERS[status]
        page, has_next = self._cursor_page(
            self._questions, body, limit, lambda stored: dig(stored.item, "status") in wanted
        )
        return FakeResponse(
            HTTPStatus.OK,
            {
                "questions": [dict(stored.item) for stored in page],
                "last_id": page[-1].key if page else "",
                "has_next": has_next,
            },
        )

    def _cursor_page(
        self, store: ItemStore, body: dict[str, Any], limit: int, keep: Callable[[StoredItem], bool]
    ) -> tuple[list[StoredItem], bool]:
        """The page after `last_id` in sort order; a position, so it survives items changing status."""
        sort_dir = body.get("sort_dir") or "DESC"
        if sort_dir not in ("ASC", "DESC"):
            raise self._reject(HTTPStatus.BAD_REQUEST, "sort_dir must be ASC or DESC")
        ordered = store.oldest_first()
        if sort_dir == "DESC":
            ordered.reverse()
        start = 0
        last_id = body.get("last_id") or ""
        if last_id:
            if not isinstance(last_id, str):
                raise self._reject(HTTPStatus.BAD_REQUEST, "last_id must be a string")
            positions = [index for index, stored in enumerate(ordered) if stored.key == last_id]
            if not positions:
                raise self._reject(HTTPStatus.BAD_REQUEST, "last_id is unknown")
            start = positions[0] if self._take_repeat() else positions[0] + 1
        rest = [stored for stored in ordered[start:] if keep(stored)]
        size = self._page_size(limit)
        return rest[:size], len(rest) > size

    def _review_info(self, request: FakeRequest) -> FakeResponse:
        stored = self._review_by_id(self._json_object(request).get("review_id"))
        info = dict(stored.item)
        info.update({"likes_amount": 0, "dislikes_amount": 0, "photos": [], "videos": []})
        return FakeResponse(HTTPStatus.OK, info)

    def _review_by_id(self, review_id: Any) -> StoredItem:
        if not isinstance(review_id, str) or not review_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "review_id is required")
        stored = self._reviews.get(review_id)
        if stored is None:
            raise self._reject(HTTPStatus.NOT_FOUND, "review not found")
        return stored

    def _create_comment(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        stored = self._review_by_id(body.get("review_id"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise self._reject(HTTPStatus.BAD_REQUEST, "text is required")
        mark = body.get("mark_review_as_processed", False)
        if not isinstance(mark, bool):
            raise self._reject(HTTPStatus.BAD_REQUEST, "mark_review_as_processed must be a boolean")
        parent = body.get("parent_comment_id")
        if parent is not None and (not isinstance(parent, str) or parent not in self._comments):
            raise self._reject(HTTPStatus.BAD_REQUEST, "parent_comment_id is unknown")
        item = dict(stored.item)
        comments = item.get("comments_amount")
        item["comments_amount"] = (comments if isinstance(comments, int) else 0) + 1
        if mark:
            item["status"] = "PROCESSED"
        self._reviews.put(stored.key, stored.created, item)
        self._record_answer(request, body)
        comment_id = self._reply_id("comment")
        comment = {
            "id": comment_id,
            "review_id": stored.key,
            "text": text,
            "is_official": True,
            "is_owner": True,
            "parent_comment_id": parent or "",
            "published_at": _ozon_time(now_utc()),
        }
        self._comments[comment_id] = (comment, self._moderate(stored.key, text))
        return FakeResponse(HTTPStatus.OK, {"comment_id": comment_id})

    def _reply_id(self, kind: str) -> str:
        self._reply_seq += 1
        return _ozon_uuid(kind, self._reply_seq)

    def _moderate(self, item_id: str, text: str) -> ReplyState:
        verdict = self._judge(text)
        self._record_state(item_id, verdict.state, _listed(verdict.state), verdict.reason, text)
        return verdict.state

    def _list_comments(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        stored = self._review_by_id(body.get("review_id"))
        limit, offset = body.get("limit", COMMENT_LIST_LIMIT_MAX), body.get("offset", 0)
        if not isinstance(limit, int) or not 1 <= limit <= COMMENT_LIST_LIMIT_MAX:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"limit must be from 1 to {COMMENT_LIST_LIMIT_MAX}")
        if not isinstance(offset, int) or offset < 0:
            raise self._reject(HTTPStatus.BAD_REQUEST, "offset must be a non-negative integer")
        sort_dir = body.get("sort_dir") or "ASC"
        if sort_dir not in ("ASC", "DESC"):
            raise self._reject(HTTPStatus.BAD_REQUEST, "sort_dir must be ASC or DESC")
        shown = [
            dict(comment)
            for comment, state in self._comments.values()
            if comment["review_id"] == stored.key and state == "published"
        ]
        if sort_dir == "DESC":
            shown.reverse()
        page = [{k: v for k, v in comment.items() if k != "review_id"} for comment in shown]
        page = page[offset : offset + self._page_size(limit)]
        return FakeResponse(HTTPStatus.OK, {"comments": page, "offset": offset + len(page)})

    def _delete_comment(self, request: FakeRequest) -> FakeResponse:
        comment_id = self._json_object(request).get("comment_id")
        if not isinstance(comment_id, str) or not comment_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "comment_id is required")
        if comment_id not in self._comments:
            raise self._reject(HTTPStatus.NOT_FOUND, "comment not found")
        comment, _ = self._comments.pop(comment_id)
        stored = self._reviews.get(comment["review_id"])
        if stored is not None:
            comments = stored.item.get("comments_amount")
            if isinstance(comments, int) and comments > 0:
                self._reviews.put(
                    stored.key, stored.created, {**stored.item, "comments_amount": comments - 1}
                )
        self._record_state(comment["review_id"], "deleted", "deleted", None, comment["text"])
        return FakeResponse(HTTPStatus.OK, {"result": "ok"})

    def _create_answer(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        question_id, sku, text = body.get("question_id"), body.get("sku"), body.get("text")
        if not isinstance(question_id, str) or not question_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "question_id is required")
        if not isinstance(sku, int) or isinstance(sku, bool):
            raise self._reject(HTTPStatus.BAD_REQUEST, "sku is required and must be an integer")
        if (
            not isinstance(text, str)
            or not QUESTION_ANSWER_MIN_CHARS <= len(text) <= QUESTION_ANSWER_MAX_CHARS
        ):
            raise self._reject(
                HTTPStatus.BAD_REQUEST,
                f"text must be {QUESTION_ANSWER_MIN_CHARS} to {QUESTION_ANSWER_MAX_CHARS} characters long",
            )
        stored = self._questions.get(question_id)
        if stored is None:
            raise self._reject(HTTPStatus.NOT_FOUND, "question not found")
        if dig(stored.item, "sku") != sku:
            raise self._reject(HTTPStatus.BAD_REQUEST, "sku does not match the question")
        item = dict(stored.item)
        answers = item.get("answers_count")
        item["answers_count"] = (answers if isinstance(answers, int) else 0) + 1
        item["status"] = "PROCESSED"
        self._questions.put(stored.key, stored.created, item)
        self._record_answer(request, body)
        answer_id = self._reply_id("answer")
        answer = {
            "id": answer_id,
            "question_id": stored.key,
            "sku": sku,
            "text": text,
            "author_name": "Продавец",
            "published_at": _ozon_time(now_utc()),
        }
        self._question_answers[answer_id] = (answer, self._moderate(stored.key, text))
        return FakeResponse(HTTPStatus.OK, {"answer_id": answer_id})

    def _list_answers(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        question_id, sku = body.get("question_id"), body.get("sku")
        if not isinstance(question_id, str) or not question_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "question_id is required")
        if not isinstance(sku, int) or isinstance(sku, bool):
            raise self._reject(HTTPStatus.BAD_REQUEST, "sku is required and must be an integer")
        stored = self._questions.get(question_id)
        if stored is None:
            raise self._reject(HTTPStatus.NOT_FOUND, "question not found")
        shown = [
            dict(answer)
            for answer, state in self._question_answers.values()
            if answer["question_id"] == question_id and state == "published"
        ]
        last_id = body.get("last_id") or ""
        if last_id:
            ids = [answer["id"] for answer in shown]
            if last_id not in ids:
                raise self._reject(HTTPStatus.BAD_REQUEST, "last_id is unknown")
            shown = shown[ids.index(last_id) + 1 :]
        page = shown[: self._page_size(len(shown))]
        return FakeResponse(HTTPStatus.OK, {"answers": page, "last_id": page[-1]["id"] if page else ""})

    def _delete_answer(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        answer_id, sku = body.get("answer_id"), body.get("sku")
        if not isinstance(answer_id, str) or not answer_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "answer_id is required")
        if not isinstance(sku, int) or isinstance(sku, bool):
            raise self._reject(HTTPStatus.BAD_REQUEST, "sku is required and must be an integer")
        found = self._question_answers.get(answer_id)
        if found is None or found[0]["sku"] != sku:
            raise self._reject(HTTPStatus.NOT_FOUND, "answer not found")
        answer, _ = self._question_answers.pop(answer_id)
        stored = self._questions.get(answer["question_id"])
        if stored is not None:
            count = stored.item.get("answers_count")
            if isinstance(count, int) and count > 0:
                self._questions.put(stored.key, stored.created, {**stored.item, "answers_count": count - 1})
        self._record_state(answer["question_id"], "deleted", "deleted", None, answer["text"])
        return FakeResponse(HTTPStatus.OK, {})

    def _send_chat_message(self, request: FakeRequest) -> FakeResponse:
        body = self._json_object(request)
        chat_id, text = body.get("chat_id"), body.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "chat_id is required")
        if not isinstance(text, str) or not CHAT_TEXT_MIN_CHARS <= len(text) <= CHAT_TEXT_MAX_CHARS:
            raise self._reject(
                HTTPStatus.BAD_REQUEST,
                f"text must be {CHAT_TEXT_MIN_CHARS} to {CHAT_TEXT_MAX_CHARS} characters long",
            )
        chat = self._chats.get(chat_id)
        if chat is None:
            raise self._reject(HTTPStatus.NOT_FOUND, "chat not found")
        chat["messages"].append({"text": text, "created_at": _ozon_time(now_utc())})
        self._record_answer(request, body)
        return FakeResponse(HTTPStatus.OK, {"result": "success"})


def _listed(state: ReplyState) -> str:
    """How Ozon shows a reply in that state: listed, or left out of the comment and answer lists."""
    return "listed" if state == "published" else "not listed"
