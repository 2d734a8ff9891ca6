"""GET /feedback/{id}/explain on moto: why an item got its tonality, topics, moderation and ticket."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Stack
from tests.integration.test_pipeline import _deliver, _run_pipeline
from tests.support.api_events import body_of, ops_event
from tests.support.signing import sample_body


def _explain(stack: Stack, feedback_id: str) -> dict[str, Any]:
    response = stack.invoke(
        "OpsApiFunction",
        ops_event(
            "/feedback/{id}/explain", f"/feedback/{feedback_id}/explain", path_parameters={"id": feedback_id}
        ),
    )
    assert response["statusCode"] == 200, response
    answer: dict[str, Any] = body_of(response)
    return answer


def test_explain_shows_the_words_that_scored_and_the_reasons_for_the_ticket(stack: Stack) -> None:
    # Given the README's first webhook, a one-star "Ужасное качество, порвалось через день", routed
    feedback_id = _deliver(stack, sample_body())
    _run_pipeline(stack)
    # When its explanation is asked for
    answer = _explain(stack, feedback_id)
    # Then the tonality shows the words that moved it, and what the rules did to each
    tone = answer["tonality"]
    assert tone["label"] == "negative" and tone["matches_stored"] is True
    values = {unit["words"]: unit["value"] for unit in tone["contributions"]}
    assert values["Ужасное"] < 0 and values["порвалось"] < 0, values
    # And both engines' versions, with what the learned layer says and which features pushed it most
    assert tone["lexicon_version"] == "tonality-0.2" and tone["lexicon_compound"] < 0
    learned = tone["learned"]
    assert tone["model_version"] == learned["model_version"]
    assert learned["probabilities"]["negative"] > learned["probabilities"]["positive"]
    assert learned["strongest"] and all(set(f) == {"feature", "push"} for f in learned["strongest"])
    # And the ticket's reasons, each with why, in the item's own figures
    routing = answer["routing"]
    assert routing["team"] == "support" and routing["priority"] == "high"
    why = {reason["reason"]: reason["why"] for reason in routing["reasons"]}
    assert set(why) >= {"negative_tonality", "low_rating"}
    assert "1 stars" in why["low_rating"]


def test_explain_of_an_unknown_or_malformed_id_is_a_404(stack: Stack) -> None:
    for feedback_id in ("fb_nope", "x" * 300):
        response = stack.invoke(
            "OpsApiFunction",
            ops_event(
                "/feedback/{id}/explain",
                f"/feedback/{feedback_id}/explain",
                path_parameters={"id": feedback_id},
            ),
        )
        assert response["statusCode"] == 404
        assert body_of(response)["error"]["code"] == "not_found"


def test_a_stored_item_carries_its_topics_and_flags_and_explain_shows_their_evidence(stack: Stack) -> None:
    # Given a review with a praised delivery, a bad quality, and an insult at the seller
    text = "Доставка быстрая, но качество ужасное. Продавец дебил"
    feedback_id = _deliver(stack, sample_body(id="explain-topics", text=text, rating=2))
    _run_pipeline(stack)
    # Then the stored item has each topic with its own polarity (the seller's too), and the insult flagged
    item = body_of(
        stack.invoke(
            "OpsApiFunction",
            ops_event("/feedback/{id}", f"/feedback/{feedback_id}", path_parameters={"id": feedback_id}),
        )
    )
    assert {t["topic"]: t["polarity"] for t in item["topics"]} == {
        "delivery": "positive",
        "quality": "negative",
        "seller_service": "negative",
    }
    assert item["moderation"]["flags"] == ["insult"]
    # And explain shows the span behind each, and the flag among the ticket's reasons, with why
    answer = _explain(stack, feedback_id)
    for topic in answer["topics"]:
        assert text[topic["start"] : topic["end"]] == topic["evidence"]
    [reason] = answer["moderation"]["reasons"]
    assert (reason["flag"], reason["text"]) == ("insult", "дебил")
    why = {r["reason"]: r["why"] for r in answer["routing"]["reasons"]}
    assert why["moderation:insult"] == "moderation flagged insult"


def test_an_item_stored_before_its_texts_own_score_was_kept_is_still_explained(stack: Stack) -> None:
    # Given a one-star rave (stars and text disagree), stored as items were before text_compound was kept
    feedback_id = _deliver(stack, sample_body(id="old-1", text="Отличный рюкзак, всем советую", rating=1))
    _run_pipeline(stack)
    stack.dynamodb.update_item(
        TableName=stack.table("FeedbackTable"),
        Key={"id": {"S": feedback_id}},
        UpdateExpression="REMOVE tonality.text_compound",
    )
    # When its explanation is asked for: an answer (not a 500) that says the score was not kept
    answer = _explain(stack, feedback_id)
    why = {reason["reason"]: reason["why"] for reason in answer["routing"]["reasons"]}
    assert "its own score was not kept" in why["rating_text_conflict"]
