"""Fake Wildberries, Ozon, Yandex Market and Telegram Bot API servers on loopback, for tests and the stack."""

from infra.fakes.ozon import FakeOzon
from infra.fakes.server import FakeMarketplace, RecordedRequest
from infra.fakes.telegram import FakeTelegram
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket

__all__ = [
    "FakeMarketplace",
    "FakeOzon",
    "FakeTelegram",
    "FakeWildberries",
    "FakeYandexMarket",
    "RecordedRequest",
]
