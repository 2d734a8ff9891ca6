"""score_feedback's builder: enrich queued envelopes (with the account's own tonality model, when it has
one), store each once, pass it on to routing."""

from __future__ import annotations

from dataclasses import dataclass

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, TimezoneSettings, load_settings
from otklik.domain.enrichment import Understanding
from otklik.domain.messages import IngestMessage
from otklik.domain.models import FeedbackEnvelope
from otklik.ports import AccountTonality, ConfigSource, FeedbackWriter, Publisher, SeenTexts
from otklik.usecases.score import Scored, score_feedback

Message = IngestMessage


class ScoreSettings(ConfigSettings, TimezoneSettings):
    feedback_table: str
    route_queue_url: str
    seen_texts_table: str
    models_bucket: str


@dataclass(frozen=True)
class Scorer:
    settings: ScoreSettings
    config: ConfigSource
    store: FeedbackWriter
    route_queue: Publisher
    seen_texts: SeenTexts
    models: AccountTonality

    def __call__(self, envelope: FeedbackEnvelope) -> Scored:
        config = self.config.current()
        understanding = Understanding(
            overrides=config.tonality.parsed(),
            model=self.models.resolve(envelope.account, config.tonality.model_for(envelope.account)),
            topics=config.topics.seller_topics(),
            moderation=config.moderation,
        )
        return score_feedback(
            envelope, self.settings.timezone, self.store, self.route_queue, self.seen_texts, understanding
        )


def build() -> Scorer:
    from otklik.adapters.account_models import AccountModels
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.model_store import S3ModelStore
    from otklik.adapters.seen_texts import SeenTextStore

    settings = load_settings(ScoreSettings)
    client = aws.client("dynamodb")
    return Scorer(
        settings=settings,
        config=parts.config_source(settings),
        store=FeedbackStore(client, settings.feedback_table),
        route_queue=parts.queue(settings.route_queue_url),
        seen_texts=SeenTextStore(client, settings.seen_texts_table),
        models=AccountModels(S3ModelStore(aws.client("s3"), settings.models_bucket)),
    )
