"""Fake Wildberries, Ozon and Yandex Market servers on loopback, for tests and the local stack."""

from infra.fakes.ozon import FakeOzon
from infra.fakes.server import FakeMarketplace, RecordedRequest
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket

__all__ = ["FakeMarketplace", "FakeOzon", "FakeWildberries", "FakeYandexMarket", "RecordedRequest"]
