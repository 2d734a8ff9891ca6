"""score_feedback's builder: enrich queued envelopes, store each once, pass it on to routing."""

from __future__ import annotations

from dataclasses import dataclass

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, TimezoneSettings, load_settings
from otklik.domain.messages import IngestMessage
from otklik.domain.models import FeedbackEnvelope
from otklik.ports import ConfigSource, FeedbackWriter, Publisher
from otklik.usecases.score import Scored, score_feedback

Message = IngestMessage


class ScoreSettings(ConfigSettings, TimezoneSettings):
    feedback_table: str
    route_queue_url: str


@dataclass(frozen=True)
class Scorer:
    settings: ScoreSettings
    config: ConfigSource
    store: FeedbackWriter
    route_queue: Publisher

    def __call__(self, envelope: FeedbackEnvelope) -> Scored:
        overrides = self.config.current().tonality.parsed()
        return score_feedback(envelope, self.settings.timezone, self.store, self.route_queue, overrides)


def build() -> Scorer:
    from otklik.adapters.feedback_store import FeedbackStore

    settings = load_settings(ScoreSettings)
    return Scorer(
        settings=settings,
        config=parts.config_source(settings),
        store=FeedbackStore(aws.client("dynamodb"), settings.feedback_table),
        route_queue=parts.queue(settings.route_queue_url),
    )
