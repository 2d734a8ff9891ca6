"""Fake Wildberries feedbacks API (feedbacks-api.wildberries.ru): feedbacks, questions, answers, limits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from infra.fakes.server import (
    FakeMarketplace,
    FakeRequest,
    FakeResponse,
    ItemStore,
    Reject,
    ReplyState,
    StoredItem,
    TokenBucket,
    check_reply_state,
    dig,
    malform,
    now_utc,
    retry_seconds,
    seeded_time,
)

MSK = timezone(timedelta(hours=3))
FEEDBACK_TAKE_MAX = 5000
FEEDBACK_SKIP_MAX = 199_990
QUESTION_WINDOW_MAX = 10_000  # take + skip for questions
ANSWER_MIN_CHARS = 2
ANSWER_MAX_CHARS = 5000
# "Вопросы и отзывы": 3 requests per second per seller account, bursts of up to 6.
DEFAULT_PER_SECOND = 3.0
DEFAULT_BURST = 6
PHOTO_HOST = "https://feedback04.wbbasket.ru"
_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# A reply's moderation state as WB's answer.state says it.
ANSWER_STATES: dict[ReplyState, str] = {
    "published": "wbRu",
    "pending": "reviewRequired",
    "rejected": "rejected",
}


@dataclass(frozen=True)
class WbProduct:
    nm_id: int
    imt_id: int
    name: str
    supplier_article: str
    brand: str
    subject_id: int
    subject_name: str
    size: str = "0"
    color: str = ""
    supplier: str = "ООО «Северная лавка»"

    def details(self) -> dict[str, Any]:
        return {
            "imtId": self.imt_id,
            "nmId": self.nm_id,
            "productName": self.name,
            "supplierArticle": self.supplier_article,
            "supplierName": self.supplier,
            "brandName": self.brand,
            "size": self.size,
        }


KETTLE = WbProduct(
    145632871,
    128943201,
    "Чайник электрический Смарт 1,7 л",
    "KT-17-WH",
    "Домотека",
    2188,
    "Чайники",
    "0",
    "белый",
)
T_SHIRT = WbProduct(
    201457733,
    183320117,
    "Футболка хлопковая базовая",
    "TS-BASE-M",
    "Северный лён",
    192,
    "Футболки",
    "M",
    "серый",
)
HEADPHONES = WbProduct(
    176009342, 159002871, "Наушники беспроводные Звук Про", "HP-PRO-2", "Звук", 516, "Наушники", "0", "чёрный"
)
CAT_FOOD = WbProduct(
    98123455,
    87711203,
    "Корм сухой для кошек с индейкой, 2 кг",
    "CF-TRK-2",
    "Мурлыка",
    3071,
    "Корма для кошек",
)


def _wb_id(kind: str, number: int) -> str:
    """A 20-character id like WB's (YX52RZEBhH9mrcYdEJuD), the same for the same kind and number."""
    digest = hashlib.sha256(f"wb:{kind}:{number}".encode()).digest()
    return "".join(_ID_ALPHABET[byte % len(_ID_ALPHABET)] for byte in digest[:20])


def _wb_time(moment: datetime) -> str:
    return moment.astimezone(MSK).isoformat(timespec="seconds")


class FakeWildberries(FakeMarketplace):
    """GET /api/v1/feedbacks and /api/v1/questions; POST and PATCH /api/v1/feedbacks/answer;
    PATCH /api/v1/questions.

    Authorization header must equal `token`. Rate limited like WB by default (3/s, burst 6). Answers
    pass the fake's moderation (answer.state wbRu, reviewRequired or rejected); an answer to a review
    may be edited once.
    """

    platform = "wildberries"

    def __init__(
        self,
        token: str = "wb-test-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        samples: bool = False,
        validate_answer_ids: bool = True,
    ) -> None:
        super().__init__(host=host, port=port)
        self.token = token
        # WB itself answers 204 to an answer for an id it does not know; the fake says 404 unless told not to.
        self.validate_answer_ids = validate_answer_ids
        self._feedbacks = ItemStore()
        self._questions = ItemStore()
        self.rate_limit(DEFAULT_PER_SECOND, DEFAULT_BURST)
        self._route("GET", "/ping", self._ping)
        self._route("GET", "/api/v1/feedbacks", self._list_feedbacks)
        self._route("GET", "/api/v1/feedback", self._get_feedback)
        self._route("POST", "/api/v1/feedbacks/answer", self._answer_feedback)
        self._route("PATCH", "/api/v1/feedbacks/answer", self._edit_feedback_answer)
        self._route("GET", "/api/v1/questions", self._list_questions)
        self._route("GET", "/api/v1/question", self._get_question)
        self._route("PATCH", "/api/v1/questions", self._patch_question)
        if samples:
            self.add_sample_data()

    # ------------------------------------------------------------ seeding

    def add_feedback(
        self,
        text: str = "Всё хорошо, спасибо.",
        *,
        rating: int = 5,
        pros: str = "",
        cons: str = "",
        product: WbProduct = KETTLE,
        created_at: datetime | None = None,
        answer: str | None = None,
        user_name: str = "Покупатель",
        photos: int = 0,
        video: bool = False,
        was_viewed: bool = False,
        matching_size: str = "",
        feedback_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Seed a feedback as WB serves it; `fields` override or add any top-level field. Returns it."""
        with self._lock:
            seq = self._next_seed()
            created = created_at or seeded_time(seq)
            key = feedback_id or _wb_id("feedback", seq)
            item: dict[str, Any] = {
                "id": key,
                "text": text,
                "pros": pros,
                "cons": cons,
                "productValuation": rating,
                "createdDate": _wb_time(created),
                "answer": None if answer is None else {"text": answer, "state": "wbRu", "editable": False},
                "state": "wbRu" if answer is not None else "none",
                "productDetails": product.details(),
                "photoLinks": [
                    {
                        "fullSize": f"{PHOTO_HOST}/vol{1300 + n}/part{seq}/{key}/photos/fs.webp",
                        "miniSize": f"{PHOTO_HOST}/vol{1300 + n}/part{seq}/{key}/photos/ms.webp",
                    }
                    for n in range(photos)
                ],
                "video": (
                    {
                        "previewImage": f"https://videofeedback01.wbbasket.ru/{key}/preview.webp",
                        "link": f"https://videofeedback01.wbbasket.ru/{key}/index.m3u8",
                        "durationSec": 12,
                    }
                    if video
                    else None
                ),
                "wasViewed": was_viewed,
                "userName": user_name,
                "matchingSize": matching_size,
                "isAbleSupplierFeedbackValuation": True,
                "supplierFeedbackValuation": 0,
                "isAbleSupplierProductValuation": True,
                "supplierProductValuation": 0,
                "isAbleReturnProductOrders": False,
                "returnProductOrdersDate": None,
                "bables": [],
                "lastOrderShkId": 20_000_000_000 + seq,
                "lastOrderCreatedAt": _wb_time(created - timedelta(days=6)),
                "color": product.color,
                "subjectId": product.subject_id,
                "subjectName": product.subject_name,
                "parentFeedbackId": None,
                "childFeedbackId": None,
            }
            item.update(fields)
            return dict(self._feedbacks.put(key, created, item).item)

    def add_question(
        self,
        text: str = "Подскажите, пожалуйста, есть ли в наличии?",
        *,
        product: WbProduct = KETTLE,
        created_at: datetime | None = None,
        answer: str | None = None,
        was_viewed: bool = False,
        is_warned: bool = False,
        question_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Seed a question as WB serves it; `fields` override or add any top-level field. Returns it."""
        with self._lock:
            seq = self._next_seed()
            created = created_at or seeded_time(seq)
            key = question_id or _wb_id("question", seq)
            item: dict[str, Any] = {
                "id": key,
                "text": text,
                "createdDate": _wb_time(created),
                "state": "wbRu" if answer is not None else "suppliersPortalSynch",
                "answer": (
                    None
                    if answer is None
                    else {
                        "text": answer,
                        "editable": True,
                        "createDate": _wb_time(created + timedelta(hours=2)),
                    }
                ),
                "productDetails": product.details(),
                "wasViewed": was_viewed,
                "isWarned": is_warned,
            }
            item.update(fields)
            return dict(self._questions.put(key, created, item).item)

    def add_malformed_feedback(
        self,
        drop: tuple[str, ...] = ("id",),
        replace: dict[str, Any] | None = None,
        **seed: Any,
    ) -> dict[str, Any]:
        """Seed a feedback that breaks the contract: by default no `id` and a rating that is a string."""
        with self._lock:
            good = self.add_feedback(**seed)
            key = good["id"]
            stored = self._feedbacks.get(key)
            assert stored is not None
            broken = malform(good, drop, {"productValuation": "пять"} if replace is None else replace)
            self._feedbacks.put(key, stored.created, broken)
            return dict(broken)

    def feedback(self, feedback_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._feedbacks.get(feedback_id)
            return None if stored is None else dict(stored.item)

    def question(self, question_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._questions.get(question_id)
            return None if stored is None else dict(stored.item)

    def set_reply_state(self, item_id: str, state: ReplyState, reason: str | None = None) -> None:
        """Move the answer on a feedback or question to `state` (published, pending or rejected), as
        WB's moderation would later; answer.state becomes wbRu, reviewRequired or rejected."""
        wanted = check_reply_state(state)
        with self._lock:
            for store in (self._feedbacks, self._questions):
                stored = store.get(item_id)
                answer = None if stored is None else stored.item.get("answer")
                if stored is not None and isinstance(answer, dict):
                    store.put(
                        stored.key,
                        stored.created,
                        {**stored.item, "answer": {**answer, "state": ANSWER_STATES[wanted]}},
                    )
                    self._record_state(item_id, wanted, ANSWER_STATES[wanted], reason, answer.get("text"))
                    return
        raise KeyError(f"no answered feedback or question {item_id!r}")

    def add_sample_data(self) -> None:
        """Deterministic feedbacks and questions: complaints, praise, a mixed review, answered ones."""
        self.add_feedback(
            "Чайник начал подтекать через неделю, вода капает из-под крышки. Пластик сильно пахнет.",
            rating=1,
            cons="Подтекает, запах пластика",
            user_name="Ольга",
            photos=2,
        )
        self.add_feedback(
            "Отличный чайник, закипает быстро и почти бесшумно. Доставили на день раньше!",
            rating=5,
            pros="Быстро закипает, тихий",
            cons="Нет",
            user_name="Дмитрий",
        )
        self.add_feedback(
            "После первой же стирки футболка села на размер и перекосилась по шву.",
            rating=2,
            cons="Садится после стирки",
            product=T_SHIRT,
            matching_size="smaller",
            user_name="Ирина",
        )
        self.add_feedback(
            "Ткань плотная и приятная к телу, размер в размер. Возьму ещё пару цветов.",
            rating=5,
            pros="Плотный хлопок",
            product=T_SHIRT,
            matching_size="ok",
            user_name="Марина",
            photos=1,
        )
        self.add_feedback(
            "За свои деньги нормально, но левый наушник иногда отключается, а кейс быстро царапается.",
            rating=3,
            pros="Звук неплохой",
            cons="Отваливается левый наушник",
            product=HEADPHONES,
            user_name="Артём",
        )
        self.add_feedback(
            "Пришла пустая коробка, наушников внутри нет! Пишу в поддержку третий день, никто не отвечает.",
            rating=1,
            product=HEADPHONES,
            user_name="Сергей",
            video=True,
        )
        self.add_feedback(
            "Кошка ест с удовольствием, упаковка целая, срок годности большой.",
            rating=4,
            pros="Кошке нравится",
            product=CAT_FOOD,
            answer="Спасибо за отзыв! Рады, что корм понравился вашей кошке.",
            user_name="Наталья",
            was_viewed=True,
        )
        self.add_question("Подскажите, у чайника есть функция поддержания температуры?")
        self.add_question("Какой состав ткани? Есть ли в футболке синтетика?", product=T_SHIRT)
        self.add_question(
            "Наушники подойдут к айфону? Есть ли шумоподавление?",
            product=HEADPHONES,
            answer="Да, наушники работают с iOS и Android. Активного шумоподавления нет.",
            was_viewed=True,
        )
        self.add_question("Корм подходит стерилизованным кошкам?", product=CAT_FOOD)

    # ------------------------------------------------------------ platform forms

    def _authenticate(self, request: FakeRequest) -> FakeResponse | None:
        if request.header("Authorization") == self.token:
            return None
        return self._problem(
            HTTPStatus.UNAUTHORIZED, "unauthorized", "token problem; token is missing or invalid"
        )

    def _error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(
            status,
            {
                "data": None,
                "error": True,
                "errorText": message,
                "additionalErrors": None,
                "requestId": secrets.token_hex(16),
            },
        )

    def _problem(self, status: int, title: str, detail: str) -> FakeResponse:
        return FakeResponse(
            status,
            {
                "title": title,
                "detail": detail,
                "code": secrets.token_hex(8),
                "requestId": secrets.token_hex(16),
                "origin": "s2s-api-auth-feedbacks",
                "status": int(status),
                "statusText": HTTPStatus(status).phrase,
                "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            content_type="application/problem+json",
        )

    def _bad_request(self, detail: str) -> Reject:
        """The answer endpoints' 400 comes in WB's standardized form, not the feedbacks one."""
        return Reject(
            FakeResponse(
                HTTPStatus.BAD_REQUEST,
                {
                    "title": "Bad Request",
                    "detail": detail,
                    "requestId": secrets.token_hex(16),
                    "origin": "feedbacks-api",
                },
            )
        )

    def _rate_limited(self, retry_after: float, bucket: TokenBucket | None) -> FakeResponse:
        response = self._problem(
            HTTPStatus.TOO_MANY_REQUESTS, "too many requests", "limited by the seller quota"
        )
        response.headers.update(
            {
                "X-Ratelimit-Retry": str(retry_seconds(retry_after)),
                "X-Ratelimit-Limit": str(bucket.burst if bucket else DEFAULT_BURST),
                "X-Ratelimit-Reset": str(
                    retry_seconds(bucket.seconds_until_full() if bucket else retry_after)
                ),
            }
        )
        return response

    def _decorate(self, response: FakeResponse, bucket: TokenBucket | None) -> None:
        if bucket is not None:
            response.headers["X-Ratelimit-Remaining"] = str(bucket.remaining())

    # ------------------------------------------------------------ handlers

    def _ping(self, _request: FakeRequest) -> FakeResponse:
        return FakeResponse(HTTPStatus.OK, {"TS": _wb_time(now_utc()), "Status": "OK"})

    def _list_feedbacks(self, request: FakeRequest) -> FakeResponse:
        take = self._int_arg(request, "take", minimum=1, maximum=FEEDBACK_TAKE_MAX)
        skip = self._int_arg(request, "skip", minimum=0, maximum=FEEDBACK_SKIP_MAX)
        return self._list(request, self._feedbacks, "feedbacks", take, skip)

    def _list_questions(self, request: FakeRequest) -> FakeResponse:
        take = self._int_arg(request, "take", minimum=1, maximum=QUESTION_WINDOW_MAX)
        skip = self._int_arg(request, "skip", minimum=0, maximum=QUESTION_WINDOW_MAX)
        if take + skip > QUESTION_WINDOW_MAX:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"take + skip must not exceed {QUESTION_WINDOW_MAX}")
        return self._list(request, self._questions, "questions", take, skip)

    def _list(self, request: FakeRequest, store: ItemStore, field: str, take: int, skip: int) -> FakeResponse:
        answered = self._bool_arg(request, "isAnswered")
        order = request.arg("order") or "dateDesc"
        if order not in ("dateAsc", "dateDesc"):
            raise self._reject(HTTPStatus.BAD_REQUEST, "order must be dateAsc or dateDesc")
        date_from = self._optional_int_arg(request, "dateFrom")
        date_to = self._optional_int_arg(request, "dateTo")
        nm_id = self._optional_int_arg(request, "nmId")
        everything = store.oldest_first()
        chosen = [
            stored
            for stored in everything
            if _is_answered(stored) == answered
            and (date_from is None or stored.created.timestamp() >= date_from)
            and (date_to is None or stored.created.timestamp() <= date_to)
            and (nm_id is None or dig(stored.item, "productDetails", "nmId") == nm_id)
        ]
        if order == "dateDesc":
            chosen.reverse()
        if skip > 0 and self._take_repeat():
            skip -= 1
        page = chosen[skip : skip + self._page_size(take)]
        unanswered = sum(1 for stored in everything if not _is_answered(stored))
        return FakeResponse(
            HTTPStatus.OK,
            {
                "data": {
                    "countUnanswered": unanswered,
                    "countArchive": len(everything) - unanswered,
                    field: [dict(stored.item) for stored in page],
                },
                "error": False,
                "errorText": "",
                "additionalErrors": None,
            },
        )

    def _get_feedback(self, request: FakeRequest) -> FakeResponse:
        return self._get_one(request, self._feedbacks, "отзыв не найден")

    def _get_question(self, request: FakeRequest) -> FakeResponse:
        return self._get_one(request, self._questions, "вопрос не найден")

    def _get_one(self, request: FakeRequest, store: ItemStore, missing: str) -> FakeResponse:
        item_id = request.arg("id")
        if not item_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "id is required")
        stored = store.get(item_id)
        if stored is None:
            raise self._reject(HTTPStatus.NOT_FOUND, missing)
        return FakeResponse(
            HTTPStatus.OK,
            {"data": dict(stored.item), "error": False, "errorText": "", "additionalErrors": None},
        )

    def _answer_feedback(self, request: FakeRequest) -> FakeResponse:
        body, stored, text = self._feedback_answer_request(request)
        if stored is not None:
            self._set_feedback_answer(stored, text, editable=True)
        self._record_answer(request, body)
        return FakeResponse(HTTPStatus.NO_CONTENT)

    def _edit_feedback_answer(self, request: FakeRequest) -> FakeResponse:
        body, stored, text = self._feedback_answer_request(request)
        if stored is not None:
            answer = stored.item.get("answer")
            if answer is None:
                raise self._reject(HTTPStatus.BAD_REQUEST, "на отзыв ещё нет ответа")
            # WB lets an answer be edited once (within 60 days): answer.editable says whether it still may.
            if not (isinstance(answer, dict) and answer.get("editable") is True):
                raise self._bad_request("ответ на отзыв можно отредактировать только один раз")
            self._set_feedback_answer(stored, text, editable=False)
        self._record_answer(request, body)
        return FakeResponse(HTTPStatus.NO_CONTENT)

    def _feedback_answer_request(self, request: FakeRequest) -> tuple[dict[str, Any], StoredItem | None, str]:
        self._require_json_content(request)
        body = self._json_object(request)
        feedback_id, text = body.get("id"), body.get("text")
        if not isinstance(feedback_id, str) or not feedback_id:
            raise self._bad_request("id is required and must be a string")
        if not isinstance(text, str):
            raise self._bad_request("text is required and must be a string")
        if not ANSWER_MIN_CHARS <= len(text) <= ANSWER_MAX_CHARS:
            raise self._bad_request(f"text must be {ANSWER_MIN_CHARS} to {ANSWER_MAX_CHARS} characters long")
        stored = self._feedbacks.get(feedback_id)
        if stored is None and self.validate_answer_ids:
            raise self._reject(HTTPStatus.NOT_FOUND, "отзыв не найден")
        return body, stored, text

    def _set_feedback_answer(self, stored: StoredItem, text: str, *, editable: bool) -> None:
        verdict = self._judge(text)
        item = dict(stored.item)
        item["answer"] = {"text": text, "state": ANSWER_STATES[verdict.state], "editable": editable}
        self._record_state(stored.key, verdict.state, ANSWER_STATES[verdict.state], verdict.reason, text)
        item["state"] = "wbRu"
        item["wasViewed"] = True
        self._feedbacks.put(stored.key, stored.created, item)

    def _patch_question(self, request: FakeRequest) -> FakeResponse:
        self._require_json_content(request)
        body = self._json_object(request)
        question_id = body.get("id")
        if not isinstance(question_id, str) or not question_id:
            raise self._reject(HTTPStatus.BAD_REQUEST, "id is required and must be a string")
        stored = self._questions.get(question_id)
        if stored is None:
            raise self._reject(HTTPStatus.NOT_FOUND, "вопрос не найден")
        item = dict(stored.item)
        if "answer" in body or "state" in body:
            answer, state = body.get("answer"), body.get("state")
            text = answer.get("text") if isinstance(answer, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise self._reject(HTTPStatus.BAD_REQUEST, "answer.text is required")
            if state not in ("wbRu", "none"):
                raise self._reject(HTTPStatus.BAD_REQUEST, "state must be wbRu (answer) or none (reject)")
            previous = item.get("answer")
            created = previous.get("createDate") if isinstance(previous, dict) else None
            item["answer"] = {"text": text, "editable": True, "createDate": created or _wb_time(now_utc())}
            if state == "wbRu":
                # WB documents no answer.state on questions (an answer is shown); the fake adds it only
                # where its moderation held the answer back, in the reviews' words.
                verdict = self._judge(text)
                if verdict.state != "published":
                    item["answer"]["state"] = ANSWER_STATES[verdict.state]
                self._record_state(
                    stored.key, verdict.state, ANSWER_STATES[verdict.state], verdict.reason, text
                )
            item["state"] = state
            item["wasViewed"] = True
            self._record_answer(request, body)
        elif "wasViewed" in body:
            if not isinstance(body["wasViewed"], bool):
                raise self._reject(HTTPStatus.BAD_REQUEST, "wasViewed must be a boolean")
            item["wasViewed"] = body["wasViewed"]
        else:
            raise self._reject(HTTPStatus.BAD_REQUEST, "expected wasViewed, or answer and state")
        self._questions.put(stored.key, stored.created, item)
        return FakeResponse(
            HTTPStatus.OK, {"data": None, "error": False, "errorText": "", "additionalErrors": None}
        )

    # ------------------------------------------------------------ parameters

    def _require_json_content(self, request: FakeRequest) -> None:
        content_type = (request.header("Content-Type") or "").lower()
        if "application/json" not in content_type:
            raise self._bad_request("Content-Type header must be application/json")

    def _bool_arg(self, request: FakeRequest, name: str) -> bool:
        value = request.arg(name)
        if value not in ("true", "false"):
            raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} is required: true or false")
        return value == "true"

    def _int_arg(self, request: FakeRequest, name: str, *, minimum: int, maximum: int) -> int:
        value = self._optional_int_arg(request, name)
        if value is None:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} is required")
        if not minimum <= value <= maximum:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} must be between {minimum} and {maximum}")
        return value

    def _optional_int_arg(self, request: FakeRequest, name: str) -> int | None:
        value = request.arg(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise self._reject(HTTPStatus.BAD_REQUEST, f"{name} must be an integer") from None


def _is_answered(stored: StoredItem) -> bool:
    return stored.item.get("answer") is not None
