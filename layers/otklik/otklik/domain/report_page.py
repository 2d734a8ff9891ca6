"""report.html: a report as one self-contained page, readable in a browser and a mail client.

Inline styles and tables only (mail clients drop <style> and grids), the charts embedded as data: URLs, so
the page needs nothing beside it: it opens from a presigned link, an attachment or a saved file alike.
Our own template, rendered by Jinja2 with autoescaping: every name in it comes from the document or the
marketplaces (topics, product ids) and is escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import tzinfo
from functools import cache
from typing import TYPE_CHECKING

from otklik.domain.reports import Report, formatted

if TYPE_CHECKING:
    from jinja2 import Template

PAGE = """<!DOCTYPE html>
<html lang="ru">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title></head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"
 style="background-color:#f4f4f5;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"
 style="max-width:820px;background-color:#ffffff;border-top:4px solid #1d4ed8;">
<tr><td style="padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;
color:#18181b;">
<h1 style="margin:0 0 4px 0;font-size:22px;line-height:1.3;">{{ report.title }}</h1>
<p style="margin:0 0 16px 0;color:#52525b;">{{ report.period }} · построен {{ built }}</p>
{% if report.changes %}
<h2 style="margin:16px 0 8px 0;font-size:17px;">Что изменилось</h2>
<ul style="margin:0 0 16px 0;padding-left:20px;">
{% for change in report.changes %}<li style="margin:0 0 4px 0;">{{ change.text }}</li>
{% endfor %}</ul>
{% else %}
<p style="margin:0 0 16px 0;">Заметных изменений против прошлого периода нет.</p>
{% endif %}
<h2 style="margin:16px 0 8px 0;font-size:17px;">Показатели</h2>
<table role="presentation" cellpadding="6" cellspacing="0" border="0" width="100%"
 style="border-collapse:collapse;font-size:14px;">
<tr style="background-color:#f4f4f5;text-align:left;">
<th style="border-bottom:1px solid #d4d4d8;">Показатель</th>
<th style="border-bottom:1px solid #d4d4d8;text-align:right;">Период</th>
<th style="border-bottom:1px solid #d4d4d8;text-align:right;">Прошлый</th>
<th style="border-bottom:1px solid #d4d4d8;text-align:right;">Изменение</th></tr>
{% for label, now, before, change in figures %}<tr>
<td style="border-bottom:1px solid #e4e4e7;">{{ label }}</td>
<td style="border-bottom:1px solid #e4e4e7;text-align:right;font-weight:bold;">{{ now }}</td>
<td style="border-bottom:1px solid #e4e4e7;text-align:right;color:#52525b;">{{ before }}</td>
<td style="border-bottom:1px solid #e4e4e7;text-align:right;color:#52525b;">{{ change }}</td></tr>
{% endfor %}</table>
{% for chart in charts %}
<h2 style="margin:24px 0 8px 0;font-size:17px;">{{ chart.title }}</h2>
{% if chart.src %}<img src="{{ chart.src }}" alt="{{ chart.title }}" width="772"
 style="display:block;width:100%;max-width:772px;height:auto;border:0;">
{% else %}<p style="margin:0;color:#52525b;">График не построен.</p>{% endif %}
{% endfor %}
{% for heading, entries in rankings %}
<h2 style="margin:24px 0 8px 0;font-size:17px;">{{ heading }}</h2>
{% if entries %}<table role="presentation" cellpadding="6" cellspacing="0" border="0" width="100%"
 style="border-collapse:collapse;font-size:14px;">
<tr style="background-color:#f4f4f5;text-align:left;"><th style="border-bottom:1px solid #d4d4d8;"></th>
<th style="border-bottom:1px solid #d4d4d8;text-align:right;">Жалоб</th>
<th style="border-bottom:1px solid #d4d4d8;text-align:right;">В прошлом периоде</th></tr>
{% for entry in entries %}<tr><td style="border-bottom:1px solid #e4e4e7;">{{ entry.name }}</td>
<td style="border-bottom:1px solid #e4e4e7;text-align:right;font-weight:bold;">{{ entry.current }}</td>
<td style="border-bottom:1px solid #e4e4e7;text-align:right;color:#52525b;">{{ entry.previous }}</td></tr>
{% endfor %}</table>
{% else %}<p style="margin:0;color:#52525b;">Жалоб не было.</p>{% endif %}
{% endfor %}
<p style="margin:24px 0 0 0;font-size:13px;color:#71717a;">Все числа отчёта — в data.csv рядом с ним.
Отчёт за прошлый период строится заново с теми же числами: otklik reports build.</p>
</td></tr></table>
</td></tr></table>
</body></html>
"""


@cache
def _template() -> Template:
    from jinja2 import Environment

    return Environment(autoescape=True).from_string(PAGE)


def report_html(report: Report, images: Mapping[str, bytes], zone: tzinfo) -> str:
    """The page, with each chart of `images` (file name -> PNG bytes) embedded; a chart missing from them
    is said to be missing."""
    charts = [
        {
            "title": chart.title,
            "src": "data:image/png;base64," + base64.b64encode(images[chart.file]).decode()
            if chart.file in images
            else "",
        }
        for chart in report.charts
    ]
    return _template().render(
        report=report,
        built=report.built_at.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
        figures=[(figure.label, *formatted(figure)) for figure in report.figures],
        charts=charts,
        rankings=[("Темы жалоб", report.topics), ("Товары с наибольшим числом жалоб", report.products)],
    )
