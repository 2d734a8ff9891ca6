"""The connector of each marketplace, found in a table: a marketplace it does not know is an error.

Credentials are read from SSM when a connector is built (the reader caches them); rate limiters
live as long as the registry, one per account, so warm invocations keep their token buckets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from otklik.adapters.http import HttpClient
from otklik.adapters.marketplaces.ratelimit import TokenBucket
from otklik.domain.marketplaces.limits import REQUEST_RATES
from otklik.domain.marketplaces.models import Connection
from otklik.ports import Connector, NotifiedFetcher, Secrets

if TYPE_CHECKING:
    from otklik.adapters.marketplaces.yandex_market import YandexMarketConnector


class UnknownMarketplace(LookupError):
    """A connection names a marketplace no connector is registered for."""


@dataclass(frozen=True)
class MarketplaceUrls:
    """Base URLs of the platforms' APIs (fakes on loopback in tests and locally)."""

    wildberries: str
    ozon: str
    yandex_market: str


def _http() -> HttpClient:
    # Waits for a platform's rate limit are capped well inside the functions' timeouts.
    return HttpClient(timeout_seconds=10.0, max_retry_after_seconds=5.0)


class ConnectorRegistry:
    """Connectors and fetchers for connections, built from a table keyed by marketplace."""

    def __init__(self, secrets: Secrets, urls: MarketplaceUrls) -> None:
        self._secrets = secrets
        self._urls = urls
        self._limiters: dict[str, TokenBucket] = {}
        self._builders: Mapping[str, Callable[[Connection, dict[str, str]], Connector]] = {
            "wildberries": self._wildberries,
            "ozon": self._ozon,
            "yandex_market": self._yandex_market,
        }

    def _credentials(self, connection: Connection) -> dict[str, str]:
        return {name: self._secrets.get(parameter) for name, parameter in connection.credentials.items()}

    def _limiter(self, connection: Connection) -> TokenBucket:
        if connection.name not in self._limiters:
            rate = REQUEST_RATES[connection.marketplace]
            self._limiters[connection.name] = TokenBucket(rate_per_second=rate.per_second, burst=rate.burst)
        return self._limiters[connection.name]

    def _wildberries(self, connection: Connection, credentials: dict[str, str]) -> Connector:
        from otklik.adapters.marketplaces.wildberries import WildberriesConnector

        return WildberriesConnector(
            _http(), self._urls.wildberries, credentials["token"], connection, self._limiter(connection)
        )

    def _ozon(self, connection: Connection, credentials: dict[str, str]) -> Connector:
        from otklik.adapters.marketplaces.ozon import OzonConnector

        return OzonConnector(
            _http(), self._urls.ozon, credentials["client_id"], credentials["api_key"], connection
        )

    def _yandex_market(self, connection: Connection, credentials: dict[str, str]) -> YandexMarketConnector:
        from otklik.adapters.marketplaces.yandex_market import YandexMarketConnector

        return YandexMarketConnector(_http(), self._urls.yandex_market, credentials["api_key"], connection)

    def connector(self, connection: Connection) -> Connector:
        build = self._builders.get(connection.marketplace)
        if build is None:
            raise UnknownMarketplace(f"no connector for marketplace {connection.marketplace!r}")
        return build(connection, self._credentials(connection))

    def fetcher(self, connection: Connection) -> NotifiedFetcher:
        if connection.marketplace != "yandex_market":
            raise UnknownMarketplace(f"{connection.marketplace} does not notify by id: nothing to fetch")
        return self._yandex_market(connection, self._credentials(connection))
