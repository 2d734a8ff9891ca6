"""`python -m infra.fakes`: fake Wildberries, Ozon and Yandex Market with sample data, and a fake Telegram
Bot API, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Mapping
from contextlib import ExitStack
from types import FrameType

from infra.fakes.ozon import FakeOzon
from infra.fakes.telegram import FakeTelegram
from infra.fakes.wildberries import FakeWildberries
from infra.fakes.yandex_market import FakeYandexMarket

DEFAULT_PORTS = {
    "OTKLIK_FAKE_WB_PORT": 3101,
    "OTKLIK_FAKE_OZON_PORT": 3102,
    "OTKLIK_FAKE_YM_PORT": 3103,
    "OTKLIK_FAKE_TELEGRAM_PORT": 3104,
}


def port_from(environ: Mapping[str, str], name: str) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return DEFAULT_PORTS[name]
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise SystemExit(f"{name} must be a port number, got {value!r}")
    return int(value)


def summary(
    wb: FakeWildberries, ozon: FakeOzon, ym: FakeYandexMarket, telegram: FakeTelegram | None = None
) -> str:
    """Where each fake listens, its credentials, and the settings that point otklik at it."""
    bot_api = (
        [f"  Telegram       {telegram.url}   bot token: {telegram.token}   (OTKLIK_TELEGRAM_API_URL)"]
        if telegram is not None
        else []
    )
    return "\n".join(
        [
            "",
            "otklik fakes: the marketplaces with sample data, and the Telegram Bot API",
            f"  Wildberries    {wb.url}   Authorization: {wb.token}   (rate limited: 3 req/s, burst 6)",
            f"  Ozon           {ozon.url}   Client-Id: {ozon.client_id}   Api-Key: {ozon.api_key}",
            f"  Yandex Market  {ym.url}   Api-Key: {ym.api_key}   businessId: {ym.business_id}",
            *bot_api,
            "",
            "Point otklik at them:",
            f"  export OTKLIK_WB_FEEDBACKS_URL={wb.url}",
            f"  export OTKLIK_OZON_API_URL={ozon.url}",
            f"  export OTKLIK_YM_API_URL={ym.url}",
            "",
            "Try one:",
            f"  curl -H 'Authorization: {wb.token}' \\",
            f"       '{wb.url}/api/v1/feedbacks?isAnswered=false&take=5&skip=0'",
            "",
            "Ctrl-C stops them.",
            "",
        ]
    )


def main() -> int:
    stopping = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    wb = FakeWildberries(port=port_from(os.environ, "OTKLIK_FAKE_WB_PORT"), samples=True)
    ozon = FakeOzon(port=port_from(os.environ, "OTKLIK_FAKE_OZON_PORT"), samples=True)
    ym = FakeYandexMarket(port=port_from(os.environ, "OTKLIK_FAKE_YM_PORT"), samples=True)
    telegram = FakeTelegram(port=port_from(os.environ, "OTKLIK_FAKE_TELEGRAM_PORT"))
    with ExitStack() as running:
        for fake in (wb, ozon, ym, telegram):
            try:
                running.enter_context(fake)
            except OSError as error:
                print(
                    f"cannot start fake {fake.platform} on port {fake.requested_port}: {error}",
                    file=sys.stderr,
                )
                return 1
        print(summary(wb, ozon, ym, telegram), flush=True)
        while not stopping.wait(0.5):
            pass
    print("fakes stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
