"""`python -m infra.fakes`: ports come from the environment, and the banner says where and how to connect."""

from __future__ import annotations

import pytest

from infra.fakes.__main__ import port_from, summary
from infra.fakes.ozon import FakeOzon
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket

pytestmark = pytest.mark.integration


def test_ports_default_to_3101_3102_3103_and_follow_the_environment() -> None:
    assert [
        port_from({}, name)
        for name in ("OTKLIK_FAKE_WB_PORT", "OTKLIK_FAKE_OZON_PORT", "OTKLIK_FAKE_YM_PORT")
    ] == [
        3101,
        3102,
        3103,
    ]
    assert port_from({"OTKLIK_FAKE_WB_PORT": "4101"}, "OTKLIK_FAKE_WB_PORT") == 4101
    with pytest.raises(SystemExit, match="OTKLIK_FAKE_YM_PORT"):
        port_from({"OTKLIK_FAKE_YM_PORT": "http"}, "OTKLIK_FAKE_YM_PORT")


def test_banner_names_each_url_its_credentials_and_the_settings_to_export() -> None:
    with FakeWildberries() as wb, FakeOzon() as ozon, FakeYandexMarket() as ym:
        banner = summary(wb, ozon, ym)
        urls = wb.url, ozon.url, ym.url

    assert f"export OTKLIK_WB_FEEDBACKS_URL={urls[0]}" in banner
    assert f"export OTKLIK_OZON_API_URL={urls[1]}" in banner
    assert f"export OTKLIK_YM_API_URL={urls[2]}" in banner
    for secret in ("wb-test-token", "ozon-test-key", "ym-test-key", "Client-Id: 123", "businessId: 777"):
        assert secret in banner
