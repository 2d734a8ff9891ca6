"""build_reports on moto: yesterday's report built once from AggregatesTable, its page, charts and data in
the reports bucket, listed by GET /reports, told by report_ready; rebuilt for a past period with the same
numbers."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from otklik.adapters.aggregate_store import AggregateStore
from otklik.bootstrap import build_reports
from otklik.domain.aggregates import new_feedback_update
from otklik.domain.models import FeedbackItem, ProductRef, Topic
from tests.integration.conftest import Stack
from tests.support.api_events import body_of, ops_event
from tests.unit.samples import feedback_item

NOW = datetime(2026, 12, 2, 6, 5, tzinfo=UTC)  # 09:05 in Moscow: yesterday's report is due
REPORT = "day-2026-12-01"
PNG = b"\x89PNG\r\n\x1a\n"


def _item(n: int, day: str, *, negative: bool) -> FeedbackItem:
    item = feedback_item(
        external_id=f"{day}-{n}",
        source="wildberries",
        rating=1 if negative else 5,
        label="negative" if negative else "positive",
    )
    topics = (
        (Topic(topic="quality", polarity="negative", evidence="брак", start=0, end=4),) if negative else ()
    )
    return item.model_copy(update={"day": day, "product": ProductRef(id="12345"), "topics": topics})


@pytest.fixture
def counted(stack: Stack) -> Stack:
    """Yesterday (Dec 1) 8 complaints about quality on product 12345 and 4 praises; the day before 4 and 8."""
    store = AggregateStore(stack.dynamodb, stack.table("AggregatesTable"), timedelta(days=1))
    items = [_item(n, "2026-12-01", negative=n < 8) for n in range(12)]
    items += [_item(n, "2026-11-30", negative=n < 4) for n in range(12)]
    store.apply_batch([new_feedback_update(item) for item in items], NOW)
    return stack


def _objects(stack: Stack, report_id: str) -> dict[str, dict[str, Any]]:
    s3 = stack.session.client("s3")
    bucket = stack.table("ReportsBucket")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"reports/{report_id}/").get("Contents", [])
    found = {}
    for entry in listed:
        answer = s3.get_object(Bucket=bucket, Key=entry["Key"])
        found[entry["Key"].rpartition("/")[2]] = {
            "type": answer["ContentType"],
            "body": answer["Body"].read(),
        }
    return found


def _builder(stack: Stack) -> build_reports.ReportBuilder:
    stack.use_environment("BuildReportsFunction")
    return build_reports.build()


def _told(stack: Stack) -> list[dict[str, Any]]:
    return [json.loads(message["Body"])["notification"] for message in stack.receive("NotifyQueue")]


def test_yesterdays_report_is_built_stored_listed_and_told_once(counted: Stack) -> None:
    builder = _builder(counted)

    built = builder(NOW)

    assert [report.id for report in built] == [REPORT]
    files = _objects(counted, REPORT)
    assert set(files) == {
        "report.html",
        "data.csv",
        "report.json",
        "volume.png",
        "negative_topics.png",
        "products.png",
        "response.png",
        "rating.png",
    }
    assert files["report.html"]["type"].startswith("text/html")
    assert all(
        files[name]["body"].startswith(PNG) and files[name]["type"] == "image/png"
        for name in files
        if name.endswith(".png")
    )
    page = files["report.html"]["body"].decode()
    assert "Жалобы по теме «Качество» на товар 12345 (wildberries) выросли вдвое: 4 → 8" in page
    assert page.count("data:image/png;base64,") == 5

    told = _told(counted)
    assert [note["event"] for note in told] == ["report_ready"]
    report = told[0]["details"]["report"]
    assert report["title"] == "Отчёт за 1 декабря 2026"
    assert f"reports/{REPORT}/report.html" in report["url"]
    assert f"reports/{REPORT}/volume.png" in report["photo"]
    assert [chart["name"] for chart in report["charts"]][:2] == ["volume.png", "negative_topics.png"]

    # The next hour's run finds it built: nothing built, nothing told
    assert builder(NOW + timedelta(hours=1)) == []
    assert _told(counted) == []


def test_the_ops_api_lists_a_report_and_links_its_files(counted: Stack) -> None:
    _builder(counted)(NOW)

    listed = counted.invoke("OpsApiFunction", ops_event("/reports", "/reports", {"kind": "day"}))
    assert listed["statusCode"] == 200
    assert [item["id"] for item in body_of(listed)["items"]] == [REPORT]
    assert "Средняя оценка упала: 3,67 → 2,33" in body_of(listed)["items"][0]["changes"]

    one = counted.invoke(
        "OpsApiFunction", ops_event("/reports/{id}", f"/reports/{REPORT}", path_parameters={"id": REPORT})
    )
    assert one["statusCode"] == 200
    body = body_of(one)
    assert set(body["links"]) >= {"report.html", "data.csv", "volume.png"}
    assert "X-Amz-Expires=3600" in body["links"]["data.csv"]
    assert {figure["name"]: figure["current"] for figure in body["figures"]}["total"] == 12

    for bad_id, status in (("day-2026-11-29", 404), ("day-2026-13-01", 404), ("../x", 404)):
        answer = counted.invoke(
            "OpsApiFunction", ops_event("/reports/{id}", f"/reports/{bad_id}", path_parameters={"id": bad_id})
        )
        assert answer["statusCode"] == status, bad_id
    assert (
        counted.invoke("OpsApiFunction", ops_event("/reports", "/reports", {"kind": "year"}))["statusCode"]
        == 400
    )


def test_a_past_period_rebuilt_by_event_has_the_same_numbers_and_charts(counted: Stack) -> None:
    _builder(counted)(NOW)
    first = _objects(counted, REPORT)
    first_told = [note["id"] for note in _told(counted)]

    answer = counted.invoke("BuildReportsFunction", {"detail": {"period": "day", "key": "2026-12-01"}})

    assert answer == {"reports": [REPORT]}
    again = _objects(counted, REPORT)
    assert again["data.csv"]["body"] == first["data.csv"]["body"]
    for name in ("volume.png", "negative_topics.png", "products.png", "response.png", "rating.png"):
        assert again[name]["body"] == first[name]["body"], name
    # told with the same notification id: its readers hear of it once (the outbox knows the id)
    assert [note["id"] for note in _told(counted)] == first_told


def test_an_event_that_names_no_period_builds_nothing(counted: Stack) -> None:
    answer = counted.invoke("BuildReportsFunction", {"detail": {"period": "year", "key": "2026"}})

    assert answer["reports"] == [] and "period must be one of" in answer["error"]
    assert _objects(counted, "year-2026") == {} and _told(counted) == []


def test_a_report_whose_notification_could_not_be_queued_is_not_listed_and_is_built_by_the_next_run(
    counted: Stack,
) -> None:
    builder = _builder(counted)

    class Down:
        def send(self, message: object) -> str:
            raise ConnectionError("SQS is down")

    with pytest.raises(ConnectionError):
        dataclasses.replace(builder, notify_queue=Down())(NOW)
    assert builder.archive.get(REPORT) is None  # its files may be there; it is not listed

    assert [report.id for report in builder(NOW + timedelta(hours=1))] == [REPORT]
    assert [note["event"] for note in _told(counted)] == ["report_ready"]


def test_the_sample_schedule_event_asks_for_the_samples_day(stack: Stack) -> None:
    event = json.loads(
        (Path(__file__).resolve().parents[2] / "events" / "schedule_build_reports.json").read_text()
    )

    answer = stack.invoke("BuildReportsFunction", event)

    # A day with nothing counted still gets its report: it says so, it does not go missing
    assert answer == {"reports": ["day-2026-11-22"]}
    listed = stack.invoke("OpsApiFunction", ops_event("/reports", "/reports"))
    entry = body_of(listed)["items"][0]
    assert entry["id"] == "day-2026-11-22" and entry["changes"] == []
