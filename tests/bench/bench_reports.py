"""`make bench`: what a report costs build_reports: the charts layer's cold import against `import boto3`,
a week's report (tests.support.report_example: its numbers, its five charts, its page and data) and the
peak memory of a process that builds one, against one that only imports boto3."""

from __future__ import annotations

import json
import subprocess
import sys
import time

ROUNDS = 5

_IMPORT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
# The peak resident size from /proc: VmHWM is this process's own (ru_maxrss would carry the parent's over
# exec on Linux).
_PEAK = 'int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1]) / 1024'
_BUILD = f"""
import json, re, time
import boto3
t = time.perf_counter()
from tests.support import report_example
report_example.main("build/bench-report")
print(json.dumps({{"seconds": time.perf_counter() - t, "peak_mb": {_PEAK}}}))
"""
_BARE = f"""
import json, re
import boto3
print(json.dumps({{"peak_mb": {_PEAK}}}))
"""


def _cold(module: str) -> float:
    """The best of three fresh interpreters' import time of module, in seconds."""
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT.format(module=module)], capture_output=True, text=True, check=True
        )
        runs.append(float(done.stdout.strip().splitlines()[-1]))
    return min(runs)


def _last_json(script: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    boto = _cold("boto3")
    charts = _cold("otklik.adapters.charts, matplotlib.figure, matplotlib.backends.backend_agg")
    print(f"reports: cold import of the chart renderer {charts * 1000:.0f} ms = {charts / boto:.1f}x boto3's")

    from otklik.adapters.charts import render_png
    from otklik.domain.report_page import report_html
    from otklik.domain.reports import build_report, report_charts, report_csv
    from tests.support.report_example import PERIOD, ReportInput, ReportSettings, _counters

    counted = _counters()
    data = ReportInput(
        current=counted.get(PERIOD.aggregate_key, {}),
        previous=counted.get(PERIOD.previous.aggregate_key, {}),
        days=[(day, counted.get(f"DAY#{day}", {}).get("all", {})) for day in PERIOD.chart_days()],
    )
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 11, 30, 6, 5, tzinfo=UTC)
    numbers = drawing = page = 0.0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        report = build_report(PERIOD, data, ReportSettings(), now)
        charts_spec = report_charts(PERIOD, report, data)
        numbers += time.perf_counter() - started
        started = time.perf_counter()
        images = {f"{chart.name}.png": render_png(chart) for chart in charts_spec}
        drawing += time.perf_counter() - started
        started = time.perf_counter()
        report_html(report, images, ZoneInfo("Europe/Moscow"))
        report_csv(report, data)
        page += time.perf_counter() - started
    print(
        f"  a week's report (warm, mean of {ROUNDS}): numbers {numbers / ROUNDS * 1000:.1f} ms, "
        f"5 charts {drawing / ROUNDS * 1000:.0f} ms, page and data {page / ROUNDS * 1000:.1f} ms"
    )
    built, bare = _last_json(_BUILD), _last_json(_BARE)
    print(
        f"  one fresh process building it: {built['seconds']:.2f} s, peak memory {built['peak_mb']:.0f} MB "
        f"= {built['peak_mb'] / bare['peak_mb']:.1f}x a process that imports boto3 ({bare['peak_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
