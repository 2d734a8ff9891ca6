"""The last replies on a product, which a new reply there must not repeat (Ozon limits sellers who answer with
identical texts): what is kept per product and how a reply is compared with the others."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from otklik.domain.models import Frozen, ProductRef


class RecentReply(Frozen):
    """A reply approved on a product: its id (so it is never compared with itself) and its text."""

    reply_id: str
    text: str = Field(min_length=1)


def product_key(source: str, account: str, product: ProductRef | None) -> str | None:
    """Which product replies are compared on: the product of one account on one source; None without one
    (a reply to feedback about no product is compared with nothing)."""
    if product is None:
        return None
    return f"{source}#{account}#{product.id}"


def others(recent: Sequence[RecentReply], reply_id: str | None = None) -> tuple[str, ...]:
    """The texts a reply must not repeat: the recent ones, newest first, but itself."""
    return tuple(entry.text for entry in recent if entry.reply_id != reply_id)
