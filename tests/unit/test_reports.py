"""Reports: which are due when, and what one says from its counters: figures beside the previous period's,
the topics and products complained about, what changed most, its charts, its page and its data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.aggregates import PeriodError, add_up, new_feedback_update, sum_batch
from otklik.domain.config import ConfigInvalid, parse_config
from otklik.domain.models import FeedbackItem, ProductRef, Topic
from otklik.domain.report_page import report_html
from otklik.domain.reports import (
    ReportInput,
    ReportPeriod,
    ReportSettings,
    build_report,
    due_periods,
    report_charts,
    report_csv,
)
from tests.unit.samples import feedback_item

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 2, 6, 5, tzinfo=UTC)  # 09:05 in Moscow, a Wednesday
SETTINGS = ReportSettings()


def _local(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, 5, tzinfo=MOSCOW)


# ---------------------------------------------------------------- when reports are due


def test_yesterdays_report_is_due_from_the_configured_hour_on() -> None:
    assert due_periods(_local(2026, 12, 2, 8), SETTINGS) == []
    assert due_periods(_local(2026, 12, 2, 9), SETTINGS) == [ReportPeriod("day", "2026-12-01")]
    # a run that failed at nine is made good by a later one the same day
    assert due_periods(_local(2026, 12, 2, 15), SETTINGS) == [ReportPeriod("day", "2026-12-01")]
    assert due_periods(_local(2026, 12, 2, 9), SETTINGS.model_copy(update={"hour": 10})) == []


def test_on_monday_last_weeks_report_and_on_the_first_last_months_are_due_too() -> None:
    monday = due_periods(_local(2026, 11, 30, 9), SETTINGS)
    assert monday == [ReportPeriod("day", "2026-11-29"), ReportPeriod("week", "2026-W48")]

    first = due_periods(_local(2026, 12, 1, 9), SETTINGS)
    assert first == [ReportPeriod("day", "2026-11-30"), ReportPeriod("month", "2026-11")]

    quiet = SETTINGS.model_copy(update={"weekly": False, "monthly": False})
    assert due_periods(_local(2026, 11, 30, 9), quiet) == [ReportPeriod("day", "2026-11-29")]
    assert due_periods(_local(2026, 11, 30, 9), SETTINGS.model_copy(update={"enabled": False})) == []


def test_a_period_is_named_by_its_id_and_knows_the_one_before() -> None:
    week = ReportPeriod.from_id("week-2026-W01")
    assert (week.start, week.end) == (date(2025, 12, 29), date(2027 - 1, 1, 4))
    assert week.previous == ReportPeriod("week", "2025-W52")
    assert ReportPeriod.from_id("month-2026-01").previous == ReportPeriod("month", "2025-12")
    assert ReportPeriod.from_id("day-2026-03-01").previous == ReportPeriod("day", "2026-02-28")
    assert ReportPeriod.of("week", "2026-W9").id == "week-2026-W09"

    assert ReportPeriod("day", "2026-12-01").title() == "Отчёт за 1 декабря 2026"
    assert ReportPeriod("week", "2026-W48").title() == "Недельный отчёт: 23–29 ноября 2026"
    assert ReportPeriod("month", "2026-11").title() == "Отчёт за ноябрь 2026"
    assert ReportPeriod("day", "2026-12-01").text() == "1 декабря 2026, вторник · сравнение с 30 ноября"


@pytest.mark.parametrize("bad", ["day-2026-13-01", "week-2026-W60", "year-2026", "day-", "../etc/passwd"])
def test_an_id_that_names_no_period_is_refused(bad: str) -> None:
    with pytest.raises(PeriodError):
        ReportPeriod.from_id(bad)


def test_the_charts_show_two_weeks_for_a_day_four_for_a_week_and_the_month_itself() -> None:
    day = ReportPeriod("day", "2026-12-01").chart_days()
    assert (len(day), day[-1]) == (14, date(2026, 12, 1))
    week = ReportPeriod("week", "2026-W48").chart_days()
    assert (len(week), week[0], week[-1]) == (28, date(2026, 11, 2), date(2026, 11, 29))
    assert len(ReportPeriod("month", "2026-02").chart_days()) == 28


# ---------------------------------------------------------------- what a report says


def _complaint(
    n: int, *, product: str = "12345", topic: str = "quality", day: str = "2026-12-01"
) -> FeedbackItem:
    item = feedback_item(
        external_id=f"{day}-{product}-{topic}-{n}", source="wildberries", rating=1, label="negative"
    )
    return item.model_copy(
        update={
            "day": day,
            "product": ProductRef(id=product),
            "topics": (Topic(topic=topic, polarity="negative", evidence="шов", start=0, end=3),),
        }
    )


def _praise(n: int, day: str = "2026-12-01") -> FeedbackItem:
    item = feedback_item(external_id=f"{day}-praise-{n}", source="wildberries", rating=5, label="positive")
    return item.model_copy(update={"day": day, "product": ProductRef(id="777")})


def _counters(items: Iterable[FeedbackItem], period: str) -> dict[str, dict[str, int]]:
    """What AggregatesTable would hold for the period after counting the items (the real aggregate maths)."""
    summed = sum_batch(new_feedback_update(item) for item in items)
    return add_up({key.dimension: cell for key, cell in summed.items() if key.period == period})


def _input(today: list[FeedbackItem], yesterday: list[FeedbackItem]) -> ReportInput:
    days = [date(2026, 12, 1) - timedelta(days=back) for back in range(13, -1, -1)]
    everything = today + yesterday
    return ReportInput(
        current=_counters(today, "DAY#2026-12-01"),
        previous=_counters(yesterday, "DAY#2026-11-30"),
        days=[(day, _counters(everything, f"DAY#{day}").get("all", {})) for day in days],
    )


PERIOD = ReportPeriod("day", "2026-12-01")


def _report(today: list[FeedbackItem], yesterday: list[FeedbackItem], settings: ReportSettings = SETTINGS):  # type: ignore[no-untyped-def]
    data = _input(today, yesterday)
    return build_report(PERIOD, data, settings, NOW), data


def test_the_figures_stand_beside_the_previous_periods() -> None:
    today = [_complaint(n) for n in range(6)] + [_praise(n) for n in range(4)]
    yesterday = [_complaint(n, day="2026-11-30") for n in range(2)] + [
        _praise(n, "2026-11-30") for n in range(8)
    ]

    report, _ = _report(today, yesterday)

    figures = {figure.name: figure for figure in report.figures}
    assert (figures["total"].current, figures["total"].previous) == (10, 10)
    assert (figures["negative_share"].current, figures["negative_share"].previous) == (0.6, 0.2)
    assert (figures["rating_average"].current, figures["rating_average"].previous) == (2.6, 4.2)
    assert figures["nps"].current is None  # no survey answers: no NPS, not a zero
    assert report.title == "Отчёт за 1 декабря 2026"
    assert "Отзывов и обращений: 10 (+0%) · негативных 60% · средняя оценка 2,6" in report.summary


def test_the_topics_and_products_complained_about_most_come_first() -> None:
    today = (
        [_complaint(n, topic="quality") for n in range(5)]
        + [_complaint(n, topic="delivery", product="999") for n in range(2)]
        + [_complaint(n, topic="smell", product="555") for n in range(3)]
    )
    yesterday = [_complaint(n, topic="delivery", product="999", day="2026-11-30") for n in range(4)]

    report, _ = _report(today, yesterday)

    assert [(t.name, t.current, t.previous) for t in report.topics] == [
        ("Качество", 5, 0),
        ("Запах", 3, 0),
        ("Доставка", 2, 4),
    ]
    assert [(p.name, p.current) for p in report.products][:1] == [("12345 (wildberries)", 5)]


def test_it_names_the_change_that_stands_out_from_its_noise_first() -> None:
    # quality complaints on one product double (4 -> 8) while a big, steady product moves 100 -> 104
    today = [_complaint(n) for n in range(8)] + [
        _complaint(n, product="big", topic="size_fit") for n in range(104)
    ]
    yesterday = [_complaint(n, day="2026-11-30") for n in range(4)] + [
        _complaint(n, product="big", topic="size_fit", day="2026-11-30") for n in range(100)
    ]

    report, _ = _report(today, yesterday)

    texts = [change.text for change in report.changes]
    assert texts[0] == "Жалобы по теме «Качество» на товар 12345 (wildberries) выросли вдвое: 4 → 8"
    # the same four complaints are the product's negative reviews and the topic's: told once, not thrice
    assert not any(text.startswith("Негативные отзывы о товаре 12345") for text in texts)
    assert not any(text.startswith("Жалобы по теме «Качество» выросли") for text in texts)
    assert not any("big" in text for text in texts)
    assert report.summary.endswith("Главное: " + texts[0])


def test_small_counts_are_noise_and_a_new_problem_is_said_to_appear() -> None:
    report, _ = _report([_complaint(1), _complaint(2)], [])
    assert report.changes == ()

    report, _ = _report([_complaint(n, topic="counterfeit") for n in range(6)], [])
    assert "Жалобы по теме «Подделка» на товар 12345 (wildberries) появились: 0 → 6" in [
        change.text for change in report.changes
    ]


def test_a_falling_rating_is_named_and_a_seller_may_rename_topics() -> None:
    today = [_complaint(n, topic="packaging") for n in range(5)] + [_praise(n) for n in range(5)]
    yesterday = [_praise(n, "2026-11-30") for n in range(10)]
    settings = SETTINGS.model_copy(update={"topic_names": {"packaging": "Коробка"}, "changes": 10})

    report, _ = _report(today, yesterday, settings)

    texts = [change.text for change in report.changes]
    assert "Средняя оценка упала: 5,0 → 3,0" in texts
    assert report.topics[0].name == "Коробка"


# ---------------------------------------------------------------- charts, page and data


def test_the_charts_draw_the_reports_own_numbers() -> None:
    today = [_complaint(n) for n in range(3)] + [_praise(n) for n in range(2)]
    yesterday = [_praise(n, "2026-11-30") for n in range(4)]
    report, data = _report(today, yesterday)

    charts = {chart.name: chart for chart in report_charts(PERIOD, report, data)}

    assert [f"{name}.png" for name in charts] == [chart.file for chart in report.charts]
    volume = charts["volume"]
    assert volume.categories[-2:] == ("2026-11-30", "2026-12-01")
    by_role = {series.role: series.values for series in volume.series}
    assert (by_role["negative"][-1], by_role["positive"][-1], by_role["positive"][-2]) == (3, 2, 4)
    rating = charts["rating"].series[0].values
    assert (rating[-1], rating[-2], rating[0]) == (2.6, 5.0, None)  # a day without ratings is a gap
    assert charts["negative_topics"].categories == ("Качество",)
    assert charts["negative_topics"].series[0].values == (3,)
    assert charts["response"].empty  # no ticket answered in the window: said so, not a flat zero line


def test_the_page_embeds_its_charts_and_escapes_every_name() -> None:
    hostile = "<script>alert(1)</script>"
    today = [_complaint(n, product=hostile) for n in range(4)]
    report, _ = _report(today, [])

    page = report_html(report, {"volume.png": b"\x89PNG fake"}, MOSCOW)

    assert hostile not in page and "&lt;script&gt;" in page
    assert page.count("data:image/png;base64,") == 1  # the one chart given; the others say they are missing
    assert page.count("График не построен.") == len(report.charts) - 1
    assert "построен 02.12.2026 09:05" in page  # in the report zone


def test_data_csv_holds_every_counter_the_report_was_made_of() -> None:
    today = [_complaint(n) for n in range(3)] + [_praise(n) for n in range(2)]
    report, data = _report(today, [_praise(1, "2026-11-30")])

    rows = list(csv.DictReader(io.StringIO(report_csv(report, data))))

    period = {(r["dimension"], r["metric"]): r["value"] for r in rows if r["scope"] == "period"}
    assert period[("all", "total")] == "5"
    assert period[("product#wildberries#12345#topic#quality#negative", "total")] == "3"
    previous = {(r["dimension"], r["metric"]): r["value"] for r in rows if r["scope"] == "previous"}
    assert previous[("all", "label_positive")] == "1"
    figures = {r["metric"]: r["value"] for r in rows if r["scope"] == "figure"}
    assert figures["negative_share"] == "0.6"
    assert figures["nps"] == ""  # none, not zero
    days = [r for r in rows if r["scope"] == "day" and r["metric"] == "total"]
    assert [(r["period"], r["value"]) for r in days] == [("2026-11-30", "1"), ("2026-12-01", "5")]


# ---------------------------------------------------------------- the document's reports section


def test_a_seller_sets_the_reports_in_the_document_and_a_wrong_setting_is_named() -> None:
    config = parse_config("reports:\n  hour: 7\n  weekly: false\n  topic_names: {quality: Брак}\n")
    assert (config.reports.hour, config.reports.weekly) == (7, False)
    assert config.reports.topic_names == {"quality": "Брак"}

    with pytest.raises(ConfigInvalid) as refused:
        parse_config("reports:\n  hour: 25\n  daily: true\n")
    text = str(refused.value)
    assert "reports.hour" in text and "reports.daily" in text


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [(3, 12, "выросли в 4 раза: 3 → 12"), (3, 15, "выросли в 5 раз: 3 → 15"),
     (4, 10, "выросли в 2,5 раза: 4 → 10"), (10, 5, "снизились вдвое: 10 → 5"),
     (40, 28, "снизились на 30%: 40 → 28")],
)  # fmt: skip
def test_a_change_is_said_in_words_that_agree_with_its_number(before: int, after: int, said: str) -> None:
    today = [_complaint(n, topic="smell") for n in range(after)]
    yesterday = [_complaint(n, topic="smell", day="2026-11-30") for n in range(before)]

    report, _ = _report(today, yesterday, SETTINGS.model_copy(update={"changes": 10}))

    assert f"Жалобы по теме «Запах» на товар 12345 (wildberries) {said}" in [c.text for c in report.changes]


def test_the_report_list_checks_its_parameters_before_it_reads() -> None:
    from otklik.domain.errors import InvalidRequest
    from otklik.usecases.ops import list_reports

    class Nothing:
        def latest(self, kind: str | None, limit: int) -> list[object]:
            raise AssertionError("read with a bad parameter")

    for bad in ({"kind": "year"}, {"limit": "0"}, {"limit": "101"}, {"limit": "9" * 5000}, {"limit": "٣"}):
        with pytest.raises(InvalidRequest):
            list_reports(Nothing(), bad)  # type: ignore[arg-type]
