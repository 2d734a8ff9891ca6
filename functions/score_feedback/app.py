"""IngestQueue -> score_feedback: language, tonality and PII mask; stored once; passed on to routing."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from otklik.bootstrap import score_feedback
from otklik.entrypoints.batch import sqs_step

logger = Logger()
metrics = Metrics()


def score(message: score_feedback.Message, scorer: score_feedback.Scorer) -> dict[str, Any]:
    scored = scorer(message)
    metrics.add_metric(
        name="FeedbackDuplicates" if scored.duplicate else "FeedbackIn", unit=MetricUnit.Count, value=1
    )
    if not scored.duplicate:
        metrics.add_metric(name=f"Tonality_{scored.item.tonality.label}", unit=MetricUnit.Count, value=1)
    return {
        "feedback_id": scored.item.id,
        "duplicate": scored.duplicate,
        "tonality": scored.item.tonality.label,
    }


step = sqs_step(
    score,
    score_feedback.Message,
    score_feedback.build,
    logger=logger,
    metrics=metrics,
    done="feedback scored",
)
handler = step.handler
