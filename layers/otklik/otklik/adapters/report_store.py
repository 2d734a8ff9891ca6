"""Built reports: their files in the reports bucket, and an index in AggregatesTable.

S3: reports/<id>/report.html, data.csv, report.json and the charts' PNGs (each with its content type).
AggregatesTable: pk REPORT, sk <kind>#<first day> (day#2026-11-22, week#2026-11-16, month#2026-11-01), the
report (its figures, changes and file names, no customer text). GET /reports reads the index newest first
(a Query per kind, no Scan); a build writes the files first and the index last (otklik.usecases.reports), so
a report that is listed always has its files, and a build done again replaces both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otklik.adapters.dynamo import from_item, model_to_document, to_item
from otklik.domain.aggregates import PERIOD_KINDS
from otklik.domain.reports import Report, ReportPeriod

PK = "REPORT"
PREFIX = "reports"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
}


def _sort_key(period: ReportPeriod) -> str:
    return f"{period.kind}#{period.start.isoformat()}"


class ReportStore:
    def __init__(self, dynamodb: Any, table: str, s3: Any, bucket: str) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._s3 = s3
        self._bucket = bucket

    def key_of(self, report_id: str, file: str) -> str:
        return f"{PREFIX}/{report_id}/{file}"

    def save(self, report: Report, files: Mapping[str, bytes]) -> None:
        for file, body in {**files, "report.json": report.model_dump_json(indent=2).encode()}.items():
            suffix = file[file.rfind(".") :]
            self._s3.put_object(
                Bucket=self._bucket,
                Key=self.key_of(report.id, file),
                Body=body,
                ContentType=CONTENT_TYPES.get(suffix, "application/octet-stream"),
            )

    def index(self, report: Report) -> None:
        period = ReportPeriod(report.kind, report.key)
        self._dynamodb.put_item(
            TableName=self._table,
            Item=to_item({"pk": PK, "sk": _sort_key(period), "report": model_to_document(report)}),
        )

    def get(self, report_id: str) -> Report | None:
        period = ReportPeriod.from_id(report_id)
        answer = self._dynamodb.get_item(
            TableName=self._table, Key={"pk": {"S": PK}, "sk": {"S": _sort_key(period)}}, ConsistentRead=True
        )
        item = answer.get("Item")
        return Report.model_validate(from_item(item)["report"]) if item else None

    def latest(self, kind: str | None, limit: int) -> list[Report]:
        """The newest `limit` reports of a kind, or of every kind (newest period first, days before weeks
        before months on the same first day)."""
        found: list[Report] = []
        for each in [kind] if kind else PERIOD_KINDS:
            answer = self._dynamodb.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :kind)",
                ExpressionAttributeValues={":pk": {"S": PK}, ":kind": {"S": f"{each}#"}},
                ScanIndexForward=False,
                Limit=limit,
            )
            found += [Report.model_validate(from_item(item)["report"]) for item in answer.get("Items", [])]
        order = {each: index for index, each in enumerate(PERIOD_KINDS)}
        found.sort(key=lambda report: (-report.start.toordinal(), order[report.kind]))
        return found[:limit]

    def links(self, report: Report, seconds: int) -> dict[str, str]:
        """A presigned GET link to each file (report.json too), valid for `seconds` (on AWS also no longer
        than the credentials that signed it)."""
        return {
            file: self._s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": self.key_of(report.id, file)},
                ExpiresIn=seconds,
            )
            for file in (*report.files, "report.json")
        }
