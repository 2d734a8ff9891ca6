"""train_tonality on moto, through the real handlers and the template's table and bucket: a shop's rated
reviews stored by score_feedback, its model trained and promoted into ModelsBucket, the shop's next review
scored with it (its version on the item's tonality), and after a configuration rollback with the shipped
model again; a run that finds nothing better keeps the pointer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.seed import SAMPLE_CONFIG
from otklik.adapters.feedback_store import FeedbackStore
from otklik.bootstrap import train_tonality
from otklik.domain.ids import feedback_id
from otklik.domain.messages import encode
from otklik.domain.tonality.learned import Model, shipped_model
from tests.conftest import EVENTS
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event
from tests.support.rated_reviews import slang_reviews
from tests.unit.samples import envelope

SCHEDULE = json.loads((EVENTS / "schedule_train_tonality.json").read_text("utf-8"))
REVIEWS = 200
SHIPPED = shipped_model()
SHIPPED_VERSION = SHIPPED.version if SHIPPED is not None else None  # None: the lexicon alone


def _config(models: str = "{}") -> str:
    """The sample, with a shop's few reviews of the last days enough to train on, and its per-account
    model choice (a week's window: moto answers each day's query in its own time)."""
    text = SAMPLE_CONFIG.read_text("utf-8")
    text = text.replace("min_reviews: 500", "min_reviews: 150").replace("days: 180", "days: 7")
    return text.replace("  models: {}", f"  models: {models}")


def _score(stack: Stack, reviews: list[tuple[str, int]], first: int = 0) -> list[str]:
    """The shop's reviews, received just now, through score_feedback; their feedback ids."""
    now = datetime.now(UTC)
    envelopes = [
        envelope(
            text=text,
            rating=stars,
            account="shop",
            external_id=f"r-{first + number}",
            created_at=now - timedelta(hours=1),
            received_at=now,
        )
        for number, (text, stars) in enumerate(reviews)
    ]
    answer = stack.invoke(
        "ScoreFeedbackFunction", stack.sqs_event("IngestQueue", [encode(e) for e in envelopes])
    )
    assert answer == {"batchItemFailures": []}
    return [e.feedback_id for e in envelopes]


def _model_version(stack: Stack, feedback_id: str) -> str | None:
    item = FeedbackStore(stack.dynamodb, stack.table("FeedbackTable")).get_item(feedback_id)
    assert item is not None
    return item.tonality.model_version


def _object(stack: Stack, key: str) -> bytes:
    answer = stack.session.client("s3").get_object(Bucket=stack.table("ModelsBucket"), Key=key)
    body: bytes = answer["Body"].read()
    return body


def _keys(stack: Stack) -> set[str]:
    listed = stack.session.client("s3").list_objects_v2(Bucket=stack.table("ModelsBucket"), Prefix="models/")
    return {entry["Key"] for entry in listed.get("Contents", [])}


@pytest.fixture
def trained(stack: Stack) -> tuple[Stack, dict[str, Any]]:
    """The shop's reviews stored, and the weekly run's report on the shop."""
    stack.put_config(_config())
    _score(stack, slang_reviews(REVIEWS))
    result = stack.invoke("TrainTonalityFunction", SCHEDULE)
    [report] = result["accounts"]
    return stack, report


def test_the_shops_model_is_promoted_its_next_review_scored_with_it_and_a_rollback_is_one_change(
    trained: tuple[Stack, dict[str, Any]],
) -> None:
    stack, report = trained
    # Given the shop's reviews were scored (and stored) before it had a model: with the shipped one
    assert _model_version(stack, feedback_id("custom", "shop", "review", "r-0")) == SHIPPED_VERSION
    # Then the shop's model was trained on its stored reviews and promoted
    assert (report["account"], report["outcome"], report["reviews"]) == ("shop", "promoted", REVIEWS)
    version = report["version"]
    # And the bucket holds the model, its manifest and the pointer to it
    assert _keys(stack) == {
        f"models/shop/{version}.otm",
        f"models/shop/{version}.json",
        "models/shop/current.json",
    }
    assert Model.loads(_object(stack, f"models/shop/{version}.otm")).version == version
    manifest = json.loads(_object(stack, f"models/shop/{version}.json"))
    assert (manifest["outcome"], manifest["reviews"]["total"]) == ("promoted", REVIEWS)
    assert manifest["held_back"]["macro_f1"] == report["scores"]
    assert json.loads(_object(stack, "models/shop/current.json"))["version"] == version

    # When the shop's next review comes (to a new container; a warm one takes the pointer within 30 s)
    stack.restart("ScoreFeedbackFunction")
    [following] = _score(stack, slang_reviews(8)[2:3], first=1000)

    # Then its tonality records the shop's model
    assert _model_version(stack, following) == version

    # And when the shop is pinned back to the shipped model, one change of the configuration (which a
    # container takes within its minute: here a new one)
    stack.put_config(_config("{shop: shipped}"))
    stack.restart("ScoreFeedbackFunction")
    [after_rollback] = _score(stack, slang_reviews(8)[2:3], first=2000)

    # Then its next review is scored with the shipped model (the lexicon alone while none is built)
    assert _model_version(stack, after_rollback) == SHIPPED_VERSION
    # And the shop's model stays in the bucket, promoted, ready to be in force again
    assert json.loads(_object(stack, "models/shop/current.json"))["version"] == version


def test_a_run_that_finds_nothing_better_keeps_the_pointer_and_says_why(
    trained: tuple[Stack, dict[str, Any]],
) -> None:
    stack, first = trained

    # When the run trains again the next day, no new review having come in
    stack.use_environment("TrainTonalityFunction")
    run = train_tonality.build()(datetime.now(UTC) + timedelta(days=1))
    [again] = [report.as_dict() for report in run.accounts]

    # Then the candidate is refused, only its manifest is kept, and the pointer stays on the first model
    assert again["outcome"] == "refused" and again["in_force"] == first["version"]
    assert f"models/shop/{again['version']}.json" in _keys(stack)
    assert f"models/shop/{again['version']}.otm" not in _keys(stack)
    assert json.loads(_object(stack, "models/shop/current.json"))["version"] == first["version"]


def test_one_account_is_trained_alone_and_a_bad_request_is_refused_without_a_retry(stack: Stack) -> None:
    stack.put_config(_config())

    unknown = stack.invoke("TrainTonalityFunction", {**SCHEDULE, "detail": {"account": "site"}})
    bad = stack.invoke("TrainTonalityFunction", {**SCHEDULE, "detail": {"account": "../shop"}})

    assert [(r["account"], r["outcome"], r["reviews"]) for r in unknown["accounts"]] == [
        ("site", "not_enough", 0)
    ]
    assert bad["accounts"] == [] and "account name" in bad["error"]
    assert _keys(stack) == set()


def test_with_learning_turned_off_the_run_trains_nothing(stack: Stack) -> None:
    stack.put_config(
        _config().replace("    enabled: true\n    min_reviews", "    enabled: false\n    min_reviews")
    )
    _score(stack, slang_reviews(REVIEWS))

    assert stack.invoke("TrainTonalityFunction", SCHEDULE) == {"disabled": True, "accounts": []}
    assert _keys(stack) == set()


def test_explain_scores_a_review_again_with_the_account_model_that_scored_it(
    trained: tuple[Stack, dict[str, Any]],
) -> None:
    # Given the shop's model promoted, and a review of the shop scored with it
    stack, report = trained
    stack.restart("ScoreFeedbackFunction")
    [review] = _score(stack, slang_reviews(8)[2:3], first=3000)
    assert _model_version(stack, review) == report["version"]

    # When its explanation is asked for
    response = stack.invoke(
        "OpsApiFunction",
        ops_event("/feedback/{id}/explain", f"/feedback/{review}/explain", path_parameters={"id": review}),
    )

    # Then the text is scored again with the shop's model, read from the bucket, and gives what was stored
    assert response["statusCode"] == 200, response
    tone = body_of(response)["tonality"]
    assert tone["model_version"] == report["version"]
    assert tone["learned"]["model_version"] == report["version"]
    assert tone["matches_stored"] is True
