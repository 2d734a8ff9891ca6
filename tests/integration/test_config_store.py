"""The configuration document in S3 on moto: cached, re-read only when changed, kept over a bad version."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from otklik.adapters import config_store
from otklik.adapters.config_store import ConfigUnavailable, S3ConfigSource
from otklik.domain.config import DEFAULT_CONFIG, Config

REGION = "us-east-1"
BUCKET = "otklik-test-config"
KEY = "otklik.yaml"
MAX_AGE = 60.0

QUALITY = "teams: [{name: quality}]\nrouting: {team: quality}\n"
BILLING = "teams: [{name: billing}]\nrouting: {team: billing}\n"
# A typo in a key and a team nobody defined: what `otklik config push` would refuse, uploaded anyway.
BROKEN = "teams: [{name: quality}]\nrouting: {team: qualty, low_ratng_max: 1}\n"
ALSO_BROKEN = "routing:\n  team: support\nrouting:\n  team: support\n"


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class S3Calls:
    """What a client asked S3, recorded with botocore's event hooks: (operation, parameters), statuses."""

    def __init__(self, client: Any) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.get_statuses: list[int] = []
        client.meta.events.register("provide-client-params.s3", self._request)
        client.meta.events.register("after-call.s3.GetObject", self._answer)

    def _request(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.requests.append((model.name, dict(params)))

    def _answer(self, http_response: Any, **_: Any) -> None:
        self.get_statuses.append(http_response.status_code)

    def operations(self) -> list[str]:
        return [name for name, _ in self.requests]

    def clear(self) -> None:
        self.requests.clear()
        self.get_statuses.clear()


class Parses:
    """Counts the documents the adapter parses (an unchanged one must not be parsed again)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        parse = config_store.parse_config

        def counting(text: str | bytes) -> Config:
            self.count += 1
            return parse(text)

        monkeypatch.setattr(config_store, "parse_config", counting)


class Bucket:
    """A versioned bucket like the stack's ConfigBucket, and a source reading it through its own client."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.writer = boto3.client("s3", region_name=REGION)
        self.writer.create_bucket(Bucket=BUCKET)
        self.writer.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.reader = boto3.client("s3", region_name=REGION)
        self.calls = S3Calls(self.reader)
        self.parses = Parses(monkeypatch)
        self.clock = Clock()

    def upload(self, document: str) -> str:
        """A new version of the document (as `otklik config push` or any S3 upload makes); its ETag."""
        answer = self.writer.put_object(Bucket=BUCKET, Key=KEY, Body=document.encode("utf-8"))
        return str(answer["ETag"])

    def source(self, bucket: str = BUCKET) -> S3ConfigSource:
        """A source as a container's cold start builds it."""
        return S3ConfigSource(self.reader, bucket, KEY, max_age_seconds=MAX_AGE, clock=self.clock)


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[Bucket]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield Bucket(monkeypatch)


def messages(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if text in record.getMessage()]


def test_the_first_read_parses_the_document_and_later_reads_within_max_age_ask_s3_nothing(
    bucket: Bucket,
) -> None:
    # Given a document in the bucket
    bucket.upload(QUALITY)
    source = bucket.source()

    # When it is read, and read again twice before max_age has passed
    first = source.current()
    bucket.clock.advance(30)
    second = source.current()
    bucket.clock.advance(29.9)
    third = source.current()

    # Then the document is in force, fetched and parsed once
    assert first.routing.team == second.routing.team == third.routing.team == "quality"
    assert bucket.calls.operations() == ["GetObject"]
    assert bucket.parses.count == 1


def test_after_max_age_an_unchanged_document_is_checked_by_etag_and_not_parsed_again(bucket: Bucket) -> None:
    etag = bucket.upload(QUALITY)
    source = bucket.source()
    source.current()
    bucket.calls.clear()

    # When max_age has passed and the document has not changed
    bucket.clock.advance(MAX_AGE)
    config = source.current()

    # Then S3 was asked whether it changed (and answered 304 Not Modified): nothing fetched, nothing parsed
    assert config.routing.team == "quality"
    assert bucket.calls.requests == [("GetObject", {"Bucket": BUCKET, "Key": KEY, "IfNoneMatch": etag})]
    assert bucket.calls.get_statuses == [304]
    assert bucket.parses.count == 1


def test_a_valid_new_version_is_taken_once_max_age_has_passed(bucket: Bucket) -> None:
    bucket.upload(QUALITY)
    source = bucket.source()
    source.current()

    # When a new version is uploaded
    bucket.upload(BILLING)

    # Then the container keeps the version it has until max_age passes, and then takes the new one
    bucket.clock.advance(MAX_AGE - 1)
    assert source.current().routing.team == "quality"
    bucket.clock.advance(1)
    assert source.current().routing.team == "billing"
    assert bucket.parses.count == 2


def test_an_invalid_new_version_is_refused_once_and_the_last_valid_one_stays_in_force(
    bucket: Bucket, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a container running with a valid document
    bucket.upload(QUALITY)
    source = bucket.source()
    source.current()

    # When a broken version is uploaded and max_age passes
    bucket.upload(BROKEN)
    bucket.clock.advance(MAX_AGE)
    config = source.current()

    # Then the valid version stays in force, and the refusal is logged with every problem
    assert config.routing.team == "quality"
    [refusal] = messages(caplog, "refused")
    assert refusal.levelno == logging.ERROR
    assert refusal.problems == [  # type: ignore[attr-defined]
        "routing.low_ratng_max: unknown setting",
        "routing.team: unknown team 'qualty'; teams are quality",
    ]

    # And later checks do not fetch and refuse the same bytes again
    bucket.calls.clear()
    for _ in range(3):
        bucket.clock.advance(MAX_AGE)
        assert source.current().routing.team == "quality"
    assert bucket.calls.get_statuses == [304, 304, 304]
    assert len(messages(caplog, "refused")) == 1
    assert bucket.parses.count == 2

    # And once the document is fixed, the fix is taken
    bucket.upload(BILLING)
    bucket.clock.advance(MAX_AGE)
    assert source.current().routing.team == "billing"


def test_a_cold_start_over_an_invalid_newest_version_uses_the_newest_valid_older_one(
    bucket: Bucket, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a history: two valid versions, then two broken ones on top
    bucket.upload(BILLING)
    bucket.upload(QUALITY)
    bucket.upload(BROKEN)
    bucket.upload(ALSO_BROKEN)

    # When a container starts
    source = bucket.source()
    config = source.current()

    # Then it runs with the newest version that validates, and says so
    assert config.routing.team == "quality"
    assert len(messages(caplog, "refused")) == 1
    assert len(messages(caplog, "older configuration version")) == 1

    # And its next check finds the (still broken) newest version unchanged without walking history again
    bucket.calls.clear()
    bucket.clock.advance(MAX_AGE)
    assert source.current().routing.team == "quality"
    assert bucket.calls.operations() == ["GetObject"]
    assert bucket.calls.get_statuses == [304]


def test_without_a_document_the_defaults_apply_until_one_is_uploaded(bucket: Bucket) -> None:
    # Given a fresh stack: an empty bucket
    source = bucket.source()

    # Then the built-in defaults apply
    assert source.current() == DEFAULT_CONFIG

    # And a document uploaded later is taken at the next check
    bucket.upload(QUALITY)
    bucket.clock.advance(MAX_AGE)
    assert source.current().routing.team == "quality"


def test_when_no_version_validates_the_config_is_unavailable_and_asked_for_again_next_time(
    bucket: Bucket,
) -> None:
    # Given nothing but broken versions
    bucket.upload(BROKEN)
    bucket.upload(ALSO_BROKEN)
    source = bucket.source()

    # Then there is no configuration to run with: the step fails (and its records are retried)
    with pytest.raises(ConfigUnavailable):
        source.current()

    # And the failure is not cached: a valid upload is used by the very next read
    bucket.upload(QUALITY)
    assert source.current().routing.team == "quality"


def test_a_bucket_that_does_not_exist_is_an_error_not_the_defaults(bucket: Bucket) -> None:
    # Given a function pointed at a bucket that is not there (a wrong OTKLIK_CONFIG_BUCKET)
    source = bucket.source(bucket="otklik-no-such-bucket")

    # Then reading fails loudly, instead of quietly running the seller's stack on the built-in policy
    with pytest.raises(ClientError) as failure:
        source.current()
    assert failure.value.response["Error"]["Code"] == "NoSuchBucket"


def test_s3_failing_after_a_valid_load_keeps_the_loaded_document_and_asks_again_later(
    bucket: Bucket, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a document in force
    bucket.upload(QUALITY)
    source = bucket.source()
    assert source.current().routing.team == "quality"

    # When S3 throttles every request past max_age
    def throttle(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}}, "GetObject")

    bucket.reader.meta.events.register("before-call.s3.GetObject", throttle)
    bucket.clock.advance(MAX_AGE + 1)
    during = source.current()

    # Then the step goes on with the loaded document, says so once, and asks S3 again only after max_age
    assert during.routing.team == "quality"
    assert len(messages(caplog, "configuration not refreshed")) == 1
    bucket.reader.meta.events.unregister("before-call.s3.GetObject", throttle)
    bucket.upload("teams: [{name: quality}, {name: returns}]\nrouting: {team: returns}\n")
    bucket.clock.advance(MAX_AGE + 1)
    assert source.current().routing.team == "returns"
