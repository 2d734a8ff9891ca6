"""train_tonality's builder: the feedback table's rated reviews, the models bucket, the shipped model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from otklik.adapters import aws
from otklik.bootstrap import parts
from otklik.bootstrap.settings import ConfigSettings, TimezoneSettings, load_settings
from otklik.ports import ConfigSource, ModelStore, RatedReviews

if TYPE_CHECKING:
    from otklik.usecases.train_tonality import TrainingRun


class TrainSettings(ConfigSettings, TimezoneSettings):
    feedback_table: str
    models_bucket: str


@dataclass(frozen=True)
class Trainer:
    settings: TrainSettings
    config: ConfigSource
    reviews: RatedReviews
    models: ModelStore

    def __call__(self, now: datetime, account: str | None = None) -> TrainingRun:
        # The engines (the lexicon, VADER, the shipped model) load with the first run, not the import.
        from otklik.domain.tonality.learned import shipped_model
        from otklik.usecases.train_tonality import train_tonality

        return train_tonality(
            now,
            self.settings.timezone,
            self.config.current(),
            self.reviews,
            self.models,
            shipped_model(),
            account,
        )


def build() -> Trainer:
    from otklik.adapters.feedback_store import FeedbackStore
    from otklik.adapters.model_store import S3ModelStore

    settings = load_settings(TrainSettings)
    return Trainer(
        settings=settings,
        config=parts.config_source(settings),
        reviews=FeedbackStore(aws.client("dynamodb"), settings.feedback_table),
        models=S3ModelStore(aws.client("s3"), settings.models_bucket),
    )
