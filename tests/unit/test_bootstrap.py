"""Each function's builder, given the environment template.yaml gives it, wires its adapters to those names.

The environment is the template's own (every Ref resolved to a made-up physical name), so a builder that
reads the wrong variable, or a template that stops setting one a builder needs, fails here without AWS.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError

from infra.local.template import Template, load_template
from otklik.adapters import aws
from otklik.adapters.marketplaces.registry import MarketplaceUrls
from otklik.bootstrap.settings import SettingsInvalid
from otklik.domain.marketplaces.models import ApprovedReply
from otklik.domain.messages import NotifyMessage, decode
from tests.conftest import EVENTS, ROOT
from tests.integration.conftest import LambdaContextStub

REGION = "eu-central-1"
# Parameters other than their defaults, so a builder that ignored the variable would be caught.
PARAMETERS = {
    "Stage": "test",
    "WebhookSources": "custom,site",
    "ReportTimezone": "Asia/Yekaterinburg",
    "WbFeedbacksUrl": "http://127.0.0.1:8101",
    "OzonApiUrl": "http://127.0.0.1:8102",
    "YmApiUrl": "http://127.0.0.1:8103",
    "TelegramApiUrl": "http://127.0.0.1:8104",
}
TEMPLATE = load_template(ROOT / "template.yaml", PARAMETERS)
PREFIX = "/otklik/test"
URLS = MarketplaceUrls("http://127.0.0.1:8101", "http://127.0.0.1:8102", "http://127.0.0.1:8103")


class PhysicalNames:
    """Refs resolved as CloudFormation would: a queue's Ref is its URL, a table's or bucket's its name."""

    def __init__(self, template: Template) -> None:
        self._template = template

    def ref(self, logical_id: str) -> str:
        if self._template.resource_type(logical_id) == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/123456789012/otklik-test-{logical_id}"
        return f"otklik-test-{logical_id.lower()}"

    def get_att(self, logical_id: str, attribute: str) -> str:
        return f"arn:aws:{REGION}:123456789012:{logical_id}/{attribute}"


def environment(logical_id: str) -> dict[str, str]:
    """The OTKLIK_* variables template.yaml gives the function."""
    variables = TEMPLATE.function_environment(logical_id, PhysicalNames(TEMPLATE))
    return {name: value for name, value in variables.items() if name.startswith("OTKLIK_")}


def resource_variables(logical_id: str) -> dict[str, str]:
    """The variables that name one of the stack's resources (a table, queue or bucket)."""
    return {name: value for name, value in environment(logical_id).items() if "otklik-test-" in value}


def builder(logical_id: str) -> ModuleType:
    """The bootstrap module of a function: the one named like its CodeUri folder."""
    return importlib.import_module(f"otklik.bootstrap.{TEMPLATE.function(logical_id).code_uri.name}")


def _sample_body(name: str) -> str:
    body: str = json.loads((EVENTS / name).read_text("utf-8"))["Records"][0]["body"]
    return body


class Claimed(Exception):
    """Raised by the hook below, so the first DynamoDB write is seen and never sent."""


def first_claim(service: Any, message: Any) -> str:
    """The table the service's first PutItem goes to (Powertools idempotency claims its key first)."""
    tables: list[str] = []
    service.bind(LambdaContextStub(function_name="test", aws_request_id="request-1"))

    def stop(params: dict[str, Any], **_: Any) -> None:
        tables.append(params["TableName"])
        raise Claimed

    client = aws.client("dynamodb")
    client.meta.events.register("provide-client-params.dynamodb.PutItem", stop)
    try:
        with pytest.raises(IdempotencyPersistenceLayerError):
            service(message)
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.PutItem", stop)
    return tables[0]


# What reached the adapters, by the variable that should have put it there.
WIRING: dict[str, Callable[[Any], dict[str, Any]]] = {
    "IngestWebhookFunction": lambda intake: {
        "OTKLIK_INGEST_QUEUE_URL": intake.ingest_queue._queue_url,
        "OTKLIK_FETCH_QUEUE_URL": intake.fetch_queue._queue_url,
        "OTKLIK_IDEMPOTENCY_TABLE": intake.receipts._table,
    },
    "ScoreFeedbackFunction": lambda scorer: {
        "OTKLIK_FEEDBACK_TABLE": scorer.store._table,
        "OTKLIK_ROUTE_QUEUE_URL": scorer.route_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": scorer.config._bucket,
        "OTKLIK_SEEN_TEXTS_TABLE": scorer.seen_texts._table,
        "OTKLIK_MODELS_BUCKET": scorer.models._store._bucket,
    },
    "RouteFeedbackFunction": lambda router: {
        "OTKLIK_FEEDBACK_TABLE": router.feedback._table,
        "OTKLIK_TICKETS_TABLE": router.tickets._table,
        "OTKLIK_NOTIFY_QUEUE_URL": router.notify_queue._queue_url,
        "OTKLIK_ANSWER_QUEUE_URL": router.replies.answer_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": router.config._bucket,
    },
    "SendNotificationsFunction": lambda notifier: {
        "OTKLIK_TICKETS_TABLE": notifier._outbox._table,
        "OTKLIK_CONFIG_BUCKET": notifier._config._bucket,
        "OTKLIK_IDEMPOTENCY_TABLE": first_claim(
            notifier, decode(NotifyMessage, _sample_body("sqs_notify_ticket_opened.json"))
        ),
        "OTKLIK_NOTIFY_QUEUE_URL": notifier._retries._queue_url,
        "OTKLIK_PUBLIC_URL": notifier._base_url,
        "OTKLIK_DEAD_LETTER_QUEUES": notifier._dead_letters.spec,
    },
    "UpdateAggregatesFunction": lambda counter: {"OTKLIK_AGGREGATES_TABLE": counter.store._table},
    "DetectSpikesFunction": lambda detector: {
        "OTKLIK_AGGREGATES_TABLE": detector.aggregates._table,
        "OTKLIK_FEEDBACK_TABLE": detector.items._table,
        "OTKLIK_NOTIFY_QUEUE_URL": detector.notify_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": detector.config._bucket,
    },
    "BuildReportsFunction": lambda builder: {
        "OTKLIK_AGGREGATES_TABLE": builder.counters._table,
        "OTKLIK_REPORTS_BUCKET": builder.archive._bucket,
        "OTKLIK_NOTIFY_QUEUE_URL": builder.notify_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": builder.config._bucket,
    },
    "TrainTonalityFunction": lambda trainer: {
        "OTKLIK_FEEDBACK_TABLE": trainer.reviews._table,
        "OTKLIK_MODELS_BUCKET": trainer.models._bucket,
        "OTKLIK_CONFIG_BUCKET": trainer.config._bucket,
    },
    "SweepSlaFunction": lambda sweeper: {
        "OTKLIK_TICKETS_TABLE": sweeper.tickets._table,
        "OTKLIK_NOTIFY_QUEUE_URL": sweeper.notify_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": sweeper.config._bucket,
    },
    "PollMarketplacesFunction": lambda poller: {
        "OTKLIK_CURSORS_TABLE": poller.cursors._table,
        "OTKLIK_INGEST_QUEUE_URL": poller.ingest_queue._queue_url,
        "OTKLIK_TICKETS_TABLE": poller.read_back.tickets._table,
        "OTKLIK_NOTIFY_QUEUE_URL": poller.read_back.notify_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": poller.read_back.config._bucket,
    },
    "FetchMarketplaceFunction": lambda fetcher: {"OTKLIK_INGEST_QUEUE_URL": fetcher.ingest_queue._queue_url},
    "PublishAnswersFunction": lambda publisher: {
        "OTKLIK_TICKETS_TABLE": publisher._replies._table,
        "OTKLIK_ANSWER_DLQ_URL": publisher._dead_letters._queue_url,
        "OTKLIK_CONFIG_BUCKET": publisher._config._bucket,
        "OTKLIK_IDEMPOTENCY_TABLE": first_claim(
            publisher, decode(ApprovedReply, _sample_body("sqs_answer_approved_reply.json"))
        ),
    },
    "OpsApiFunction": lambda ops: {
        "OTKLIK_FEEDBACK_TABLE": ops.feedback._table,
        "OTKLIK_TICKETS_TABLE": ops.tickets._table,
        "OTKLIK_AGGREGATES_TABLE": ops.aggregates._table,
        "OTKLIK_ANSWER_QUEUE_URL": ops.reply_queue._queue_url,
        "OTKLIK_CONFIG_BUCKET": ops.config._bucket,
        "OTKLIK_REPORTS_BUCKET": ops.reports._bucket,
        "OTKLIK_MODELS_BUCKET": ops.models._store._bucket,
    },
}
FUNCTIONS = sorted(WIRING)


@pytest.fixture(autouse=True)
def _aws_without_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clients can be made (region and dummy credentials) but never reach anything (network blocked)."""
    for name in [*os.environ]:
        if name.startswith("OTKLIK_") or name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws.forget_clients()
    yield
    aws.forget_clients()


def use(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def test_every_function_of_the_template_has_a_builder_and_is_checked_here() -> None:
    functions = {function.logical_id for function in TEMPLATE.functions()}

    assert functions == set(WIRING)
    assert all(hasattr(builder(logical_id), "build") for logical_id in functions)


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_resource_the_template_names_reaches_the_adapter_that_uses_it(
    logical_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the environment template.yaml gives the function
    use(monkeypatch, environment(logical_id))

    # When its builder builds the service
    service = builder(logical_id).build()

    # Then every table, queue and bucket it was given is the one its adapter talks to (and none is unused)
    assert WIRING[logical_id](service) == resource_variables(logical_id)


def test_the_config_source_reads_the_document_from_the_stacks_bucket_under_its_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, environment("RouteFeedbackFunction"))

    router = builder("RouteFeedbackFunction").build()

    assert (router.config._bucket, router.config._key) == ("otklik-test-configbucket", "otklik.yaml")


def test_the_parameter_prefix_decides_where_secrets_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, environment("IngestWebhookFunction"))
    intake = builder("IngestWebhookFunction").build()
    use(monkeypatch, environment("OpsApiFunction"))
    ops = builder("OpsApiFunction").build()
    use(monkeypatch, environment("SendNotificationsFunction"))
    notifier = builder("SendNotificationsFunction").build()

    assert intake.settings.secret_parameter("site") == f"{PREFIX}/webhooks/site/secret"
    assert intake.connections._parameter == f"{PREFIX}/marketplaces/connections"
    assert ops.settings.token_parameter == f"{PREFIX}/ops/token"
    assert notifier._channels._prefix == PREFIX
    assert notifier._channels._telegram_api_url == "http://127.0.0.1:8104"


def test_ingest_accepts_the_webhook_sources_the_stack_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, environment("IngestWebhookFunction"))

    intake = builder("IngestWebhookFunction").build()

    assert intake.policy.sources == frozenset({"custom", "site"})


def test_scoring_counts_days_in_the_stacks_report_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, environment("ScoreFeedbackFunction"))

    scorer = builder("ScoreFeedbackFunction").build()

    assert scorer.settings.timezone == ZoneInfo("Asia/Yekaterinburg")


def test_training_reads_its_window_in_the_stacks_report_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, environment("TrainTonalityFunction"))

    trainer = builder("TrainTonalityFunction").build()

    assert trainer.settings.timezone == ZoneInfo("Asia/Yekaterinburg")


@pytest.mark.parametrize(
    "logical_id", ["PollMarketplacesFunction", "FetchMarketplaceFunction", "PublishAnswersFunction"]
)
def test_marketplace_steps_talk_to_the_api_urls_the_stack_was_given(
    logical_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, environment(logical_id))

    service = builder(logical_id).build()

    connectors = getattr(service, "connectors", None) or service._connectors
    connections = getattr(service, "connections", None) or service._connections
    assert connectors._urls == URLS
    assert connections._parameter == f"{PREFIX}/marketplaces/connections"


@pytest.mark.parametrize(
    ("logical_id", "variable"),
    [(logical_id, variable) for logical_id in FUNCTIONS for variable in resource_variables(logical_id)],
)
def test_a_missing_setting_fails_the_build_naming_its_variable(
    logical_id: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the function's environment without one of its resources
    given = environment(logical_id)
    del given[variable]
    use(monkeypatch, given)

    # Then the container's start fails, and says which variable is missing
    with pytest.raises(SettingsInvalid, match=variable):
        builder(logical_id).build()


@pytest.mark.parametrize(
    ("logical_id", "variable", "value"),
    [
        ("ScoreFeedbackFunction", "OTKLIK_REPORT_TIMEZONE", "Europe/Atlantis"),
        ("PollMarketplacesFunction", "OTKLIK_MAX_PAGES_PER_STREAM", "0"),
        ("IngestWebhookFunction", "OTKLIK_MAX_BODY_BYTES", "a lot"),
        ("SendNotificationsFunction", "OTKLIK_IDEMPOTENCY_TTL_DAYS", "-1"),
    ],
)
def test_a_bad_setting_fails_the_build_naming_its_variable(
    logical_id: str, variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, {**environment(logical_id), variable: value})

    with pytest.raises(SettingsInvalid, match=variable):
        builder(logical_id).build()
