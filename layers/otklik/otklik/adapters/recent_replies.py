"""The last replies on each product, newest first, that a new reply must not repeat (the reply check's
near-duplicate test): one item per product in TicketsTable, rewritten on the version read."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from otklik.adapters.dynamo import from_item, is_condition_failure, to_item
from otklik.domain.errors import TryAgain
from otklik.domain.replies.recent import RecentReply

RECENT_SK = "RECENT_REPLIES"
ATTEMPTS = 5


class RecentReplies:
    """The RecentReplies port: pk PRODUCT#<product key>, sk RECENT_REPLIES, `replies` a list of
    {reply_id, text}, newest first, at most `keep`; `version` makes every write conditional on its read."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _key(self, product: str) -> dict[str, Any]:
        return {"pk": {"S": f"PRODUCT#{product}"}, "sk": {"S": RECENT_SK}}

    def _read(self, product: str) -> tuple[list[RecentReply], int]:
        answer = self._client.get_item(TableName=self._table, Key=self._key(product), ConsistentRead=True)
        if "Item" not in answer:
            return [], 0
        document = from_item(answer["Item"])
        replies = [RecentReply.model_validate(entry) for entry in document.get("replies", [])]
        return replies, int(document.get("version", 0))

    def recent(self, product: str) -> list[RecentReply]:
        return self._read(product)[0]

    def remember(self, product: str, reply: RecentReply, keep: int) -> None:
        """Put the reply first (once: a reply already listed stays where it is), keeping the newest `keep`."""
        for _ in range(ATTEMPTS):
            replies, version = self._read(product)
            if any(entry.reply_id == reply.reply_id for entry in replies):
                return
            kept = [reply, *replies][:keep]
            document = {
                "pk": f"PRODUCT#{product}",
                "sk": RECENT_SK,
                "replies": [entry.model_dump() for entry in kept],
                "version": version + 1,
            }
            condition = "attribute_not_exists(pk)" if version == 0 else "version = :read"
            values = {} if version == 0 else {":read": {"N": str(version)}}
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=to_item(document),
                    ConditionExpression=condition,
                    **({"ExpressionAttributeValues": values} if values else {}),
                )
                return
            except ClientError as error:
                if not is_condition_failure(error):
                    raise
        raise TryAgain(f"the recent replies of product {product} kept changing")
