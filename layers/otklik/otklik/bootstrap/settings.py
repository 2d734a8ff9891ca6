"""The one settings loader: a function's OTKLIK_* environment as a validated pydantic model.

Each builder declares the model of its own function's settings, from the bases below; the template
sets the variables. A missing or bad setting fails the container's start, naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PREFIX = "OTKLIK_"
S = TypeVar("S", bound="CommonSettings")


class SettingsInvalid(ValueError):
    """The environment lacks a setting or holds a bad one; each is named by its variable."""


class CommonSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "local"
    parameter_prefix: str = Field(
        default="/otklik/local", description="Where this stage's secrets live in SSM"
    )


class ConfigSettings(CommonSettings):
    """Where the configuration document is: an object in the stack's ConfigBucket."""

    config_bucket: str
    config_key: str = "otklik.yaml"


class MarketplaceSettings(CommonSettings):
    """Where the marketplace APIs are (fakes on loopback in tests and locally), and the connections."""

    wb_feedbacks_url: str = "https://feedbacks-api.wildberries.ru"
    ozon_api_url: str = "https://api-seller.ozon.ru"
    ym_api_url: str = "https://api.partner.market.yandex.ru"

    @property
    def connections_parameter(self) -> str:
        return f"{self.parameter_prefix}/marketplaces/connections"


class TimezoneSettings(CommonSettings):
    report_timezone: str = "Europe/Moscow"

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


def load_settings(model: type[S], environ: Mapping[str, str] | None = None) -> S:
    """Read and validate the OTKLIK_* variables (names case-insensitive) into model."""
    source = os.environ if environ is None else environ
    values = {
        name[len(PREFIX) :].lower(): value
        for name, value in source.items()
        if name.upper().startswith(PREFIX)
    }
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{PREFIX}{'_'.join(str(part) for part in detail['loc']).upper()}: {detail['msg']}"
            for detail in error.errors(include_url=False)
        )
        raise SettingsInvalid(f"{model.__name__}: {problems}") from None
