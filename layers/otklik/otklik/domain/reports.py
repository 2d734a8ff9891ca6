"""Reports: which periods are due, and what a period's report says, from its aggregates and the period
before.

A report is a day (built the next morning at `reports.hour` in the report zone), an ISO week (on Monday)
or a month (on the 1st). It reads only counters (otklik.domain.aggregates), so rebuilding a past period
gives the same numbers. It states the period's figures beside the previous period's, ranks the topics
and products complained about, names what changed most (a count change weighed by its Poisson noise, so
8 complaints after 4 outrank 104 after 100), and describes five charts (otklik.domain.charts) that a
renderer draws.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field

from otklik.domain.aggregates import (
    PERIOD_KINDS,
    PeriodError,
    PeriodKind,
    frt_percentile,
    period_days,
    period_key,
    period_start,
    previous_period,
)
from otklik.domain.charts import Chart, ChartSeries
from otklik.domain.models import Frozen

DEFAULT_TOPIC_NAMES: dict[str, str] = {
    "quality": "Качество",
    "size_fit": "Размер",
    "description_mismatch": "Не как в описании",
    "wrong_or_missing_item": "Не тот товар, некомплект",
    "delivery": "Доставка",
    "packaging": "Упаковка",
    "smell": "Запах",
    "price_value": "Цена",
    "seller_service": "Сервис продавца",
    "returns_refunds": "Возвраты",
    "counterfeit": "Подделка",
}


class ReportSettings(Frozen):
    """`reports:` in the configuration document."""

    enabled: bool = True
    hour: int = Field(
        default=9, ge=0, le=23, description="local hour (report zone) from which a day's report is due"
    )
    weekly: bool = Field(default=True, description="a report of the ISO week, on Monday")
    monthly: bool = Field(default=True, description="a report of the month, on the 1st")
    top: int = Field(default=5, ge=1, le=20, description="topics and products ranked")
    changes: int = Field(default=3, ge=1, le=10, description="changes named")
    min_change: int = Field(
        default=3, ge=1, le=10_000, description="a count below this in both periods is noise"
    )
    link_days: int = Field(
        default=7, ge=1, le=7, description="how long a report's links are valid (S3: 7 at most)"
    )
    # Topic names as the report shows them; a topic missing here shows as its name in the document.
    topic_names: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_TOPIC_NAMES))


# ---------------------------------------------------------------- periods

_ID = re.compile(r"^(day|week|month)-([0-9W-]{7,10})$")
_MONTHS = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()  # noqa: SIM905
_MONTHS_OF = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()  # noqa: SIM905
_WEEKDAYS = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]


@dataclass(frozen=True)
class ReportPeriod:
    kind: PeriodKind
    key: str  # 2026-11-22, 2026-W48, 2026-11

    @classmethod
    def of(cls, kind: str, key: str) -> ReportPeriod:
        """The period a kind and key name (PeriodError otherwise), its key in canonical form."""
        if kind not in PERIOD_KINDS:
            raise PeriodError(f"period must be one of {', '.join(PERIOD_KINDS)}")
        canonical = period_key(kind, key).partition("#")[2]
        return cls(kind, canonical)

    @classmethod
    def from_id(cls, report_id: str) -> ReportPeriod:
        """day-2026-11-22, week-2026-W48, month-2026-11; PeriodError for anything else."""
        found = _ID.match(report_id)
        if found is None:
            raise PeriodError("a report id is written like day-2026-11-22, week-2026-W48 or month-2026-11")
        return cls.of(found.group(1), found.group(2))

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.key}"

    @property
    def aggregate_key(self) -> str:
        return period_key(self.kind, self.key)

    @property
    def previous(self) -> ReportPeriod:
        return ReportPeriod(self.kind, previous_period(self.aggregate_key).partition("#")[2])

    @property
    def days(self) -> list[date]:
        return period_days(self.aggregate_key)

    @property
    def start(self) -> date:
        return period_start(self.aggregate_key)

    @property
    def end(self) -> date:
        return self.days[-1]

    def chart_days(self) -> list[date]:
        """The days the charts show: a day's report its trailing two weeks, a week's its trailing four, a
        month's its own days."""
        if self.kind == "day":
            return [self.start - timedelta(days=back) for back in range(13, -1, -1)]
        if self.kind == "week":
            return [self.end - timedelta(days=back) for back in range(27, -1, -1)]
        return self.days

    def title(self) -> str:
        if self.kind == "day":
            return f"Отчёт за {_day_text(self.start)}"
        if self.kind == "week":
            return f"Недельный отчёт: {_span_text(self.start, self.end)}"
        return f"Отчёт за {_MONTHS[self.start.month - 1]} {self.start.year}"

    def text(self) -> str:
        """The period and what it is compared with, in words."""
        before = self.previous
        if self.kind == "day":
            return (
                f"{_day_text(self.start)}, {_WEEKDAYS[self.start.weekday()]} · "
                f"сравнение с {_day_text(before.start, year=False)}"
            )
        if self.kind == "week":
            return f"неделя {self.key} · сравнение с {_span_text(before.start, before.end)}"
        return f"{self.key} · сравнение с {_MONTHS[before.start.month - 1]} {before.start.year}"

    def short(self) -> str:
        """The period in a chart's legend."""
        if self.kind == "day":
            return f"{self.start:%d.%m}"
        if self.kind == "week":
            return f"{self.start:%d.%m}–{self.end:%d.%m}"
        return f"{self.start:%m.%Y}"


def _day_text(day: date, year: bool = True) -> str:
    text = f"{day.day} {_MONTHS_OF[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _span_text(first: date, last: date) -> str:
    if first.month == last.month:
        return f"{first.day}–{last.day} {_MONTHS_OF[last.month - 1]} {last.year}"
    return f"{_day_text(first, year=first.year != last.year)} – {_day_text(last)}"


def due_periods(local_now: datetime, settings: ReportSettings) -> list[ReportPeriod]:
    """The reports due by this moment (in the report zone): yesterday's once the hour has come, last week's
    on a Monday, last month's on the 1st. Built once each: the caller skips those already built, so a run
    that failed is made good by the next hour's."""
    if not settings.enabled or local_now.hour < settings.hour:
        return []
    yesterday = local_now.date() - timedelta(days=1)
    due = [ReportPeriod.of("day", yesterday.isoformat())]
    if settings.weekly and local_now.weekday() == 0:
        year, week, _ = yesterday.isocalendar()
        due.append(ReportPeriod.of("week", f"{year}-W{week:02d}"))
    if settings.monthly and local_now.day == 1:
        due.append(ReportPeriod.of("month", f"{yesterday:%Y-%m}"))
    return due


# ---------------------------------------------------------------- what a report says

Unit = Literal["count", "share", "hours", "stars", "score"]
Counters = Mapping[str, Mapping[str, int]]
# A figure worked out of one dimension's counters (None: nothing to work it out of).
Measure = Callable[[Mapping[str, int]], float | None]


class Figure(Frozen):
    name: str
    label: str
    unit: Unit
    current: float | None = None
    previous: float | None = None


class Ranked(Frozen):
    """A topic or product, with its complaints in the period and in the one before."""

    key: str
    name: str
    current: int
    previous: int


class Change(Frozen):
    key: str
    text: str
    current: float
    previous: float
    score: float


class ChartFile(Frozen):
    file: str  # volume.png
    title: str


class Report(Frozen):
    """A built report, as report.json, the index of GET /reports and the report_ready notification hold it."""

    id: str
    kind: PeriodKind
    key: str
    title: str
    period: str
    start: date
    end: date
    built_at: datetime
    figures: tuple[Figure, ...]
    topics: tuple[Ranked, ...]
    products: tuple[Ranked, ...]
    changes: tuple[Change, ...]
    summary: str
    charts: tuple[ChartFile, ...]
    files: tuple[str, ...]

    @property
    def main_chart(self) -> str:
        return self.charts[0].file


@dataclass(frozen=True)
class ReportInput:
    """The counters a report is made of: its period's and the previous period's (every dimension), and the
    chart window's days (dimension all)."""

    current: Counters
    previous: Counters
    days: Sequence[tuple[date, Mapping[str, int]]]


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(current: Mapping[str, int], previous: Mapping[str, int]) -> tuple[Figure, ...]:
    def figure(name: str, label: str, unit: Unit, measure: Measure) -> Figure:
        return Figure(name=name, label=label, unit=unit, current=measure(current), previous=measure(previous))

    def count(name: str) -> Measure:
        return lambda c: c.get(name, 0)

    def average_rating(c: Mapping[str, int]) -> float | None:
        return round(c["rating_sum"] / c["rating_count"], 2) if c.get("rating_count") else None

    def frt_average(c: Mapping[str, int]) -> float | None:
        return round(c["frt_seconds_sum"] / c["frt_count"] / 3600, 2) if c.get("frt_count") else None

    def nps(c: Mapping[str, int]) -> float | None:
        if not c.get("nps_count"):
            return None
        return round(100 * (c.get("nps_promoters", 0) - c.get("nps_detractors", 0)) / c["nps_count"], 1)

    return (
        figure("total", "Отзывы и обращения", "count", count("total")),
        figure("arrived", "Пришло за период", "count", count("arrived")),
        figure(
            "negative_share",
            "Доля негативных",
            "share",
            lambda c: _share(c.get("label_negative", 0), c.get("total", 0)),
        ),
        figure("rating_average", "Средняя оценка", "stars", average_rating),
        figure("tickets_opened", "Тикетов открыто", "count", count("tickets_opened")),
        figure("tickets_resolved", "Тикетов решено", "count", count("tickets_resolved")),
        figure("frt_average", "Первый ответ, в среднем", "hours", frt_average),
        figure("frt_p90", "Первый ответ у 90%, не дольше", "hours", lambda c: frt_percentile(c, 0.9)),
        figure(
            "sla_met_share",
            "Первых ответов в срок",
            "share",
            lambda c: _share(c.get("sla_met", 0), c.get("sla_met", 0) + c.get("sla_missed", 0)),
        ),
        figure("sla_breached", "Просрочек SLA", "count", count("sla_breached")),
        figure("replies_published", "Ответов опубликовано", "count", count("replies_published")),
        figure("nps", "NPS", "score", nps),
        figure(
            "csat",
            "CSAT (4–5 из 5)",
            "share",
            lambda c: _share(c.get("csat_4", 0) + c.get("csat_5", 0), c.get("csat_count", 0)),
        ),
    )


def _topic_name(topic: str, settings: ReportSettings) -> str:
    return settings.topic_names.get(topic) or DEFAULT_TOPIC_NAMES.get(topic, topic)


def _product_name(source: str, product: str) -> str:
    return f"{product} ({source})"


def _ranked(
    data: ReportInput,
    settings: ReportSettings,
    wanted: Callable[[list[str]], bool],
    name: Callable[[list[str]], str],
    metric: str,
) -> tuple[Ranked, ...]:
    keys = {key for key in (*data.current, *data.previous) if wanted(key.split("#"))}
    ranked = [
        Ranked(
            key=key,
            name=name(key.split("#")),
            current=data.current.get(key, {}).get(metric, 0),
            previous=data.previous.get(key, {}).get(metric, 0),
        )
        for key in keys
    ]
    ranked = [entry for entry in ranked if entry.current]
    ranked.sort(key=lambda entry: (-entry.current, -entry.previous, entry.key))
    return tuple(ranked[: settings.top])


def _negative_topics(data: ReportInput, settings: ReportSettings) -> tuple[Ranked, ...]:
    return _ranked(
        data,
        settings,
        lambda parts: len(parts) == 3 and parts[0] == "topic" and parts[2] == "negative",
        lambda parts: _topic_name(parts[1], settings),
        "total",
    )


def _complained_products(data: ReportInput, settings: ReportSettings) -> tuple[Ranked, ...]:
    return _ranked(
        data,
        settings,
        lambda parts: len(parts) == 3 and parts[0] == "product",
        lambda parts: _product_name(parts[1], parts[2]),
        "label_negative",
    )


# ---------------------------------------------------------------- what changed most


def _number(value: float | None, unit: Unit) -> str:
    """A figure in Russian writing: 4,5; 18%; 1,2 ч; — for none."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit == "hours":
        return f"{value:.1f} ч".replace(".", ",")
    if unit == "stars":
        text = f"{value:.2f}".rstrip("0")
        return (text + "0" if text.endswith(".") else text).replace(".", ",")
    if unit == "score":
        return f"{value:+.0f}" if value else "0"
    return f"{value:.0f}"


def _times(ratio: float) -> str:
    """3,5 раза; 3 раза; 5 раз; 21 раз: the Russian word for "times" agrees with its number."""
    rounded = round(ratio, 1)
    if rounded != int(rounded):
        return f"{rounded:.1f} раза".replace(".", ",")
    whole = int(rounded)
    few = whole % 10 in (2, 3, 4) and whole % 100 not in (12, 13, 14)
    return f"{whole} {'раза' if few else 'раз'}"


def _how_much(current: float, previous: float) -> str:
    """выросли вдвое / в 3,5 раза / на 40%; снизились ...; появились; исчезли."""
    if previous == 0:
        return f"появились: 0 → {current:.0f}"
    if current == 0:
        return f"исчезли: {previous:.0f} → 0"
    grew = current > previous
    ratio = current / previous if grew else previous / current
    verb = "выросли" if grew else "снизились"
    if 1.9 <= ratio < 2.15:
        amount = "вдвое"
    elif ratio >= 2.15:
        amount = f"в {_times(ratio)}"
    else:
        amount = f"на {abs(current - previous) / previous * 100:.0f}%"
    return f"{verb} {amount}: {previous:.0f} → {current:.0f}"


# A change smaller than its own noise (the standard error of the difference) is not named.
MIN_SCORE = 1.0


def _count_changes(data: ReportInput, settings: ReportSettings) -> list[Change]:
    found: list[Change] = []
    for key in sorted({*data.current, *data.previous}):
        parts = key.split("#")
        if len(parts) == 3 and parts[0] == "topic" and parts[2] == "negative":
            metric, subject = "total", f"Жалобы по теме «{_topic_name(parts[1], settings)}»"
        elif len(parts) == 6 and parts[0] == "product" and parts[3] == "topic" and parts[5] == "negative":
            metric = "total"
            subject = (
                f"Жалобы по теме «{_topic_name(parts[4], settings)}» на товар "
                f"{_product_name(parts[1], parts[2])}"
            )
        elif len(parts) == 3 and parts[0] == "product":
            metric, subject = (
                "label_negative",
                f"Негативные отзывы о товаре {_product_name(parts[1], parts[2])}",
            )
        elif key == "all":
            metric, subject = "label_negative", "Негативные отзывы"
        else:
            continue
        now_count = data.current.get(key, {}).get(metric, 0)
        before = data.previous.get(key, {}).get(metric, 0)
        if max(now_count, before) < settings.min_change or abs(now_count - before) < 2:
            continue
        # Two Poisson counts differ by chance about sqrt(a + b): 8 after 4 is news, 104 after 100 is not.
        score = abs(now_count - before) / math.sqrt(now_count + before)
        if score < MIN_SCORE:
            continue
        found.append(
            Change(
                key=key,
                text=f"{subject} {_how_much(now_count, before)}",
                current=now_count,
                previous=before,
                score=round(score, 3),
            )
        )
    return found


def _rating_noise(current: Mapping[str, int], previous: Mapping[str, int]) -> float:
    """How much two periods' average stars differ by chance: the standard error of the difference of two
    means, from the periods' own stars histograms."""
    squares = 0.0
    for counters in (current, previous):
        count = counters.get("rating_count", 0)
        mean = counters.get("rating_sum", 0) / count
        spread = sum(counters.get(f"rating_{stars}", 0) * (stars - mean) ** 2 for stars in range(1, 6))
        variance = spread / count
        squares += max(variance, 0.25) / count  # a floor: ten fives in a row are not certainty
    return math.sqrt(squares)


def _share_noise(current: float, previous: float, current_count: int, previous_count: int) -> float:
    """The standard error of the difference of two shares (of answers in time)."""
    pooled = (current * current_count + previous * previous_count) / (current_count + previous_count)
    return max(math.sqrt(pooled * (1 - pooled) * (1 / current_count + 1 / previous_count)), 0.01)


def _rate_changes(
    figures: Sequence[Figure], current: Mapping[str, int], previous: Mapping[str, int]
) -> list[Change]:
    found: list[Change] = []
    by_name = {figure.name: figure for figure in figures}
    rating = by_name["rating_average"]
    if (
        rating.current is not None
        and rating.previous is not None
        and min(current.get("rating_count", 0), previous.get("rating_count", 0)) >= 5
        and abs(rating.current - rating.previous) >= 0.2
    ):
        verb = "выросла" if rating.current > rating.previous else "упала"
        found.append(
            Change(
                key="rating_average",
                text=(
                    f"Средняя оценка {verb}: "
                    f"{_number(rating.previous, 'stars')} → {_number(rating.current, 'stars')}"
                ),
                current=rating.current,
                previous=rating.previous,
                score=round(abs(rating.current - rating.previous) / _rating_noise(current, previous), 3),
            )
        )
    sla = by_name["sla_met_share"]
    answered = [c.get("sla_met", 0) + c.get("sla_missed", 0) for c in (current, previous)]
    if sla.current is not None and sla.previous is not None and min(answered) >= 5:
        delta = sla.current - sla.previous
        if abs(delta) >= 0.1:
            verb = "выросла" if delta > 0 else "снизилась"
            found.append(
                Change(
                    key="sla_met_share",
                    text=(
                        f"Доля первых ответов в срок {verb}: "
                        f"{_number(sla.previous, 'share')} → {_number(sla.current, 'share')}"
                    ),
                    current=sla.current,
                    previous=sla.previous,
                    score=round(abs(delta) / _share_noise(sla.current, sla.previous, *answered), 3),
                )
            )
    return [change for change in found if change.score >= MIN_SCORE]


def _covers(child: str, parent: str) -> bool:
    """Whether a change of `child` explains one of `parent`: a product's topic within the product, the
    topic, and every count within all."""
    c, p = child.split("#"), parent.split("#")
    if parent == "all":
        return child != "all" and child not in ("rating_average", "sla_met_share")
    if len(c) == 6 and len(p) == 3:
        return (p[0] == "product" and c[1:3] == p[1:3]) or (p[0] == "topic" and p[1] == c[4])
    return False


def biggest_changes(
    data: ReportInput, figures: Sequence[Figure], settings: ReportSettings
) -> tuple[Change, ...]:
    """What changed most against the previous period, most telling first; a change already explained by a
    narrower one in the same direction (the product's quality complaints behind its negative reviews) is
    left out."""
    candidates = _count_changes(data, settings) + _rate_changes(
        figures, data.current.get("all", {}), data.previous.get("all", {})
    )
    # On a tie the narrower key first: it says more (the product's quality complaints, not its reviews).
    candidates.sort(key=lambda change: (-change.score, -change.key.count("#"), change.key))
    chosen: list[Change] = []
    for change in candidates:
        grew = change.current > change.previous
        explained = any(
            (other.current > other.previous) == grew
            and abs(other.current - other.previous) >= 0.5 * abs(change.current - change.previous)
            and _covers(other.key, change.key)
            for other in chosen
        )
        if not explained:
            chosen.append(change)
        if len(chosen) == settings.changes:
            break
    return tuple(chosen)


# ---------------------------------------------------------------- the report, its charts and its data


CHARTS: tuple[ChartFile, ...] = (
    ChartFile(file="volume.png", title="Отзывы по тональности, по дням"),
    ChartFile(file="negative_topics.png", title="Темы жалоб"),
    ChartFile(file="products.png", title="Товары с наибольшим числом жалоб"),
    ChartFile(file="response.png", title="Первый ответ и доля ответов в срок, по дням"),
    ChartFile(file="rating.png", title="Средняя оценка, по дням"),
)
FILES = ("report.html", "data.csv", *(chart.file for chart in CHARTS))


def _summary(figures: Sequence[Figure], changes: Sequence[Change]) -> str:
    """Three lines for a notification: volume and tonality, the team's speed, what changed most."""
    by = {figure.name: figure for figure in figures}
    total = by["total"]
    trend = ""
    if total.previous:
        trend = f" ({(total.current or 0) / total.previous * 100 - 100:+.0f}%)"
    lines = [
        f"Отзывов и обращений: {_number(total.current, 'count')}{trend} · негативных "
        f"{_number(by['negative_share'].current, 'share')} · средняя оценка "
        f"{_number(by['rating_average'].current, 'stars')}",
        f"Тикетов открыто {_number(by['tickets_opened'].current, 'count')}, решено "
        f"{_number(by['tickets_resolved'].current, 'count')} · первый ответ в среднем "
        f"{_number(by['frt_average'].current, 'hours')} · в срок "
        f"{_number(by['sla_met_share'].current, 'share')}",
    ]
    if changes:
        lines.append(f"Главное: {changes[0].text}")
    return "\n".join(lines)


def build_report(period: ReportPeriod, data: ReportInput, settings: ReportSettings, now: datetime) -> Report:
    current, previous = data.current.get("all", {}), data.previous.get("all", {})
    figures = _figures(current, previous)
    changes = biggest_changes(data, figures, settings)
    return Report(
        id=period.id,
        kind=period.kind,
        key=period.key,
        title=period.title(),
        period=period.text(),
        start=period.start,
        end=period.end,
        built_at=now,
        figures=figures,
        topics=_negative_topics(data, settings),
        products=_complained_products(data, settings),
        changes=changes,
        summary=_summary(figures, changes),
        charts=CHARTS,
        files=FILES,
    )


def _by_day(data: ReportInput, measure: Measure) -> tuple[float | None, ...]:
    return tuple(measure(counters) for _, counters in data.days)


def report_charts(period: ReportPeriod, report: Report, data: ReportInput) -> list[Chart]:
    """The five charts, in CHARTS' order: what each shows is the report's own numbers."""
    days = tuple(day.isoformat() for day, _ in data.days)
    names = {chart.file: chart.title for chart in CHARTS}
    this, before = period.short(), period.previous.short()

    def label(name: str) -> Measure:
        return lambda counters: counters.get(f"label_{name}", 0)

    def ranked_chart(file: str, entries: Sequence[Ranked], title: str) -> Chart:
        return Chart(
            name=file.removesuffix(".png"),
            title=title,
            layout="horizontal",
            categories=tuple(entry.name for entry in entries),
            series=(
                ChartSeries(name=this, values=tuple(entry.current for entry in entries), role="current"),
                ChartSeries(name=before, values=tuple(entry.previous for entry in entries), role="previous"),
            ),
            y_label="жалоб",
        )

    def frt_hours(counters: Mapping[str, int]) -> float | None:
        count = counters.get("frt_count", 0)
        return round(counters.get("frt_seconds_sum", 0) / count / 3600, 2) if count else None

    def met_share(counters: Mapping[str, int]) -> float | None:
        return _share(counters.get("sla_met", 0), counters.get("sla_met", 0) + counters.get("sla_missed", 0))

    def rating(counters: Mapping[str, int]) -> float | None:
        count = counters.get("rating_count", 0)
        return round(counters.get("rating_sum", 0) / count, 2) if count else None

    return [
        Chart(
            name="volume",
            title=names["volume.png"],
            layout="stacked",
            categories=days,
            series=(
                ChartSeries(name="Негативные", values=_by_day(data, label("negative")), role="negative"),
                ChartSeries(name="Нейтральные", values=_by_day(data, label("neutral")), role="neutral"),
                ChartSeries(name="Позитивные", values=_by_day(data, label("positive")), role="positive"),
            ),
            y_label="отзывов и обращений",
        ),
        ranked_chart(
            "negative_topics.png", report.topics, f"{names['negative_topics.png']}: {this} и {before}"
        ),
        ranked_chart("products.png", report.products, f"{names['products.png']}: {this} и {before}"),
        Chart(
            name="response",
            title=names["response.png"],
            layout="bars_and_line",
            categories=days,
            series=(
                ChartSeries(
                    name="Первый ответ, ч (в среднем)", values=_by_day(data, frt_hours), role="measure"
                ),
                ChartSeries(name="В срок", values=_by_day(data, met_share), role="share", axis="right"),
            ),
            y_label="часы",
            y2_label="в срок",
        ),
        Chart(
            name="rating",
            title=names["rating.png"],
            layout="line",
            categories=days,
            series=(ChartSeries(name="Средняя оценка", values=_by_day(data, rating), role="measure"),),
            y_label="звёзды",
            y_range=(1.0, 5.0),
        ),
    ]


def report_csv(report: Report, data: ReportInput) -> str:
    """data.csv: every counter the report was made of (the period's and the previous period's by dimension,
    the chart window's days), and the report's figures; sorted, so the same counters give the same file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "period", "dimension", "metric", "value"])
    period = ReportPeriod(report.kind, report.key)
    for figure in report.figures:
        for scope, value, key in (
            ("figure", figure.current, period.key),
            ("figure_previous", figure.previous, period.previous.key),
        ):
            writer.writerow([scope, key, "all", figure.name, "" if value is None else value])
    for scope, key, counters in (
        ("period", period.key, data.current),
        ("previous", period.previous.key, data.previous),
    ):
        for dimension in sorted(counters):
            for metric, value in sorted(counters[dimension].items()):
                writer.writerow([scope, key, dimension, metric, value])
    for day, day_counters in data.days:
        for metric, value in sorted(day_counters.items()):
            writer.writerow(["day", day.isoformat(), "all", metric, value])
    return out.getvalue()


def formatted(figure: Figure) -> tuple[str, str, str]:
    """A figure's current and previous value in words, and the change between them."""
    now_text, before_text = _number(figure.current, figure.unit), _number(figure.previous, figure.unit)
    if figure.current is None or figure.previous is None:
        return now_text, before_text, ""
    delta = figure.current - figure.previous
    if figure.unit == "share":
        change = f"{delta * 100:+.0f} п.п."
    elif figure.unit == "count":
        change = f"{delta:+.0f}"
    else:
        change = f"{delta:+.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return now_text, before_text, change
