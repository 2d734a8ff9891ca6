"""FetchQueue -> fetch_marketplace: the feedback behind a Yandex Market notification, onto IngestQueue."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from otklik.bootstrap import fetch_marketplace
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()


def fetch(message: fetch_marketplace.Message, fetcher: fetch_marketplace.Fetcher) -> dict[str, Any]:
    return {"connection": message.connection, "items": fetcher(message, datetime.now(UTC))}


step = sqs_step(
    fetch,
    fetch_marketplace.Message,
    fetch_marketplace.build,
    logger=logger,
    metrics=metrics,
    done="notified feedback fetched",
)
handler = step.handler
