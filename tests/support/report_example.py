"""The README's report picture: a week's report of a seeded synthetic shop, drawn as build_reports draws it.

    .venv/bin/python -m tests.support.report_example docs/report-example   # writes its PNGs and report.html

Five weeks of reviews on a dozen products, counted by the real aggregate maths (new_feedback_update); on the
report's week one product's quality complaints double, and the team answers more slowly midweek. Seeded,
so the same command draws the same pictures.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from otklik.adapters.charts import render_png
from otklik.domain.aggregates import add_up, new_feedback_update, period_keys, sum_batch
from otklik.domain.models import ProductRef, Topic
from otklik.domain.report_page import report_html
from otklik.domain.reports import (
    ReportInput,
    ReportPeriod,
    ReportSettings,
    build_report,
    report_charts,
    report_csv,
)
from tests.support.synthetic_spikes import poisson
from tests.unit.samples import feedback_item

PERIOD = ReportPeriod("week", "2026-W48")
PRODUCTS = [
    f"{sku}" for sku in (12345, 20871, 31144, 40020, 51873, 66120, 70707, 81234, 90012, 11223, 22334, 33445)
]
TOPICS = ("quality", "size_fit", "delivery", "packaging", "description_mismatch", "smell")


def _counters() -> dict[str, dict[str, dict[str, int]]]:
    rng = random.Random(48)
    updates = []
    first = PERIOD.start - timedelta(days=28)
    for offset in range(35):
        day = first + timedelta(days=offset)
        in_week = day >= PERIOD.start
        for n in range(poisson(rng, 70 if day.weekday() < 5 else 45)):
            product = rng.choice(PRODUCTS[: 3 + n % 9])
            stars = rng.choices((1, 2, 3, 4, 5), (8, 4, 6, 22, 60))[0]
            if in_week and product == "12345" and rng.random() < 0.2:
                stars = 1  # the week's quality problem on one product
            label = "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"
            topics: tuple[Topic, ...] = ()
            if label == "negative":
                topic = "quality" if product == "12345" and in_week else rng.choice(TOPICS)
                topics = (Topic(topic=topic, polarity="negative", evidence="—", start=0, end=1),)
            item = feedback_item(
                external_id=f"{day}-{n}", source="wildberries", rating=stars, label=label
            ).model_copy(update={"day": day.isoformat(), "product": ProductRef(id=product), "topics": topics})
            updates.append(new_feedback_update(item))
    stored: dict[str, dict[str, dict[str, int]]] = {}
    for key, cell in sum_batch(updates).items():
        stored.setdefault(key.period, {})[key.dimension] = cell
    counted = {period: add_up(cells) for period, cells in stored.items()}
    # The team's answers (what the tickets' stream would add): slower midweek in the report's week
    for offset in range(35):
        day = first + timedelta(days=offset)
        slow = day >= PERIOD.start and day.weekday() in (2, 3)
        answered = 10 + rng.randrange(6)
        hours = rng.uniform(5.0, 9.0) if slow else rng.uniform(1.0, 3.0)
        met = answered - (rng.randrange(4, 7) if slow else rng.randrange(0, 2))
        for period in period_keys(day.isoformat()):
            cell = counted.setdefault(period, {}).setdefault("all", {})
            for name, amount in (
                ("frt_count", answered),
                ("frt_seconds_sum", round(answered * hours * 3600)),
                ("sla_met", met),
                ("sla_missed", answered - met),
                ("tickets_opened", answered + 2),
                ("tickets_resolved", answered),
            ):
                cell[name] = cell.get(name, 0) + amount
    return counted


def main(folder: str) -> None:
    counted = _counters()
    data = ReportInput(
        current=counted.get(PERIOD.aggregate_key, {}),
        previous=counted.get(PERIOD.previous.aggregate_key, {}),
        days=[(day, counted.get(f"DAY#{day}", {}).get("all", {})) for day in PERIOD.chart_days()],
    )
    report = build_report(PERIOD, data, ReportSettings(), datetime(2026, 11, 30, 6, 5, tzinfo=UTC))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    images = {f"{chart.name}.png": render_png(chart) for chart in report_charts(PERIOD, report, data)}
    for name, image in images.items():
        (out / name).write_bytes(image)
    (out / "report.html").write_text(report_html(report, images, ZoneInfo("Europe/Moscow")), "utf-8")
    (out / "data.csv").write_text(report_csv(report, data), "utf-8")
    print(report.summary)
    print(f"{len(images)} charts, report.html and data.csv in {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/report-example")
