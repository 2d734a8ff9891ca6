"""Wildberries platform facts: its streams, its cursor, and how its reviews and questions read as feedback.

Cursor design (per connection and stream), stored as {"date_from": unix seconds | None, "skip": int}:

- A page asks for isAnswered=false, order=dateAsc, dateFrom=date_from (omitted on the first
  poll: everything unanswered), skip=skip, take=page_size.
- After a page, date_from moves to the newest createdDate second on it, and skip becomes the
  number of items read at exactly that second (plus the previous skip when the whole page sat
  in the same second as the old date_from). So the next request starts at the boundary second
  and skips only what was already read there.
- Resuming from a date rather than an offset matters because the list is filtered by
  isAnswered=false: items answered between two polls drop out and would shift any offset.
  Only the handful of items sharing the boundary second depend on skip.
- dateFrom is taken as inclusive; an item read twice anyway (a poll that died before saving its
  cursor) maps to the same feedback id, feedback_id("wildberries", account, kind, id), and
  score_feedback counts it as a duplicate.
- `more` is true when the page was full (take items): another page is waiting now.
- A backfill (otklik.domain.marketplaces.backfill) pages the same way from its own cursor, which starts
  at the window's first second and is never stored, and bounds the list with dateTo, the second it began.

The HTTP client that asks for these pages is otklik.adapters.marketplaces.wildberries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from otklik.domain.ids import feedback_id
from otklik.domain.marketplaces.fields import (
    as_object,
    build,
    item_label,
    optional_id,
    optional_rating,
    optional_text,
    parse_time,
    required_id,
    required_text,
)
from otklik.domain.marketplaces.models import MalformedItem, PollPage, ReplyReadBack, ReplyVisibility
from otklik.domain.models import (
    MAX_PHOTO_URL_CHARS,
    MAX_PHOTOS,
    Author,
    FeedbackEnvelope,
    FeedbackKind,
    ProductRef,
)

SOURCE = "wildberries"
PLATFORM = "Wildberries"
STREAMS: tuple[str, ...] = ("feedbacks", "questions")
STREAM_KINDS: dict[str, FeedbackKind] = {"feedbacks": "review", "questions": "question"}
# Documented maxima: feedbacks take <= 5000 (skip <= 199990); questions take + skip <= 10000.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 5000
# answer.state: wbRu is shown on the site, none an answer WB has not checked (shown as well);
# reviewRequired is under WB's check, rejected refused by it.
ANSWER_VISIBILITY: dict[str, ReplyVisibility] = {
    "wbRu": "published",
    "none": "published",
    "reviewRequired": "pending",
    "rejected": "rejected",
}


@dataclass(frozen=True)
class WildberriesCursor:
    """Where a stream resumes: from the second `date_from` (inclusive, as dateFrom is), skipping `skip` items
    there and the ids in `seen` already read there.

    The list asked for is the unanswered items (isAnswered=false), which shrinks as items are answered: an
    item read at the boundary second and answered since is no longer listed. So the boundary's items are
    passed over by id, not by count (a count would skip the next new item in their place); `skip` counts
    only when a whole page sat in the boundary second, so that paging still moves on."""

    date_from: int | None = None
    skip: int = 0
    seen: tuple[str, ...] = ()

    @classmethod
    def load(cls, stored: Mapping[str, Any]) -> WildberriesCursor:
        date_from = stored.get("date_from")
        skip = stored.get("skip", 0)
        seen = stored.get("seen", [])
        if date_from is not None and (isinstance(date_from, bool) or not isinstance(date_from, int)):
            raise ValueError(f"stored Wildberries cursor has a bad date_from: {date_from!r}")
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValueError(f"stored Wildberries cursor has a bad skip: {skip!r}")
        if not isinstance(seen, list) or not all(isinstance(key, str) for key in seen):
            raise ValueError(f"stored Wildberries cursor has a bad seen: {seen!r}")
        return cls(date_from, skip, tuple(seen))

    def dump(self) -> dict[str, Any]:
        return {"date_from": self.date_from, "skip": self.skip, "seen": list(self.seen)}

    def after(self, seconds: list[int | None], ids: list[str | None], full: bool) -> WildberriesCursor:
        """Where the next page starts, given the createdDate second and id of each item read (None:
        unknown) and whether the page was full."""
        known = [second for second in seconds if second is not None]
        if not known:
            return WildberriesCursor(self.date_from, self.skip + len(seconds), self.seen)
        newest = max(known)
        there = [key for key, second in zip(ids, seconds, strict=True) if second == newest and key]
        if newest == self.date_from:
            seen = tuple(dict.fromkeys((*self.seen, *there)))
            # A whole page sat in the boundary second: skip past all of it too, or paging would loop.
            return WildberriesCursor(newest, self.skip + len(seconds) if full else self.skip, seen)
        return WildberriesCursor(newest, 0, tuple(dict.fromkeys(there)))

    def read_before(self, item: Any, second: int | None) -> bool:
        """Whether the item is one of the boundary second's already read."""
        return (
            bool(self.seen)
            and second == self.date_from
            and isinstance(item, dict)
            and str(item.get("id")) in self.seen
        )


def backfill_position(cursor: Mapping[str, Any], since: datetime) -> WildberriesCursor:
    """Where a backfill's next page starts: its own cursor once it has read a page, else `since` (dateFrom
    is inclusive, so the window's first second is read)."""
    return WildberriesCursor.load(cursor) if cursor else WildberriesCursor(int(since.timestamp()))


def poll_page(
    kind: FeedbackKind,
    items: list[Any],
    position: WildberriesCursor,
    page_size: int,
    account: str,
    now: datetime,
) -> PollPage:
    """The page a list of raw items makes, read from `position` with take=page_size for `account`."""
    envelopes: list[FeedbackEnvelope] = []
    malformed: list[tuple[str, str]] = []
    seconds: list[int | None] = []
    ids: list[str | None] = []
    for index, item in enumerate(items):
        second = _created_second(item, now)
        seconds.append(second)
        key = item.get("id") if isinstance(item, dict) else None
        ids.append(str(key) if isinstance(key, str | int) and not isinstance(key, bool) else None)
        if position.read_before(item, second):
            continue
        try:
            envelopes.append(feedback_envelope(kind, as_object(item, "item"), account, now))
        except MalformedItem as problem:
            malformed.append((item_label(item, "id", index), str(problem)))
    full = len(items) >= page_size
    return PollPage(
        envelopes=envelopes,
        malformed=malformed,
        cursor=position.after(seconds, ids, full).dump() if items else position.dump(),
        more=full,
    )


def feedback_envelope(
    kind: FeedbackKind, item: Mapping[str, Any], account: str, now: datetime
) -> FeedbackEnvelope:
    """A review (feedbacks stream) or a question as feedback of `account`, the connection's name."""
    external_id = required_id(item, "id")
    created_at = parse_time(item.get("createdDate"), "createdDate", now)
    answer = item.get("answer")
    if kind == "review":
        text = optional_text(item, "text") or ""
        pros, cons = optional_text(item, "pros"), optional_text(item, "cons")
        rating = optional_rating(item, "productValuation")
        if not text and pros is None and cons is None and rating is None:
            raise MalformedItem("neither text, pros, cons nor productValuation")
        author_name = optional_text(item, "userName")
        photos = _photos(item.get("photoLinks"))
    else:
        text = required_text(item, "text")
        pros = cons = None
        rating = None
        author_name = None
        photos = ()
    return build(
        lambda: FeedbackEnvelope(
            feedback_id=feedback_id(SOURCE, account, kind, external_id),
            source=SOURCE,
            account=account,
            kind=kind,
            external_id=external_id,
            text=text,
            pros=pros,
            cons=cons,
            rating=rating,
            product=_product(item.get("productDetails")),
            author=Author(name=author_name.strip()) if author_name else None,
            photos=photos,
            answered=isinstance(answer, dict) and bool(optional_text(answer, "text")),
            created_at=created_at,
            received_at=now,
        )
    )


def _created_second(item: Any, now: datetime) -> int | None:
    """The item's createdDate in whole Unix seconds (what dateFrom takes), None when unreadable."""
    if not isinstance(item, dict):
        return None
    try:
        return int(parse_time(item.get("createdDate"), "createdDate", now).timestamp())
    except MalformedItem:
        return None


def _product(details: Any) -> ProductRef | None:
    """productDetails: nmId is the product, productName its name, supplierArticle the seller's own sku.

    imtId (the merged-card group) and brandName are left out: a reply does not need them.
    """
    if not isinstance(details, dict):
        return None
    nm_id = optional_id(details, "nmId")
    if nm_id is None:
        return None
    name = optional_text(details, "productName")
    sku = optional_id(details, "supplierArticle")
    return ProductRef(id=nm_id, name=name.strip() if name else None, sku=sku)


def _photos(links: Any) -> tuple[str, ...]:
    if links is None:
        return ()
    if not isinstance(links, list):
        raise MalformedItem("photoLinks is not a list")
    # The first MAX_PHOTOS links of sane length: more would not fit a queue message, and a link
    # too long to be one is left out rather than the whole review.
    return tuple(
        link["fullSize"]
        for link in links
        if isinstance(link, dict)
        and isinstance(link.get("fullSize"), str)
        and 0 < len(link["fullSize"]) <= MAX_PHOTO_URL_CHARS
    )[:MAX_PHOTOS]


def answer_read_back(item: Any) -> ReplyReadBack:
    """What a feedback or question, as GET /api/v1/feedback?id= (or question?id=) serves it, shows of
    our answer. No item (WB said 404) or an answer without text is missing; an answer without a state
    (WB documents none on questions) is shown; a state otklik does not know is taken as pending."""
    answer = item.get("answer") if isinstance(item, dict) else None
    text = answer.get("text") if isinstance(answer, dict) else None
    if not isinstance(answer, dict) or not isinstance(text, str) or not text.strip():
        return ReplyReadBack("missing")
    editable = answer.get("editable")
    can_edit = editable if isinstance(editable, bool) else None
    raw = answer.get("state")
    state: ReplyVisibility | None = "published" if raw is None else None
    reason: str | None = None
    if isinstance(raw, str):
        state = ANSWER_VISIBILITY.get(raw)
        reason = None if state == "published" else f"{PLATFORM} answer.state {raw}"
    if state is None:
        state, reason = (
            "pending",
            f"{PLATFORM} answer.state {raw!r} is not one otklik knows",
        )
    return ReplyReadBack(state, reason, text, can_edit=can_edit)
