"""The dashboard in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against the local stack with the marketplace fakes. An agent signs in, finds a Wildberries review's ticket
in the queue, sees its topics marked in the text, approves its draft and sees it published; the fake
Wildberries got it once. Today's numbers with the last report's charts, the spike alerts and the English
interface are looked at too. Each main view's screenshot is written to build/screenshots/ for a person.

`make browser` (a step of `make test`) installs Debian's chromium; without it this module is skipped,
saying so. Playwright never downloads a browser here: it is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from otklik.adapters.alert_store import AlertStore
from otklik.domain.alerts import SpikeAlert
from tests.e2e.conftest import ROOT, TOKEN, eventually
from tests.support.marketplace_stack import MarketplaceStack, marketplace_stack, wait_idle

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is absent: the dashboard's browser test needs Debian's chromium "
        "(`make browser` installs it: apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')"
)

SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MOSCOW = ZoneInfo("Europe/Moscow")  # the local stack's ReportTimezone
AGENT = "Анна Смирнова"
REVIEW_TEXT = "Чайник протекает, доставка опоздала на неделю, коробка мятая"
# Long enough for the stack to poll, route and publish: the page looks again every 1.5 s.
PIPELINE_MS = 60_000


@dataclass
class Dashboard:
    market: MarketplaceStack
    review: dict[str, Any]
    ticket: dict[str, Any]
    browser: Any

    @property
    def url(self) -> str:
        return f"{self.market.stack.api_url}/dashboard"


def _poll(market: MarketplaceStack) -> None:
    answer = market.stack.request(
        "POST", "/_local/schedules/PollMarketplacesFunction", body=b'{"force": true}'
    )
    assert answer.status == 200, answer.body


def _ticket_for(market: MarketplaceStack, excerpt: str) -> dict[str, Any] | None:
    items = market.stack.ops("/tickets?status=open&limit=200").body["items"]
    return next((dict(t) for t in items if t["source"] == "wildberries" and excerpt in t["excerpt"]), None)


def _seed_alert(market: MarketplaceStack, ticket: dict[str, Any]) -> None:
    """A spike alert kept as detection keeps one, so the alerts view has a row to show: detection
    itself is tested in tests/unit/test_spikes.py and the stores' tests."""
    status = market.stack.request("GET", "/_local/status").body
    table = status["resources"]["AggregatesTable"]["physical_id"]
    now = datetime.now(UTC)
    alert = SpikeAlert(
        id="al_dashboard_browser_test",
        key="topic#delivery#negative",
        day=now.astimezone(MOSCOW).date(),
        topic="delivery",
        count=9,
        baseline=1.5,
        p_value=0.0004,
        raised_at=now,
        examples=("доставка опоздала на неделю", "курьер не приехал, заказ шёл месяц"),
        feedback_ids=(ticket["feedback_id"],),
    )
    assert AlertStore(market.stack.aws("dynamodb"), table).put(alert)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log = tmp_path_factory.mktemp("dashboard-stack") / "stack.log"
    with marketplace_stack(log) as market:
        market.wb.no_rate_limit()
        now = datetime.now(UTC)
        yesterday = datetime.now(MOSCOW).date() - timedelta(days=1)
        # Given a one-star review of just now, and one of yesterday noon for yesterday's report to count
        review = market.wb.add_feedback(REVIEW_TEXT, rating=1, created_at=now - timedelta(minutes=5))
        market.wb.add_feedback(
            "Крышка плохо закрывается, качество так себе",
            rating=2,
            created_at=datetime.combine(yesterday, time(12), MOSCOW),
        )
        _poll(market)
        ticket = eventually(lambda: _ticket_for(market, "протекает"), timeout=30)
        # And yesterday's report, built once the pipeline has counted both
        assert not wait_idle(market.stack, timeout=60)
        asked = json.dumps({"period": "day", "key": yesterday.isoformat()}).encode()
        built = market.stack.request("POST", "/_local/schedules/BuildReportsFunction", body=asked)
        assert built.status == 200, built.body
        eventually(lambda: market.stack.ops("/reports").body["items"], timeout=60)
        _seed_alert(market, ticket)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield Dashboard(market, review, ticket, browser)
            finally:
                browser.close()


@dataclass
class Tab:
    page: Any
    requests: list[str]
    failed: list[str]  # answers of 400 and over, and requests that got no answer
    errors: list[str]  # script errors and the console's errors (a CSP refusal is one)

    def shoot(self, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000, f"{path} looks empty"
        return path

    def only_loopback(self, refused: tuple[str, ...] = ()) -> None:
        """Everything the page loaded came from the stack on loopback (no CDN, no font, no tracker) and
        was answered, but the refusals the test asked for (`refused`: how a failure's line ends); no
        script failed and the Content-Security-Policy refused nothing."""
        outside = [url for url in self.requests if urlsplit(url).hostname not in ("127.0.0.1", None)]
        assert outside == [], outside
        failed = [line for line in self.failed if not line.endswith(refused or ("\0",))]
        assert failed == [], failed
        # Chrome logs each answer of 400 and over to the console, without its address: counted above.
        errors = [text for text in self.errors if not text.startswith("Failed to load resource: the server")]
        assert errors == [], errors


@pytest.fixture
def tab(dashboard: Dashboard) -> Iterator[Tab]:
    context = dashboard.browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="ru-RU", timezone_id="Europe/Moscow"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    opened = Tab(page, [], [], [])
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("requestfailed", lambda request: opened.failed.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda answer: answer.status >= 400 and opened.failed.append(f"{answer.url}: {answer.status}"),
    )
    page.on("console", lambda message: message.type == "error" and opened.errors.append(message.text))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()


def _sign_in(tab: Tab, dashboard: Dashboard, shoot: str | None = None) -> None:
    page = tab.page
    page.goto(dashboard.url)
    page.get_by_label("Токен").fill(TOKEN)
    page.get_by_label("Ваше имя").fill(AGENT)
    if shoot:
        tab.shoot(shoot)
    page.get_by_role("button", name="Войти").click()
    page.locator("#nav").wait_for(state="visible")


def test_an_agent_finds_a_ticket_approves_its_draft_and_sees_it_published_once(
    dashboard: Dashboard, tab: Tab
) -> None:
    page, ticket = tab.page, dashboard.ticket
    # Given the page, opened by its address with no token
    page.goto(dashboard.url)
    assert page.get_by_role("heading", name="Вход").is_visible()
    # When the agent signs in with the stack's token and their name
    _sign_in(tab, dashboard, shoot="1-signin")
    # Then the queue shows; and filtered by the ticket's team and priority, the ticket is in it
    page.get_by_role("heading", name="Очередь тикетов").wait_for()
    page.get_by_label("Команда").fill(ticket["team"])
    page.get_by_label("Приоритет").select_option(ticket["priority"])
    page.get_by_role("button", name="Показать").click()
    row = page.locator(f'tr[data-ticket="{ticket["id"]}"]')
    row.wait_for()
    assert "протекает" in row.inner_text()
    assert page.locator("#tickets tbody tr").count() == 1
    sla = row.locator(".sla")
    assert sla.inner_text().startswith(("осталось", "просрочен", "на паузе")), sla.inner_text()
    tab.shoot("2-queue")

    # When it is opened
    row.click()
    page.wait_for_url(f"**/dashboard#/tickets/{ticket['id']}")
    # Then the review's text is there with its topics' evidence marked
    text = page.locator("#feedback-text")
    text.wait_for()
    marked = {m.get_attribute("data-topic"): m.inner_text() for m in text.locator("mark.topic").all()}
    assert marked.get("delivery") == "доставка опоздала", marked
    assert text.inner_text() == REVIEW_TEXT
    # And the draft, with the check's verdict on it
    draft = dashboard.market.stack.ops(f"/tickets/{ticket['id']}/draft").body
    assert page.locator("#reply-text").input_value() == draft["draft"]["text"]
    assert "Черновик проходит проверку" in page.locator("#verdict").inner_text()
    tab.shoot("3-ticket")

    # When the agent puts a phone number into the reply and approves it
    page.get_by_label("Текст ответа").fill("Здравствуйте! Позвоните нам: +7 912 345-67-89, всё решим.")
    assert page.locator("#reply-edited").is_visible()
    page.get_by_role("button", name="Одобрить").click()
    # Then the check refuses it, saying which check and where, and nothing is sent
    refused = page.locator("#reply-outcome .refused")
    refused.wait_for()
    assert "Ответ не принят" in refused.inner_text()
    assert "contact" in refused.locator(".problems").inner_text()
    tab.shoot("3b-ticket-refused")
    assert not [a for a in dashboard.market.wb.answers if a["body"].get("id") == dashboard.review["id"]]

    # When the agent puts the draft back and approves it as it is
    page.get_by_label("Текст ответа").fill(draft["draft"]["text"])
    page.get_by_role("button", name="Одобрить").click()
    # Then the page says it was approved, and, once the pipeline has run, published
    page.locator("#reply-state[data-status='published']").wait_for(timeout=PIPELINE_MS)
    assert "опубликован" in page.locator("#reply-state").inner_text()
    assert AGENT in page.locator("#reply-state").inner_text()
    tab.shoot("4-ticket-published")
    # And the fake Wildberries got that text once, as the answer to that review
    answers = [
        a["body"]["text"]
        for a in dashboard.market.wb.answers
        if a["body"].get("id") == dashboard.review["id"]
    ]
    assert answers == [draft["draft"]["text"]]
    shown = dashboard.market.stack.ops(f"/tickets/{ticket['id']}").body
    assert shown["reply"]["approved_by"] == AGENT
    assert shown["reply"]["template"] == draft["draft"]["template"]  # the draft itself, not a copy of it
    tab.only_loopback(refused=(f"/tickets/{ticket['id']}/reply: 400",))


def test_todays_numbers_show_the_counts_and_the_last_reports_charts(dashboard: Dashboard, tab: Tab) -> None:
    # Given a signed-in agent
    _sign_in(tab, dashboard)
    page = tab.page
    # When they open «Цифры»
    page.get_by_role("link", name="Цифры").click()
    # Then today's tiles show what arrived today, and the latest report shows its charts, loaded
    tiles = page.locator("#today-tiles")
    tiles.wait_for()
    arrived = tiles.locator(".tile", has_text="Пришло сегодня").locator(".value")
    assert int(arrived.inner_text()) >= 1
    assert "wildberries" in page.locator("#sources").inner_text()
    chart = page.locator("img[data-chart='volume.png']")
    chart.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img[data-chart]')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("img[data-chart]").count() >= 3
    report = dashboard.market.stack.ops("/reports").body["items"][0]
    assert report["title"] in page.locator(".report").first.inner_text()
    tab.shoot("5-numbers")
    tab.only_loopback()


def test_spike_alerts_are_listed_with_their_counts_and_examples(dashboard: Dashboard, tab: Tab) -> None:
    _sign_in(tab, dashboard)
    page = tab.page
    page.get_by_role("link", name="Всплески").click()
    table = page.locator("#alerts")
    table.wait_for()
    row = table.locator("tbody tr").first
    assert "доставка" in row.inner_text()
    assert "9" in row.inner_text()
    assert "доставка опоздала на неделю" in row.inner_text()
    tab.shoot("6-alerts")
    tab.only_loopback()


def test_the_interface_switches_to_english_and_remembers_it(dashboard: Dashboard, tab: Tab) -> None:
    _sign_in(tab, dashboard)
    page = tab.page
    page.get_by_role("heading", name="Очередь тикетов").wait_for()
    # When the agent picks English
    page.get_by_role("button", name="English").click()
    # Then the page speaks English, and still does after a reload
    page.get_by_role("heading", name="Ticket queue").wait_for()
    page.reload()
    page.get_by_role("heading", name="Ticket queue").wait_for()
    assert page.get_by_role("link", name="Numbers").is_visible()
    assert json.loads(page.evaluate("() => JSON.stringify(localStorage.getItem('otklik.lang'))")) == "en"
    tab.shoot("7-queue-english")


def test_a_wrong_token_is_refused_on_the_sign_in_form(dashboard: Dashboard, tab: Tab) -> None:
    page = tab.page
    page.goto(dashboard.url)
    page.get_by_label("Токен").fill("not-the-token")
    page.get_by_label("Ваше имя").fill(AGENT)
    page.get_by_role("button", name="Войти").click()
    refused = page.locator("#signin-error")
    refused.wait_for()
    assert "не принят" in refused.inner_text()
    assert page.locator("#nav").is_hidden()


def test_a_notifications_ticket_link_opens_that_ticket_once_signed_in(dashboard: Dashboard, tab: Tab) -> None:
    # Given the link a notification about the ticket carries (the sample's notifications.ticket_link)
    ticket = dashboard.ticket
    link = f"{dashboard.url}#/tickets/{ticket['id']}"
    page = tab.page
    # When it is opened in a tab that has not signed in
    page.goto(link)
    assert page.get_by_role("heading", name="Вход").is_visible()
    page.get_by_label("Токен").fill(TOKEN)
    page.get_by_label("Ваше имя").fill(AGENT)
    page.get_by_role("button", name="Войти").click()
    # Then, signed in, the agent is on that ticket, not on the queue
    page.locator("#feedback-text").wait_for()
    assert page.url == link
    assert page.locator("#signin").is_hidden()
    assert ticket["id"] in page.locator("#view h1").first.inner_text()
    tab.only_loopback()
