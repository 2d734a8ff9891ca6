"""AnswerQueue -> publish_answers: an approved reply published once to its marketplace, kept on the ticket."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from otklik.bootstrap import publish_answers
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()


def publish(message: publish_answers.Message, publisher: publish_answers.ReplyPublisher) -> dict[str, Any]:
    result = publisher(message)
    metrics.add_metric(
        name="RepliesPublished" if result["published"] else "RepliesRejected", unit=MetricUnit.Count, value=1
    )
    return result


step = sqs_step(
    publish,
    publish_answers.Message,
    publish_answers.build,
    logger=logger,
    metrics=metrics,
    done="reply handled",
)
handler = step.handler
