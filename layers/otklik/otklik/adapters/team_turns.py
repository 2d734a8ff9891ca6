"""Round-robin turns per team: one counter item per team in TicketsTable, raised by an atomic ADD."""

from __future__ import annotations

from typing import Any


class TeamTurns:
    """The Assigner port: pk TEAM#<team>, sk ROUND_ROBIN, `turns` counting every turn taken."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def next_turn(self, team: str) -> int:
        # ADD is atomic on DynamoDB's side: two routes asking at once get two turns, never the same one.
        answer = self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": f"TEAM#{team}"}, "sk": {"S": "ROUND_ROBIN"}},
            UpdateExpression="ADD turns :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["turns"]["N"])
