"""Timestamps as the tables store them: UTC, ISO 8601, whole seconds, so strings sort as times."""

from datetime import UTC, datetime


def iso_seconds(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
