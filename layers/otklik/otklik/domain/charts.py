"""What a report's chart shows, as plain data: the report decides what to draw, a renderer
(otklik.adapters.charts) draws it, so the numbers are tested without a drawing library.

Layouts:
- stacked: vertical bars over the categories (days), the series stacked (tonality labels);
- horizontal: a horizontal bar per category (topics, products), the series side by side (this period,
  the previous one), the largest first;
- bars_and_line: bars on the left axis, a line on the right one (first-response hours, SLA share);
- line: lines over the categories; a None value is a gap (a day without ratings).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from otklik.domain.models import Frozen

ChartLayout = Literal["stacked", "horizontal", "bars_and_line", "line"]
# What a series is, which decides its colour: tonality labels, this period against the previous one, a
# measure (hours, stars) and a share (0..1, drawn as percent).
SeriesRole = Literal["negative", "neutral", "positive", "current", "previous", "measure", "share"]


class ChartSeries(Frozen):
    name: str = Field(description="The legend's label")
    values: tuple[float | None, ...]
    role: SeriesRole
    axis: Literal["left", "right"] = "left"


class Chart(Frozen):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="The PNG's file stem: volume, ...")
    title: str
    layout: ChartLayout
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    y_label: str = ""
    y2_label: str = ""
    # A fixed range for the left axis (stars 1..5); None: from the data.
    y_range: tuple[float, float] | None = None
    empty_text: str = "нет данных за период"

    @property
    def empty(self) -> bool:
        """Nothing to draw: no category, or every value none or zero."""
        return not self.categories or not any(value for series in self.series for value in series.values)
