"""Learning from a shop's own reviews on the local stack: the training schedule fired by `otklik tonality
train`, the shop's model promoted into the stack's models bucket (then a run with nothing new refused), and
the shop's next review, posted as a signed webhook, scored with it (its version on GET /feedback/{id}).

The shop's past rated reviews are stored in the stack's FeedbackTable as score_feedback stores them (its
enrichment, its adapter): the 200 a model needs would take the stack a minute of CPU through webhooks,
routing and notifications (tests/integration/test_train_tonality.py trains on reviews score_feedback stored).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from infra.local.seed import SAMPLE_CONFIG
from otklik.adapters import aws
from otklik.adapters.feedback_store import FeedbackStore
from otklik.domain.enrichment import enrich
from otklik.domain.ids import feedback_id
from otklik.domain.models import FeedbackEnvelope
from otklik.domain.tonality.learned import shipped_model
from otklik.entrypoints.cli import main
from tests.e2e.conftest import RunningStack, eventually, function_environment, running_stack
from tests.support.rated_reviews import slang_reviews

ACCOUNT = "shop-e2e"
REVIEWS = 200
SHIPPED = shipped_model()


@pytest.fixture(scope="module")
def learning_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The local stack with the sample configuration, but for a shop's few reviews of the last days being
    enough to train on."""
    folder = tmp_path_factory.mktemp("learning-stack")
    config = folder / "otklik.yaml"
    text = SAMPLE_CONFIG.read_text("utf-8").replace("min_reviews: 500", "min_reviews: 150")
    config.write_text(text.replace("days: 180", "days: 7"), "utf-8")
    with running_stack(folder / "stack.log", {"OTKLIK_LOCAL_CONFIG": str(config)}) as stack:
        yield stack


def _store_past_reviews(stack: RunningStack) -> None:
    now = datetime.now(UTC)
    with function_environment(stack, "ScoreFeedbackFunction"):
        store = FeedbackStore(aws.client("dynamodb"), os.environ["OTKLIK_FEEDBACK_TABLE"])
        zone = ZoneInfo(os.environ["OTKLIK_REPORT_TIMEZONE"])
        for number, (text, stars) in enumerate(slang_reviews(REVIEWS)):
            external_id = f"past-{number}"
            envelope = FeedbackEnvelope(
                feedback_id=feedback_id("custom", ACCOUNT, "review", external_id),
                source="custom",
                account=ACCOUNT,
                kind="review",
                external_id=external_id,
                text=text,
                rating=stars,
                created_at=now - timedelta(days=1),
                received_at=now - timedelta(days=1),
            )
            assert store.put_new(enrich(envelope, zone))


def _post(stack: RunningStack, external_id: str, text: str, stars: int, account: str = ACCOUNT) -> str:
    created = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    document = {"id": external_id, "kind": "review", "text": text, "rating": stars}
    document.update({"created_at": created, "account": account})
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    answer = stack.post_webhook(body)
    assert answer.status == 202, answer.body
    return str(answer.body["id"])


def _tonality(stack: RunningStack, feedback: str) -> dict[str, object]:
    answer = eventually(lambda: (found := stack.ops(f"/feedback/{feedback}")).status == 200 and found, 20)
    tonality: dict[str, object] = answer.body["tonality"]
    return tonality


def test_a_shops_rated_reviews_train_its_model_and_its_next_review_is_scored_with_it(
    learning_stack: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = learning_stack
    # Given a shop's rated reviews of yesterday, in its own words, stored
    _store_past_reviews(stack)

    # When the training schedule is fired for the shop by the command line
    assert main(["tonality", "train", "--account", ACCOUNT, "--stack-url", stack.api_url]) == 0
    printed = capsys.readouterr().out

    # Then its model is promoted, on all its reviews, with the held-back figures and the reason printed
    promoted = re.match(rf"{ACCOUNT}: promoted (\S+) \({REVIEWS} rated reviews: \d+ trained on", printed)
    assert promoted, printed
    version = promoted.group(1)
    assert "\n  held-back macro-F1: candidate " in printed and "\n  why: candidate " in printed
    # And the stack's models bucket points to it
    status = stack.request("GET", "/_local/status").body
    bucket = status["resources"]["ModelsBucket"]["physical_id"]
    pointer = stack.aws("s3").get_object(Bucket=bucket, Key=f"models/{ACCOUNT}/current.json")["Body"].read()
    assert json.loads(pointer)["version"] == version

    # And the shop's next review, a signed webhook, is scored with the shop's model
    text, stars = slang_reviews(8)[2]  # a four-star review in the shop's words
    tonality = _tonality(stack, _post(stack, "next-1", text, stars))
    assert (tonality["model_version"], tonality["label"]) == (version, "positive")
    # While another account's review is still scored with the shipped model (none: the lexicon alone)
    other = _tonality(stack, _post(stack, "other-1", text, stars, account="default"))
    assert other["model_version"] == (SHIPPED.version if SHIPPED is not None else None)

    # And a run with nothing new refuses its candidate and keeps the shop's model
    assert main(["tonality", "train", "--account", ACCOUNT, "--stack-url", stack.api_url]) == 0
    again = capsys.readouterr().out
    assert again.startswith(f"{ACCOUNT}: refused "), again
    pointer = stack.aws("s3").get_object(Bucket=bucket, Key=f"models/{ACCOUNT}/current.json")["Body"].read()
    assert json.loads(pointer)["version"] == version
