"""Each connector reads back what its platform's moderation made of a reply, and replaces a refused one,
against the fake platform over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket
from otklik.adapters.http import HttpClient
from otklik.adapters.marketplaces.ozon import OzonConnector
from otklik.adapters.marketplaces.wildberries import WildberriesConnector
from otklik.adapters.marketplaces.yandex_market import YandexMarketConnector
from otklik.domain.marketplaces.models import ApprovedReply, Connection, PermanentRejection
from otklik.domain.models import FeedbackKind

FIRST = "Напишите нам в телеграм, разберёмся."
CORRECTED = "Спасибо за отзыв! Заменим товар бесплатно."


class NoWait:
    def acquire(self) -> float:
        return 0.0


def _http() -> HttpClient:
    return HttpClient(timeout_seconds=5.0, sleep=lambda _seconds: None)


def _connection(marketplace: str, **settings: str) -> Connection:
    return Connection.model_validate(
        {"name": "shop", "marketplace": marketplace, "credentials": {}, "settings": settings}
    )


def reply(
    marketplace: str,
    kind: FeedbackKind,
    external_id: str,
    text: str = FIRST,
    reply_context: dict[str, str] | None = None,
) -> ApprovedReply:
    return ApprovedReply.model_validate(
        {
            "reply_id": "rp_1",
            "ticket_id": "tk_1",
            "feedback_id": "fb_1",
            "marketplace": marketplace,
            "connection": "shop",
            "kind": kind,
            "external_id": external_id,
            "reply_context": reply_context or {},
            "text": text,
            "approved_by": "anna",
            "approved_at": datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        }
    )


# ---------------------------------------------------------------- Wildberries


@pytest.fixture
def wb() -> Iterator[FakeWildberries]:
    with FakeWildberries() as fake:
        fake.no_rate_limit()
        yield fake


def wb_connector(fake: FakeWildberries) -> WildberriesConnector:
    return WildberriesConnector(_http(), fake.url, fake.token, _connection("wildberries"), NoWait())


def test_wb_a_published_answer_reads_back_shown_and_editable(wb: FakeWildberries) -> None:
    # Given an answer WB took without objection
    review = reply("wildberries", "review", wb.add_feedback("Протекает", rating=1)["id"], CORRECTED)
    connector = wb_connector(wb)
    connector.publish(review)
    # When it is read back on a later poll
    read = connector.read_back(review, None)
    # Then buyers see it, and it may still be edited
    assert (read.state, read.text, read.can_edit, read.reason) == ("published", CORRECTED, True, None)


def test_wb_a_pending_answer_reads_back_pending_until_wb_shows_it(wb: FakeWildberries) -> None:
    # Given an answer WB holds for review
    review = reply("wildberries", "review", wb.add_feedback()["id"])
    connector = wb_connector(wb)
    wb.moderate_next_reply("pending")
    connector.publish(review)
    # When it is read back, before and after WB's check
    before = connector.read_back(review, None)
    wb.set_reply_state(review.external_id, "published")
    after = connector.read_back(review, None)
    # Then it is pending, then published
    assert (before.state, before.reason) == ("pending", "Wildberries answer.state reviewRequired")
    assert after.state == "published"


def test_wb_a_rejected_answer_reads_back_rejected_with_a_reason(wb: FakeWildberries) -> None:
    # Given WB's moderation refuses contacts in answers
    review = reply("wildberries", "review", wb.add_feedback()["id"])
    wb.reject_replies_containing("телеграм", reason="контакты в ответе")
    connector = wb_connector(wb)
    connector.publish(review)
    # When it is read back
    read = connector.read_back(review, None)
    # Then it is rejected, in WB's terms
    assert (read.state, read.reason, read.text) == ("rejected", "Wildberries answer.state rejected", FIRST)


def test_wb_an_answer_to_an_unknown_id_is_taken_silently_and_reads_back_missing() -> None:
    # Given WB's own leniency about review ids
    with FakeWildberries(validate_answer_ids=False) as fake:
        fake.no_rate_limit()
        connector = wb_connector(fake)
        review = reply("wildberries", "review", "no-such-review", CORRECTED)
        # When an answer to an id WB does not know is published and read back
        connector.publish(review)
        read = connector.read_back(review, None)
    # Then WB took it, yet nothing is shown
    assert len(fake.answers) == 1
    assert read.state == "missing"


def test_wb_replace_after_a_rejection_edits_the_answer_once_and_a_second_edit_is_refused(
    wb: FakeWildberries,
) -> None:
    # Given a rejected answer
    feedback_id = wb.add_feedback()["id"]
    connector = wb_connector(wb)
    wb.moderate_next_reply("rejected")
    connector.publish(reply("wildberries", "review", feedback_id))
    # When a corrected answer replaces it
    corrected = reply("wildberries", "review", feedback_id, CORRECTED)
    replaced = connector.replace(corrected, None)
    read = connector.read_back(corrected, None)
    # Then WB got one edit, shows the new text, and allows no further edit
    assert replaced.text == CORRECTED
    assert [(a["method"], a["body"]["text"]) for a in wb.answers] == [("POST", FIRST), ("PATCH", CORRECTED)]
    assert (read.state, read.text, read.can_edit) == ("published", CORRECTED, False)
    # And a second edit is WB's refusal, sent and recorded nowhere else
    with pytest.raises(PermanentRejection) as refused:
        connector.replace(reply("wildberries", "review", feedback_id, "Третья версия ответа."), None)
    assert refused.value.status == 400
    assert len(wb.answers) == 2


def test_wb_replace_keeps_the_reply_limits(wb: FakeWildberries) -> None:
    # Given a corrected answer too short for WB
    feedback_id = wb.add_feedback()["id"]
    # When it replaces the previous one / Then it is refused before anything is sent
    with pytest.raises(PermanentRejection) as refused:
        wb_connector(wb).replace(reply("wildberries", "review", feedback_id, "!"), None)
    assert refused.value.status == 422
    assert wb.requests == []


def test_wb_a_question_answered_again_replaces_a_held_answer(wb: FakeWildberries) -> None:
    # Given a question whose answer WB held back
    question = reply("wildberries", "question", wb.add_question("Есть гарантия?")["id"])
    connector = wb_connector(wb)
    wb.moderate_next_reply("pending")
    connector.publish(question)
    assert connector.read_back(question, None).state == "pending"
    # When it is answered again
    corrected = reply("wildberries", "question", question.external_id, CORRECTED)
    connector.replace(corrected, None)
    # Then the new answer is shown
    read = connector.read_back(corrected, None)
    assert (read.state, read.text) == ("published", CORRECTED)


# ---------------------------------------------------------------- Ozon


@pytest.fixture
def ozon() -> Iterator[FakeOzon]:
    with FakeOzon() as fake:
        yield fake


def ozon_connector(fake: FakeOzon) -> OzonConnector:
    return OzonConnector(_http(), fake.url, fake.client_id, fake.api_key, _connection("ozon"))


def test_ozon_a_listed_comment_reads_back_published(ozon: FakeOzon) -> None:
    # Given a comment Ozon took
    review = reply("ozon", "review", ozon.add_review("Сломался", rating=1)["id"], CORRECTED)
    connector = ozon_connector(ozon)
    published = connector.publish(review)
    # When it is read back by its id
    read = connector.read_back(review, published.platform_answer_id)
    # Then it is shown, with its id
    assert (read.state, read.text, read.platform_answer_id) == (
        "published",
        CORRECTED,
        published.platform_answer_id,
    )


@pytest.mark.parametrize("verdict", ["pending", "rejected"])
def test_ozon_a_comment_held_or_refused_by_moderation_reads_back_missing(
    ozon: FakeOzon, verdict: str
) -> None:
    # Given a comment Ozon's moderation held back or refused
    review = reply("ozon", "review", ozon.add_review()["id"])
    connector = ozon_connector(ozon)
    ozon.moderate_next_reply(verdict, reason="контакты")  # type: ignore[arg-type]
    published = connector.publish(review)
    # When it is read back
    read = connector.read_back(review, published.platform_answer_id)
    # Then it is not shown, and Ozon says nothing of why
    assert (read.state, read.reason) == ("missing", None)


def test_ozon_replace_deletes_the_refused_comment_and_creates_the_new_one_once(ozon: FakeOzon) -> None:
    # Given a refused comment
    review_id = ozon.add_review()["id"]
    connector = ozon_connector(ozon)
    ozon.moderate_next_reply("rejected")
    first = connector.publish(reply("ozon", "review", review_id))
    # When a corrected comment replaces it
    corrected = reply("ozon", "review", review_id, CORRECTED)
    replaced = connector.replace(corrected, first.platform_answer_id)
    # Then the old comment is gone, the new one was created once and is shown
    assert [c["text"] for c in ozon.review_comments(review_id)] == [CORRECTED]
    assert [a["body"]["text"] for a in ozon.answers] == [FIRST, CORRECTED]
    assert replaced.platform_answer_id not in (None, first.platform_answer_id)
    assert connector.read_back(corrected, replaced.platform_answer_id).state == "published"


def test_ozon_replace_when_the_previous_comment_is_already_gone_still_publishes(ozon: FakeOzon) -> None:
    # Given a comment deleted meanwhile (a retry after the delete went through)
    review_id = ozon.add_review()["id"]
    connector = ozon_connector(ozon)
    first = connector.publish(reply("ozon", "review", review_id))
    connector.replace(reply("ozon", "review", review_id, CORRECTED), first.platform_answer_id)
    # When the same replacement runs again
    again = connector.replace(reply("ozon", "review", review_id, CORRECTED), first.platform_answer_id)
    # Then the missing previous comment is no error and the corrected one is there
    assert again.text == CORRECTED
    assert CORRECTED in [c["text"] for c in ozon.review_comments(review_id)]


def test_ozon_a_question_answer_is_read_back_and_replaced(ozon: FakeOzon) -> None:
    # Given a question whose answer Ozon refused
    seeded = ozon.add_question("Есть гарантия?")
    context = {"sku": str(seeded["sku"])}
    connector = ozon_connector(ozon)
    ozon.moderate_next_reply("rejected")
    question = reply("ozon", "question", seeded["id"], FIRST, context)
    first = connector.publish(question)
    # When it is read back, then replaced
    before = connector.read_back(question, first.platform_answer_id)
    corrected = reply("ozon", "question", seeded["id"], CORRECTED, context)
    replaced = connector.replace(corrected, first.platform_answer_id)
    after = connector.read_back(corrected, replaced.platform_answer_id)
    # Then it was missing, and the new answer alone is shown
    assert before.state == "missing"
    assert (after.state, after.text) == ("published", CORRECTED)
    assert [a["text"] for a in ozon.question_answers(seeded["id"])] == [CORRECTED]


def test_ozon_a_chat_reply_reads_back_published_without_a_call(ozon: FakeOzon) -> None:
    chat = reply("ozon", "chat", "m-1", CORRECTED, {"chat_id": ozon.add_chat()})

    read = ozon_connector(ozon).read_back(chat, None)

    assert read.state == "published"
    assert ozon.requests == []


# ---------------------------------------------------------------- Yandex Market


@pytest.fixture
def ym() -> Iterator[FakeYandexMarket]:
    with FakeYandexMarket() as fake:
        yield fake


def ym_connector(fake: FakeYandexMarket) -> YandexMarketConnector:
    return YandexMarketConnector(
        _http(), fake.url, fake.api_key, _connection("yandex_market", business_id=str(fake.business_id))
    )


def ym_review(fake: FakeYandexMarket, text: str = FIRST) -> ApprovedReply:
    return reply("yandex_market", "review", str(fake.add_feedback("Шумная", rating=3)["feedbackId"]), text)


@pytest.mark.parametrize(
    ("verdict", "state", "reason"),
    [
        (None, "published", None),
        ("pending", "pending", "Yandex Market comment status UNMODERATED"),
        ("rejected", "rejected", "Yandex Market comment status BANNED"),
    ],
)
def test_ym_a_comment_reads_back_in_its_moderation_status(
    ym: FakeYandexMarket, verdict: str | None, state: str, reason: str | None
) -> None:
    # Given a comment, moderated or not
    review = ym_review(ym)
    connector = ym_connector(ym)
    if verdict is not None:
        ym.moderate_next_reply(verdict, reason="реклама")  # type: ignore[arg-type]
    published = connector.publish(review)
    # When it is read back
    read = connector.read_back(review, published.platform_answer_id)
    # Then its status says what buyers see, and whether it may be changed
    assert (read.state, read.reason, read.platform_answer_id, read.can_edit) == (
        state,
        reason,
        published.platform_answer_id,
        True,
    )


def test_ym_a_review_without_our_comment_reads_back_missing(ym: FakeYandexMarket) -> None:
    review = ym_review(ym)

    assert ym_connector(ym).read_back(review, "91000001").state == "missing"


def test_ym_replace_changes_a_banned_comment_in_place(ym: FakeYandexMarket) -> None:
    # Given a comment Market banned
    review = ym_review(ym)
    connector = ym_connector(ym)
    ym.reject_replies_containing("телеграм")
    first = connector.publish(review)
    assert connector.read_back(review, first.platform_answer_id).state == "rejected"
    # When a corrected comment replaces it
    corrected = reply("yandex_market", "review", review.external_id, CORRECTED)
    replaced = connector.replace(corrected, first.platform_answer_id)
    # Then the same comment now holds the new text and is shown
    [comment] = ym.comments(int(review.external_id))
    assert (comment["text"], comment["status"]) == (CORRECTED, "PUBLISHED")
    assert replaced.platform_answer_id == first.platform_answer_id
    assert connector.read_back(corrected, replaced.platform_answer_id).state == "published"


def test_ym_replace_is_refused_when_market_forbids_changing_the_comment(ym: FakeYandexMarket) -> None:
    # Given a banned comment Market no longer lets the shop change
    review = ym_review(ym)
    connector = ym_connector(ym)
    first = connector.publish(review)
    ym.set_reply_state(review.external_id, "rejected", can_modify=False)
    # When a corrected comment would replace it
    with pytest.raises(PermanentRejection) as refused:
        connector.replace(
            reply("yandex_market", "review", review.external_id, CORRECTED), first.platform_answer_id
        )
    # Then it is refused with a reason that says so, and nothing more was sent
    assert "canModify" in refused.value.reason
    assert len(ym.answers) == 1


def test_ym_replace_with_no_comment_left_makes_a_new_one(ym: FakeYandexMarket) -> None:
    review = ym_review(ym, CORRECTED)

    replaced = ym_connector(ym).replace(review, None)

    assert [c["text"] for c in ym.comments(int(review.external_id))] == [CORRECTED]
    assert replaced.platform_answer_id is not None
