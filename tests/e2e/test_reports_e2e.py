"""Reports on the local stack over HTTP: a day of the sample's webhooks counted, its report built by the CLI
(`otklik reports build`, the schedule fired with a period), stored in the reports bucket, listed by GET
/reports, its PNG charts real images, and told to the sample's subscribers: the team's Telegram chat gets
the main chart as a photo (the fake Telegram fetches it, as Telegram does), the head of support an e-mail
with every chart inline (moto's SES keeps the raw message)."""

from __future__ import annotations

import email
import email.policy
import io
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from infra.fakes.telegram import FakeTelegram
from otklik.entrypoints.cli import main
from tests.e2e.conftest import RunningStack, eventually, running_stack
from tests.support.signing import sample_body

DAY = "2026-11-22"  # the sample webhook's day (events/webhook_body_custom.json)
REPORT = f"day-{DAY}"
TEAM_CHAT = "-1009876543210"  # the sample's team-chat recipient
HEAD = "head@shop.example"  # the sample's head-of-support, told report_ready by e-mail
PNG = b"\x89PNG\r\n\x1a\n"
# Where the run leaves the report's charts for a person to look at.
PICTURES = Path(__file__).resolve().parents[2] / "build" / "e2e-report"


@dataclass
class ReportStack:
    stack: RunningStack
    telegram: FakeTelegram


@pytest.fixture(scope="module")
def report_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportStack]:
    folder = tmp_path_factory.mktemp("report-stack")
    with (
        FakeTelegram() as telegram,
        running_stack(folder / "stack.log", {"OTKLIK_LOCAL_TELEGRAM_URL": telegram.url}) as stack,
    ):
        yield ReportStack(stack, telegram)


SAMPLES = [
    {"id": "r-1", "text": "Ужасное качество, порвалось через день", "rating": 1},
    {"id": "r-2", "text": "Шов разошёлся после первой стирки, качество никакое", "rating": 1},
    {"id": "r-3", "text": "Доставка задержалась на неделю, курьер не звонил", "rating": 2},
    {"id": "r-4", "text": "Отличный рюкзак, удобный и вместительный", "rating": 5},
    {"id": "r-5", "text": "Всё понравилось, спасибо продавцу", "rating": 5},
    {"id": "r-6", "text": "Нормальный рюкзак за свои деньги", "rating": 4},
]


def _post_samples(stack: RunningStack) -> None:
    for sample in SAMPLES:
        body = sample_body(**sample)
        answer = stack.post_webhook(body)
        assert answer.status == 202, answer.body


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return bytes(answer.read())


def _reports_mailed_to(stack: RunningStack, address: str) -> list[dict[str, Any]]:
    """The raw messages moto's SES took for `address` that tell a report."""
    data = json.loads(_get(f"{stack.aws_url}/moto-api/data.json"))
    # moto keeps a MIME message (one with inline charts) under RawMessage, its text as raw_data
    return [
        m
        for m in data["ses"].get("RawMessage", [])
        if address in json.dumps(m) and "Отчёт готов" in _subject(m)
    ]


def _subject(message: dict[str, Any]) -> str:
    raw = message.get("raw_data")
    if raw:
        return str(email.message_from_string(raw, policy=email.policy.default)["Subject"] or "")
    return str(message.get("subject") or "")


def test_a_day_of_sample_data_is_reported_stored_listed_and_told_with_real_charts(
    report_stack: ReportStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack, telegram = report_stack.stack, report_stack.telegram
    # Given the sample's webhooks of one day, counted
    _post_samples(stack)

    def counted() -> dict[str, Any] | None:
        answer = stack.ops(f"/aggregates?period=day&key={DAY}&dimension=all")
        values = answer.body.get("values", {}) if answer.status == 200 else {}
        return values if values.get("all", {}).get("total") == len(SAMPLES) else None

    eventually(counted, timeout=60)

    # When the day's report is built by the command line
    assert main(["reports", "build", "--period", "day", "--key", DAY, "--stack-url", stack.api_url]) == 0
    assert f"built {REPORT}" in capsys.readouterr().out

    # Then it is listed, and its files are there behind its links
    listed = stack.ops("/reports?kind=day")
    assert listed.status == 200 and REPORT in [item["id"] for item in listed.body["items"]]
    report = stack.ops(f"/reports/{REPORT}")
    assert report.status == 200, report.body
    figures = {figure["name"]: figure["current"] for figure in report.body["figures"]}
    assert figures["total"] == len(SAMPLES)
    links = report.body["links"]
    page = _get(links["report.html"]).decode()
    assert "Отчёт за 22 ноября 2026" in page and page.count("data:image/png;base64,") == 5
    assert "scope,period,dimension,metric,value" in _get(links["data.csv"]).decode()
    PICTURES.mkdir(parents=True, exist_ok=True)
    for chart in ("volume.png", "negative_topics.png", "products.png", "response.png", "rating.png"):
        image = _get(links[chart])
        assert image.startswith(PNG), chart
        with Image.open(io.BytesIO(image)) as opened:
            assert opened.width >= 600 and opened.height >= 300, chart
            colours = opened.convert("RGB").getcolors(maxcolors=1_000_000) or []
            assert len(colours) > 10, f"{chart} is blank"  # axes, text and bars, not one flat colour
        (PICTURES / chart).write_bytes(image)

    # And the team's chat got the main chart as a photo, with the link to the page
    def photo() -> Any:
        sent = [m for m in telegram.messages_to(TEAM_CHAT) if m.method == "sendPhoto"]
        return sent[0] if sent else None

    message = eventually(photo, timeout=60)
    assert message.photo_bytes is not None and message.photo_bytes.startswith(PNG)
    assert "Отчёт готов: Отчёт за 22 ноября 2026" in message.shown

    # And the head of support an e-mail with every chart inline
    mails = eventually(lambda: _reports_mailed_to(stack, HEAD) or None, timeout=60)
    raw = mails[0].get("raw_data") or ""
    assert raw, mails[0]
    parsed = email.message_from_string(raw, policy=email.policy.default)
    images = [part for part in parsed.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 5 and all(part.get_content().startswith(PNG) for part in images)
    html = next(part for part in parsed.walk() if part.get_content_type() == "text/html").get_content()
    assert all(f"cid:{part['Content-ID'].strip('<>')}" in html for part in images)
