"""Draws a report's chart (otklik.domain.charts.Chart) as an 800x400 px PNG with matplotlib's Agg backend.

Only the report builder imports this module: matplotlib comes from its own Lambda layer (layers/charts),
so no other function pays for it, and an import-linter contract keeps it that way. matplotlib writes its
font cache into its config directory, and the Lambda home directory is read-only: the function's
environment sets MPLCONFIGDIR=/tmp/matplotlib (template.yaml); this module reads no environment.

Each call draws on a Figure of its own, never through pyplot (whose current figure is global state), so
calls do not share a drawing. The PNG carries no software name or date, so the same chart gives the same
bytes and a rebuilt report equals its first build. The text is DejaVu Sans, matplotlib's bundled default,
which has Cyrillic.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Callable, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from otklik.domain.charts import Chart, ChartLayout, ChartSeries, SeriesRole

# 800x400 px: read at ~600 px wide in a mail client, it scales down and stays legible.
WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.0, 100
SIZE_PX = (round(WIDTH_INCHES * DPI), round(HEIGHT_INCHES * DPI))

# A series' colour is its role's. Red and green differ in lightness as well as hue, and a stack keeps the
# domain's order with white seams, so a red-green colour-blind reader still tells them apart; this period
# against the previous one is saturated blue against pale grey-blue; a share (orange) on a blue measure.
COLOURS: dict[SeriesRole, str] = {
    "negative": "#d32f2f",
    "neutral": "#bdbdbd",
    "positive": "#43a047",
    "current": "#1d4ed8",
    "previous": "#93a3b8",
    "measure": "#1d4ed8",
    "share": "#f59e0b",
}
INK, MUTED, GRID, WHITE = "#1f2937", "#4b5563", "#e5e7eb", "#ffffff"
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, VALUE_SIZE = 12, 10, 9, 8

# A title line of more than this many characters would not fit the width.
TITLE_CHARS = 72
# A product's name runs to ~60 characters: a row label is cut to this many pixels, measured (a character
# count would let wide letters, "Ж", "Ш", through), so the bars keep most of the width.
ROW_LABEL_PX = 300
# A category under a vertical bar (a day, a week, a channel) is cut to this many.
COLUMN_LABEL_PX = 110
# Up to this many days the labels stand upright and each bar gets its total; more are turned and thinned.
UPRIGHT_DAYS, MAX_DAY_LABELS = 16, 31
ISO_DAY = re.compile(r"^\d{4}-(\d{2})-(\d{2})$")


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes, SIZE_PX big; an empty chart shows its title and its empty text."""
    buffer = io.BytesIO()
    # No "Software" entry (matplotlib's version): the bytes depend on the chart alone.
    draw(chart).savefig(buffer, format="png", dpi=DPI, facecolor=WHITE, metadata={"Software": None})
    return buffer.getvalue()


def draw(chart: Chart) -> Figure:
    """The chart on a Figure of its own with an Agg canvas (render_png saves it; tests read it)."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, facecolor=WHITE, layout="constrained")
    FigureCanvasAgg(figure)
    if chart.empty:
        _draw_empty(figure, chart)
    else:
        DRAWERS[chart.layout](figure, chart)
    return figure


def _draw_empty(figure: Figure, chart: Chart) -> None:
    axes = figure.add_subplot()
    axes.set_axis_off()
    _title(figure, chart)
    axes.text(
        0.5,
        0.5,
        chart.empty_text,
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=14,
        color=MUTED,
        parse_math=False,
    )


def _draw_stacked(figure: Figure, chart: Chart) -> None:
    axes = _value_axes(figure, chart)
    positions = list(range(len(chart.categories)))
    bottoms = [0.0] * len(positions)
    # A series with nothing to stack draws no zero-high bars and gets no legend entry: a colour in the
    # legend that appears nowhere in the chart would only be looked for.
    left = [series for series in _on_axis(chart, "left") if any(series.values)]
    top = None
    for series in left:
        heights = _bar_values(series)
        top = axes.bar(
            positions,
            heights,
            bottom=bottoms,
            width=0.75,
            color=COLOURS[series.role],
            edgecolor=WHITE,
            linewidth=0.6,
            label=series.name,
        )
        bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]
    if top is not None and len(positions) <= UPRIGHT_DAYS:
        # The day's total over its stack (the top series' bars end there, zero-high ones too).
        axes.bar_label(
            top,
            labels=[_number(total) if total else "" for total in bottoms],
            padding=2,
            fontsize=VALUE_SIZE,
            color=INK,
        )
        axes.margins(y=0.08)
    _category_ticks(figure, axes, chart.categories)
    _integer_ticks_if_counts(axes, left)
    _legend(figure, [axes, *_right_lines(axes, chart, positions)])


def _draw_horizontal(figure: Figure, chart: Chart) -> None:
    axes = _axes(figure, chart)
    ranking = _ranking_series(chart.series)
    # The largest first, from the top down (the axis is turned so row 0 is the top one).
    rows = sorted(range(len(chart.categories)), key=lambda row: -(ranking.values[row] or 0.0))
    group = sorted(chart.series, key=lambda series: {"current": 0, "previous": 1}.get(series.role, 2))
    height = 0.8 / len(group)
    largest = 0.0
    for index, series in enumerate(group):
        values = [series.values[row] for row in rows]
        offset = (index - (len(group) - 1) / 2) * height
        bars = axes.barh(
            [place + offset for place in range(len(rows))],
            [value or 0.0 for value in values],
            height=height * 0.9,
            color=COLOURS[series.role],
            label=series.name,
        )
        axes.bar_label(
            bars,
            labels=[_number(value) if value is not None else "" for value in values],
            padding=3,
            fontsize=VALUE_SIZE,
            color=INK,
        )
        largest = max([largest, *(value or 0.0 for value in values)])
    labels = [_shorten(figure, chart.categories[row], ROW_LABEL_PX) for row in rows]
    axes.set_yticks(range(len(rows)), labels, fontsize=TICK_SIZE, parse_math=False)
    axes.invert_yaxis()
    # Room at the right for the longest bar's value label.
    axes.set_xlim(0, largest * 1.15 if largest > 0 else 1)
    axes.xaxis.set_major_formatter(FuncFormatter(_tick))
    if all(_is_whole(value) for series in group for value in series.values):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="x", color=GRID, linewidth=0.8)
    axes.tick_params(axis="y", length=0)
    # The values run along x here: the chart's value label goes under it.
    axes.set_xlabel(chart.y_label, fontsize=LABEL_SIZE, color=INK)
    _legend(figure, [axes])


def _draw_bars_and_line(figure: Figure, chart: Chart) -> None:
    axes = _value_axes(figure, chart)
    positions = list(range(len(chart.categories)))
    left = _on_axis(chart, "left")
    width = 0.75 / max(len(left), 1)
    for index, series in enumerate(left):
        offset = (index - (len(left) - 1) / 2) * width
        axes.bar(
            [place + offset for place in positions],
            _bar_values(series),
            width=width * 0.92,
            color=COLOURS[series.role],
            label=series.name,
        )
    _category_ticks(figure, axes, chart.categories)
    _integer_ticks_if_counts(axes, left)
    _legend(figure, [axes, *_right_lines(axes, chart, positions)])


def _draw_line(figure: Figure, chart: Chart) -> None:
    axes = _value_axes(figure, chart)
    positions = list(range(len(chart.categories)))
    for series in _on_axis(chart, "left"):
        _plot(axes, positions, _scaled(series), series)
    if chart.y_range is not None:
        axes.set_ylim(*chart.y_range)
    axes.set_xlim(-0.5, len(positions) - 0.5)
    _category_ticks(figure, axes, chart.categories)
    _legend(figure, [axes, *_right_lines(axes, chart, positions)])


DRAWERS: dict[ChartLayout, Callable[[Figure, Chart], None]] = {
    "stacked": _draw_stacked,
    "horizontal": _draw_horizontal,
    "bars_and_line": _draw_bars_and_line,
    "line": _draw_line,
}


def _axes(figure: Figure, chart: Chart) -> Axes:
    axes = figure.add_subplot()
    axes.set_facecolor(WHITE)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#9ca3af")
    axes.tick_params(labelsize=TICK_SIZE, colors=INK)
    _title(figure, chart)
    return axes


def _value_axes(figure: Figure, chart: Chart) -> Axes:
    """Axes with the values up the left side: light horizontal gridlines, the left label, the fixed range."""
    axes = _axes(figure, chart)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_ylabel(chart.y_label, fontsize=LABEL_SIZE, color=INK)
    axes.yaxis.set_major_formatter(FuncFormatter(_tick))
    if chart.y_range is not None:
        axes.set_ylim(*chart.y_range)
    return axes


def _title(figure: Figure, chart: Chart) -> None:
    # The figure's, at its left edge: over the axes, a horizontal chart's long row labels would push a
    # left-aligned title off the right side. Wrapped, so a long one stays inside the width too.
    figure.suptitle(
        textwrap.fill(chart.title, TITLE_CHARS),
        x=0.012,
        ha="left",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        color=INK,
        parse_math=False,
    )


def _right_lines(axes: Axes, chart: Chart, positions: list[int]) -> list[Axes]:
    """The right axis' series as lines with markers on a twin axis (none: no twin); a share in percent."""
    right = _on_axis(chart, "right")
    if not right:
        return []
    twin = axes.twinx()
    for series in right:
        _plot(twin, positions, _scaled(series), series)
    twin.spines["top"].set_visible(False)
    twin.spines["right"].set_color("#9ca3af")
    twin.tick_params(labelsize=TICK_SIZE, colors=INK)
    twin.set_ylabel(chart.y2_label, fontsize=LABEL_SIZE, color=INK)
    if any(series.role == "share" for series in right):
        twin.set_ylim(0, 100)
        twin.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    else:
        twin.set_ylim(bottom=0)
        twin.yaxis.set_major_formatter(FuncFormatter(_tick))
    return [twin]


def _plot(axes: Axes, positions: list[int], values: list[float], series: ChartSeries) -> None:
    # NaN (a None value) breaks the line: a day without data is a gap, not a dip to zero. Not clipped:
    # a point on the axis' limit (a share of 100 %) shows its whole marker.
    axes.plot(
        positions,
        values,
        color=COLOURS[series.role],
        linewidth=2,
        marker="o",
        markersize=4.5,
        label=series.name,
        clip_on=False,
        zorder=3,
    )


def _legend(figure: Figure, axes: Sequence[Axes]) -> None:
    """One legend under the plot for every series drawn on every axis; none for a lone series."""
    handles, labels = [], []
    for each in axes:
        more_handles, more_labels = each.get_legend_handles_labels()
        handles += more_handles
        labels += more_labels
    if len(labels) > 1:
        legend = figure.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(labels), 4),
            frameon=False,
            fontsize=TICK_SIZE,
        )
        for text in legend.get_texts():
            text.set_parse_math(False)


def _category_ticks(figure: Figure, axes: Axes, categories: Sequence[str]) -> None:
    """Day labels as "22.11", upright up to UPRIGHT_DAYS, turned beyond, every n-th past MAX_DAY_LABELS."""
    step = math.ceil(len(categories) / MAX_DAY_LABELS)
    places = list(range(0, len(categories), step))
    labels = [_shorten(figure, _short_day(categories[place]), COLUMN_LABEL_PX) for place in places]
    if len(categories) <= UPRIGHT_DAYS:
        axes.set_xticks(places, labels, parse_math=False)
    else:
        axes.set_xticks(places, labels, parse_math=False, rotation=45, ha="right", rotation_mode="anchor")
    axes.tick_params(axis="x", length=0)


def _integer_ticks_if_counts(axes: Axes, series: Sequence[ChartSeries]) -> None:
    # Counts (feedback a day) get whole-number ticks: no "2.5 reviews".
    if all(_is_whole(value) for each in series for value in each.values):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _on_axis(chart: Chart, axis: str) -> list[ChartSeries]:
    return [series for series in chart.series if series.axis == axis]


def _ranking_series(series: Sequence[ChartSeries]) -> ChartSeries:
    """The series the rows are ordered by: this period's, else the first."""
    return next((each for each in series if each.role == "current"), series[0])


def _bar_values(series: ChartSeries) -> list[float]:
    return [value or 0.0 for value in series.values]


def _scaled(series: ChartSeries) -> list[float]:
    """A line's points, a share (0..1) as percent, None as NaN (a gap)."""
    factor = 100.0 if series.role == "share" else 1.0
    return [math.nan if value is None else value * factor for value in series.values]


def _short_day(category: str) -> str:
    """ "2026-11-22" as "22.11"; any other category as it is."""
    match = ISO_DAY.match(category)
    return f"{match.group(2)}.{match.group(1)}" if match else category


def _shorten(figure: Figure, text: str, limit_px: float) -> str:
    """The text, or its longest beginning that fits limit_px with "…" after it, as a tick label is drawn."""
    # The Agg canvas render_png attached (the base canvas' type does not declare a renderer).
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    font = FontProperties(size=TICK_SIZE)

    def width(candidate: str) -> float:
        return float(renderer.get_text_width_height_descent(candidate, font, ismath=False)[0])

    if width(text) <= limit_px:
        return text
    low, high = 0, len(text) - 1
    while low < high:  # the longest kept beginning whose cut form fits
        middle = (low + high + 1) // 2
        if width(_cut(text, middle)) <= limit_px:
            low = middle
        else:
            high = middle - 1
    return _cut(text, low)


def _cut(text: str, keep: int) -> str:
    return text[:keep].rstrip(" ,.;:-(") + "…"


def _is_whole(value: float | None) -> bool:
    return value is None or float(value).is_integer()


def _number(value: float) -> str:
    """A value label the Russian way: "12", "3,5", "1 250" (a no-break space between thousands)."""
    rounded = round(value, 1)
    text = f"{rounded:,.0f}" if float(rounded).is_integer() else f"{rounded:,.1f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def _tick(value: float, _position: float | None) -> str:
    rounded = round(value, 2)
    text = f"{rounded:,.0f}" if float(rounded).is_integer() else f"{rounded:,.2f}".rstrip("0")
    return text.replace(",", "\u00a0").replace(".", ",")
