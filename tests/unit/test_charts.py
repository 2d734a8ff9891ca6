"""The reports' PNG charts (otklik.adapters.charts): each layout drawn at the mail size, colours by
role, Russian text without missing glyphs, long product names kept inside, a share in percent, gaps."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from otklik.adapters.charts import COLOURS, SIZE_PX, draw, render_png
from otklik.domain.charts import Chart, ChartSeries, SeriesRole

DAYS = tuple(f"2026-11-{day:02d}" for day in range(9, 23))
NEGATIVE = (12, 8, 15, 22, 9, 5, 7, 18, 25, 11, 6, 9, 14, 20)
NEUTRAL = (10, 12, 9, 14, 11, 6, 5, 13, 15, 12, 8, 7, 10, 11)
POSITIVE = (30, 41, 28, 35, 44, 25, 22, 38, 60, 33, 27, 29, 36, 40)
PRODUCTS = (
    "Платье летнее льняное, синее (WB 12345678)",
    "Куртка демисезонная мужская с капюшоном, чёрная (Ozon 987654321)",
    "Кроссовки беговые женские, белые, размерная сетка маломерит (YM 55501234)",
    "Рюкзак городской водонепроницаемый 25 л, серый, с отделением для ноутбука (WB 44556677)",
    "Футболка хлопковая оверсайз, бежевая — «базовая» коллекция (WB 99887766)",
    "Джинсы прямые классические, синие, высокая посадка, стрейч (Ozon 123123123)",
    "Шарф шерстяной в клетку, двусторонний, подарочная упаковка (WB 31415926)",
    "ЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩЖШЩ (WB 1)",
    "Чехол для телефона силиконовый прозрачный, усиленные углы № 7 (WB 27182818)",
    "Постельное бельё евро, сатин, ёлочный узор, наволочки 70×70 (Ozon 161803398)",
)


def _series(name: str, role: SeriesRole, values: tuple[float | None, ...], **more: str) -> ChartSeries:
    return ChartSeries(name=name, role=role, values=values, **more)


def volume(negative: tuple[float | None, ...] = NEGATIVE) -> Chart:
    return Chart(
        name="volume",
        title="Обращения по тональности, 09.11–22.11",
        layout="stacked",
        categories=DAYS,
        y_label="обращений в день",
        series=(
            _series("негатив", "negative", negative),
            _series("нейтрально", "neutral", NEUTRAL),
            _series("позитив", "positive", POSITIVE),
        ),
    )


def products(names: tuple[str, ...] = PRODUCTS[:5]) -> Chart:
    current = (42, 17, 35, 9, 28, 12, 51, 4, 22, 3)[: len(names)]
    previous = (30, 25, None, 12, 20, 8, 40, 6, 19, 0)[: len(names)]
    return Chart(
        name="products",
        title="Товары с наибольшим числом негативных отзывов",
        layout="horizontal",
        categories=names,
        y_label="негативных отзывов",
        series=(_series("прошлая неделя", "previous", previous), _series("эта неделя", "current", current)),
    )


def first_response() -> Chart:
    return Chart(
        name="first_response",
        title="Время первого ответа и доля в срок SLA",
        layout="bars_and_line",
        categories=DAYS[:7],
        y_label="часов до первого ответа",
        y2_label="ответов в срок",
        series=(
            _series("медиана, ч", "measure", (3.2, 2.5, 4.1, 6.8, 2.2, 1.5, 9.4)),
            _series("в срок SLA", "share", (0.92, 0.95, 0.88, 0.71, 0.97, 1.0, 0.55), axis="right"),
        ),
    )


def rating() -> Chart:
    return Chart(
        name="rating",
        title="Средняя оценка по дням",
        layout="line",
        categories=DAYS[:7],
        y_label="звёзд",
        y_range=(1, 5),
        series=(_series("средняя оценка", "measure", (4.5, 4.6, None, None, 3.6, 4.1, 4.8)),),
    )


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _pixels(png: bytes) -> np.ndarray:
    """The image's RGB values, one row of pixels per row of the array."""
    return np.asarray(_image(png).convert("RGB"))


def _count(pixels: np.ndarray, rgb: tuple[int, int, int]) -> int:
    return int((pixels == rgb).all(axis=-1).sum())


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def _laid_out(chart: Chart) -> Figure:
    figure = draw(chart)
    figure.canvas.draw()  # the layout is computed at drawing, as when the PNG is saved
    return figure


@pytest.mark.parametrize("chart", [volume(), products(), first_response(), rating()], ids=lambda c: c.layout)
def test_every_layout_renders_a_png_of_the_mail_size_with_something_drawn(chart: Chart) -> None:
    # Given a chart of each layout with realistic Russian data
    # When it is rendered
    png = render_png(chart)

    # Then it is a PNG that opens at 800x400 px, on white, with the series' colours in it
    image = _image(png)
    assert (image.format, image.size) == ("PNG", (800, 400)) == ("PNG", SIZE_PX)
    pixels = _pixels(png)
    assert tuple(pixels[0, 0]) == (255, 255, 255)
    for series in chart.series:
        assert _count(pixels, _rgb(COLOURS[series.role])) > 20, series.name


def test_the_negative_colour_shows_in_a_stacked_chart_and_not_when_there_was_no_negative() -> None:
    negative = _rgb(COLOURS["negative"])

    # Given two weeks with negative feedback on most days, When drawn, Then red bars are there
    with_negative = _pixels(render_png(volume()))
    assert _count(with_negative, negative) > 1000

    # Given the same weeks without a single negative item, When drawn
    without_negative = _pixels(render_png(volume(negative=(0,) * len(DAYS))))

    # Then no pixel is red (no zero-high bars, no legend entry), and the other tonalities still show
    assert _count(without_negative, negative) == 0
    assert _count(without_negative, _rgb(COLOURS["positive"])) > 1000


def test_an_empty_chart_still_renders_its_title_and_empty_text_on_white() -> None:
    # Given a period without any value
    chart = Chart(
        name="rating",
        title="Средняя оценка по дням",
        layout="line",
        categories=DAYS,
        series=(_series("средняя оценка", "measure", (None,) * len(DAYS)),),
    )
    assert chart.empty

    # When it is rendered
    png = render_png(chart)

    # Then it is a PNG of the same size, mostly white, with dark text and no axes' colours
    assert _image(png).size == SIZE_PX
    pixels = _pixels(png)
    white = _count(pixels, (255, 255, 255))
    dark = int((pixels.max(axis=-1) < 110).sum())
    assert white > 0.95 * pixels.shape[0] * pixels.shape[1]
    assert dark > 100
    assert _count(pixels, _rgb(COLOURS["measure"])) == 0


def test_russian_text_renders_without_missing_glyph_warnings() -> None:
    # Given a chart full of Cyrillic, ё, №, ×, «», dashes and a cut name's ellipsis
    chart = products(PRODUCTS)

    # When it is rendered with every warning recorded
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_png(chart)

    # Then matplotlib missed no glyph (it warns "Glyph ... missing from font(s)")
    assert [str(warning.message) for warning in caught if "missing from" in str(warning.message)] == []


def test_ten_long_product_names_are_cut_and_every_bar_and_label_stays_inside_the_image() -> None:
    # Given ten products with names up to ~90 characters, wide letters among them
    chart = products(PRODUCTS)

    # When drawn
    figure = _laid_out(chart)
    (axes,) = figure.axes
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]

    # Then the figure keeps its size, each long name is cut with "…", and no label or bar leaves the image
    assert tuple(figure.get_size_inches() * figure.dpi) == SIZE_PX
    labels = axes.get_yticklabels()
    assert len(labels) == 10
    assert all(label.get_text().endswith("…") for label in labels)
    for artist in [*labels, *axes.patches, *axes.texts, axes.title]:
        box = artist.get_window_extent(renderer)
        assert 0 <= box.x0 <= box.x1 <= SIZE_PX[0], artist
        assert 0 <= box.y0 <= box.y1 <= SIZE_PX[1], artist
    assert _image(render_png(chart)).size == SIZE_PX


def test_a_horizontal_chart_lists_the_largest_current_value_first_with_this_period_above_the_previous() -> (
    None
):
    # Given five products, the previous period's series first in the chart
    chart = products()

    # When drawn
    (axes,) = _laid_out(chart).axes

    # Then the rows run from the largest of this week down, and in each row this week's bar is on top
    rows = [label.get_text() for label in axes.get_yticklabels()]
    assert rows[0].startswith("Платье летнее льняное")
    assert rows[1].startswith("Кроссовки") and rows[-1].startswith("Рюкзак")
    bars = {container.get_label(): container for container in axes.containers}
    this_week, last_week = bars["эта неделя"][0], bars["прошлая неделя"][0]
    # The axis is turned (row 0 at the top): the smaller y is the upper bar.
    assert axes.yaxis_inverted()
    assert this_week.get_y() < last_week.get_y()
    assert (to_hex(this_week.get_facecolor()), to_hex(last_week.get_facecolor())) == (
        COLOURS["current"],
        COLOURS["previous"],
    )


def test_a_share_on_the_right_axis_is_drawn_in_percent_from_0_to_100() -> None:
    # Given first-response hours as bars and the share answered within the SLA (0..1) on the right
    chart = first_response()

    # When drawn
    figure = _laid_out(chart)
    bars_axes, share_axes = figure.axes

    # Then the right axis runs 0–100 % with "%" ticks, and a share of 1.0 is drawn at 100
    assert share_axes.get_ylim() == (0, 100)
    ticks = [label.get_text() for label in share_axes.get_yticklabels() if label.get_text()]
    assert ticks and all(tick.endswith("%") for tick in ticks)
    (line,) = share_axes.get_lines()
    assert np.nanmax(np.asarray(line.get_ydata(), dtype=float)) == pytest.approx(100)
    assert len(bars_axes.patches) == 7
    assert _image(render_png(chart)).size == SIZE_PX


def test_a_day_without_ratings_is_a_gap_in_the_line_and_the_axis_keeps_the_fixed_range() -> None:
    # Given ratings with two days without any
    chart = rating()

    # When drawn
    (axes,) = _laid_out(chart).axes

    # Then those days are gaps (not zero), the stars axis is 1..5 and the days read "09.11"
    (line,) = axes.get_lines()
    points = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(points).tolist() == [False, False, True, True, False, False, False]
    assert axes.get_ylim() == (1, 5)
    assert [label.get_text() for label in axes.get_xticklabels()][:2] == ["09.11", "10.11"]


def test_dollar_signs_in_product_names_are_text_not_formulas() -> None:
    # Given names that matplotlib would otherwise read as (broken) mathtext
    chart = products(("Кабель $USB-C$ 2 м (WB 1)", "Скидка $\\frac{1$ на всё", "Наклейки $ и $$"))

    # When rendered, Then nothing raises and the names are shown as written
    assert _image(render_png(chart)).size == SIZE_PX
    (axes,) = _laid_out(chart).axes
    assert "Кабель $USB-C$ 2 м (WB 1)" in [label.get_text() for label in axes.get_yticklabels()]
