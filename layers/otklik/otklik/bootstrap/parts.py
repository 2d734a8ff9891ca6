"""What several builders share: the secret reader, queues, the configuration source, marketplaces.

Each part imports its adapter when it is built, so a function pays only for the parts it uses.
Everything here is built once per container by a builder and kept by the step that holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otklik.adapters import aws
from otklik.bootstrap.settings import ConfigSettings, MarketplaceSettings

if TYPE_CHECKING:
    from otklik.adapters.config_store import S3ConfigSource
    from otklik.adapters.connections import ParameterConnections
    from otklik.adapters.marketplaces.registry import ConnectorRegistry
    from otklik.adapters.queues import QueuePublisher
    from otklik.adapters.secrets import SecretReader


def secrets() -> SecretReader:
    """The SSM reader; Powertools caches each value for minutes inside it."""
    from otklik.adapters.secrets import SecretReader

    return SecretReader(aws.client("ssm"))


def queue(url: str) -> QueuePublisher:
    from otklik.adapters.queues import QueuePublisher

    return QueuePublisher(aws.client("sqs"), url)


def config_source(settings: ConfigSettings) -> S3ConfigSource:
    from otklik.adapters.config_store import S3ConfigSource

    return S3ConfigSource(aws.client("s3"), settings.config_bucket, settings.config_key)


def connections(settings: MarketplaceSettings, reader: SecretReader) -> ParameterConnections:
    from otklik.adapters.connections import ParameterConnections

    return ParameterConnections(reader, settings.connections_parameter)


def connectors(settings: MarketplaceSettings, reader: SecretReader) -> ConnectorRegistry:
    from otklik.adapters.marketplaces.registry import ConnectorRegistry, MarketplaceUrls

    urls = MarketplaceUrls(settings.wb_feedbacks_url, settings.ozon_api_url, settings.ym_api_url)
    return ConnectorRegistry(reader, urls)
