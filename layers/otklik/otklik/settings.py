"""The one settings loader: each handler's environment as a validated pydantic model (OTKLIK_*)."""

from __future__ import annotations

from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from otklik.tonality.overrides import OverrideError, Overrides, load_overrides

S = TypeVar("S", bound="CommonSettings")


@cache
def _overrides(inline: str, file: str) -> Overrides:
    """Parsed once per process and value: the engine built from them is cached on the same key."""
    return load_overrides(inline, file)


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore", frozen=True)

    stage: str = "local"
    parameter_prefix: str = Field(
        default="/otklik/local", description="Where this stage's secrets live in SSM"
    )


class MarketplaceSettings(CommonSettings):
    """Where the marketplace APIs are (fakes on loopback in tests and locally), and the connections."""

    wb_feedbacks_url: str = "https://feedbacks-api.wildberries.ru"
    ozon_api_url: str = "https://api-seller.ozon.ru"
    ym_api_url: str = "https://api.partner.market.yandex.ru"

    @property
    def connections_parameter(self) -> str:
        return f"{self.parameter_prefix}/marketplaces/connections"


class IngestSettings(MarketplaceSettings):
    ingest_queue_url: str
    fetch_queue_url: str
    idempotency_table: str
    webhook_sources: str = "custom"
    signature_tolerance_seconds: int = Field(default=300, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1)
    receipt_ttl_days: int = Field(default=7, ge=1)

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.webhook_sources.split(",") if s.strip())

    def secret_parameter(self, source: str) -> str:
        return f"{self.parameter_prefix}/webhooks/{source}/secret"


class ScoreSettings(CommonSettings):
    feedback_table: str
    route_queue_url: str
    report_timezone: str = "Europe/Moscow"
    tonality_overrides: str = Field(
        default="", description="JSON object of lexicon overrides: term -> valence"
    )
    tonality_overrides_file: str = Field(default="", description="Path of a JSON file of lexicon overrides")

    @model_validator(mode="after")
    def _overrides_are_valid(self) -> ScoreSettings:
        try:
            self.overrides  # noqa: B018 -- parsing is the check
        except (OverrideError, OSError) as error:
            raise ValueError(str(error)) from error
        return self

    @property
    def overrides(self) -> Overrides:
        return _overrides(self.tonality_overrides, self.tonality_overrides_file)

    @field_validator("report_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.report_timezone)


class RouteSettings(CommonSettings):
    feedback_table: str
    tickets_table: str
    notify_queue_url: str
    first_response_hours: int = Field(default=24, ge=1)
    question_response_hours: int = Field(default=12, ge=1)


class NotifySettings(CommonSettings):
    tickets_table: str
    idempotency_table: str
    notify_channels: str = "outbox"
    idempotency_ttl_days: int = Field(default=7, ge=1)

    @field_validator("notify_channels")
    @classmethod
    def _known_channels(cls, value: str) -> str:
        unknown = {c.strip() for c in value.split(",")} - {"outbox", "slack"}
        if unknown:
            raise ValueError(f"unknown notify channels {sorted(unknown)}; known: outbox, slack")
        return value

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.notify_channels.split(",") if c.strip())

    @property
    def slack_webhook_parameter(self) -> str:
        return f"{self.parameter_prefix}/notify/slack-webhook-url"


class AggregateSettings(CommonSettings):
    aggregates_table: str
    marker_ttl_days: int = Field(default=14, ge=1)  # well past the stream's 24 h retention


class SlaSettings(CommonSettings):
    tickets_table: str
    notify_queue_url: str


class OpsSettings(CommonSettings):
    feedback_table: str
    tickets_table: str
    aggregates_table: str
    answer_queue_url: str

    @property
    def token_parameter(self) -> str:
        return f"{self.parameter_prefix}/ops/token"


class PollSettings(MarketplaceSettings):
    cursors_table: str
    ingest_queue_url: str
    max_pages_per_stream: int = Field(default=20, ge=1)


class FetchSettings(MarketplaceSettings):
    ingest_queue_url: str


class PublishSettings(MarketplaceSettings):
    tickets_table: str
    idempotency_table: str
    answer_dlq_url: str
    idempotency_ttl_days: int = Field(default=30, ge=1)


def load_settings(model: type[S]) -> S:
    """Read and validate the environment; a missing or bad setting names itself in the error."""
    return model()
