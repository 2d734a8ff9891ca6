"""The adapters behind tonality learning against AWS's exact answers (botocore Stubber): the models bucket
(a missing key is "none", a refusal or a broken file a ModelStoreError naming the key), and the rated
reviews read from the by_day index, every page, only the attributes training needs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from otklik.adapters.dynamo import to_item
from otklik.adapters.feedback_store import FeedbackStore
from otklik.adapters.model_store import S3ModelStore
from otklik.domain.learning import RatedReview
from otklik.domain.tonality.scoring import fit
from otklik.domain.tonality.training import Hyper
from otklik.ports import ModelStoreError

VERSION = "20261123T023000Z-3fa1b2"


def _client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


@pytest.fixture
def s3() -> Iterator[tuple[S3ModelStore, Stubber]]:
    client = _client("s3")
    with Stubber(client) as stubber:
        yield S3ModelStore(client, "models-bucket"), stubber
        stubber.assert_no_pending_responses()


def _body(data: bytes) -> dict[str, Any]:
    return {"Body": StreamingBody(io.BytesIO(data), len(data))}


def _get(key: str) -> dict[str, str]:
    return {"Bucket": "models-bucket", "Key": key}


def test_an_account_without_a_pointer_or_a_version_not_stored_is_none(
    s3: tuple[S3ModelStore, Stubber],
) -> None:
    store, stubber = s3
    for key in ("models/shop/current.json", f"models/shop/{VERSION}.otm"):
        stubber.add_client_error("get_object", "NoSuchKey", http_status_code=404, expected_params=_get(key))

    assert store.current("shop") is None
    assert store.load("shop", VERSION) is None


def test_a_refusal_or_a_broken_object_is_a_store_error_that_names_the_key(
    s3: tuple[S3ModelStore, Stubber],
) -> None:
    store, stubber = s3
    stubber.add_client_error("get_object", "AccessDenied", http_status_code=403)
    stubber.add_client_error("get_object", "SlowDown", http_status_code=503)
    stubber.add_response("get_object", _body(b'{"version": "latest"}'), _get("models/shop/current.json"))
    stubber.add_response("get_object", _body(b"not a model"), _get(f"models/shop/{VERSION}.otm"))

    with pytest.raises(ModelStoreError, match=r"s3://models-bucket/models/shop/current.json: AccessDenied"):
        store.current("shop")
    with pytest.raises(ModelStoreError, match="SlowDown"):
        store.load("shop", VERSION)
    with pytest.raises(ModelStoreError, match="names no model version"):
        store.current("shop")
    with pytest.raises(ModelStoreError, match="not a tonality model"):
        store.load("shop", VERSION)


def test_a_saved_model_is_read_back_by_its_version_and_the_pointer_names_it(
    s3: tuple[S3ModelStore, Stubber],
) -> None:
    store, stubber = s3
    rows = [("отличный рюкзак", "positive"), ("ужасный рюкзак", "negative")]
    model = fit(rows, Hyper(bits=10, epochs=1), manifest={"version": VERSION})
    data = model.dumps()
    pointer = {"version": VERSION, "previous": None}
    as_model = {"Body": data, "ContentType": "application/octet-stream"}
    stubber.add_response("put_object", {}, {**_get(f"models/shop/{VERSION}.otm"), **as_model})
    as_json = {"Body": ANY, "ContentType": "application/json"}
    stubber.add_response("put_object", {}, {**_get("models/shop/current.json"), **as_json})
    stubber.add_response("get_object", _body(json.dumps(pointer).encode()), _get("models/shop/current.json"))
    stubber.add_response("get_object", _body(data), _get(f"models/shop/{VERSION}.otm"))
    stubber.add_response("get_object", _body(data), _get("models/shop/20251123T023000Z-000000.otm"))

    store.save_model("shop", model)
    store.promote("shop", pointer)

    assert store.current("shop") == VERSION
    loaded = store.load("shop", VERSION)
    assert loaded is not None and loaded.version == VERSION
    # A file under another version's name is not that version
    with pytest.raises(ModelStoreError, match=f"holds version {VERSION}"):
        store.load("shop", "20251123T023000Z-000000")


def test_an_accounts_name_is_one_key_segment_whatever_it_holds() -> None:
    store = S3ModelStore(None, "models-bucket")

    assert store.key_of("wb-main", "current.json") == "models/wb-main/current.json"
    assert store.key_of("../other/x", "current.json") == "models/..%2Fother%2Fx/current.json"


def test_a_days_rated_reviews_are_every_page_of_the_index_newest_first_with_what_training_reads() -> None:
    client = _client("dynamodb")
    first = [
        {"id": "fb_1", "account": "shop", "text": "Порвалось", "cons": "шов", "rating": 1, "lang": "ru",
         "day": "2026-11-22"},
        {"id": "fb_2", "account": "site", "text": "", "rating": 5, "lang": "ru", "day": "2026-11-22"},
    ]  # fmt: skip
    second = [
        {"id": "fb_3", "account": "shop", "pros": "Тёплая", "rating": 5, "lang": "ru", "day": "2026-11-22"}
    ]
    last_key = {"id": {"S": "fb_2"}, "day": {"S": "2026-11-22"}, "received_sk": {"S": "x#fb_2"}}
    query = {
        "TableName": "Feedback",
        "IndexName": "by_day",
        "KeyConditionExpression": "#day = :day",
        "FilterExpression": "#kind = :review AND attribute_exists(#rating)",
        "ProjectionExpression": "#id, #account, #text, #pros, #cons, #rating, #lang, #day",
        "ExpressionAttributeNames": ANY,
        "ExpressionAttributeValues": {":day": {"S": "2026-11-22"}, ":review": {"S": "review"}},
        "ScanIndexForward": False,
    }
    with Stubber(client) as stubber:
        stubber.add_response(
            "query", {"Items": [to_item(d) for d in first], "LastEvaluatedKey": last_key}, query
        )
        stubber.add_response(
            "query", {"Items": [to_item(d) for d in second]}, {**query, "ExclusiveStartKey": last_key}
        )

        reviews = list(FeedbackStore(client, "Feedback").rated_reviews_of_day("2026-11-22"))

        stubber.assert_no_pending_responses()
    # The text is the item's text, pros and cons, as tonality reads them; an item with none is left out
    assert reviews == [
        RatedReview("fb_1", "shop", "Порвалось\nшов", 1, "ru", "2026-11-22"),
        RatedReview("fb_3", "shop", "Тёплая", 5, "ru", "2026-11-22"),
    ]
