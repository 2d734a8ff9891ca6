"""`make bench`: how long a reply draft takes, and how many consecutive drafts on one product differ.

The built-in templates of the default document, a one-star Ozon review about a late delivery; each draft
is checked against the product's recent replies (the ones before it, up to replies.recent_replies), as
route_feedback does. The reference is the reply check alone on the same texts, in the same run: a draft
is a few renders and checks, so its cost reads as a multiple of one check.
"""

from __future__ import annotations

import time

from otklik.domain.config import Config
from otklik.domain.models import Topic
from otklik.domain.replies.check import check_reply
from otklik.domain.replies.draft import draft_reply
from tests.unit.samples import feedback_item

DRAFTS = 40


def main() -> None:
    config = Config()
    late = feedback_item(
        kind="review", text="Доставка задержалась на неделю", label="negative", compound=-0.6
    )
    item = late.model_copy(
        update={
            "source": "ozon",
            "rating": 1,
            "topics": (Topic(topic="delivery", polarity="negative", evidence="Доставка", start=0, end=8),),
        }
    )
    keep = config.replies.recent_replies
    texts: list[str] = []
    refused = 0
    started = time.perf_counter()
    for number in range(DRAFTS):
        draft = draft_reply(
            item.model_copy(update={"id": f"fb_{number}"}), config.replies, recent=texts[:keep]
        )
        assert draft is not None
        refused += bool(draft.problems)
        texts.insert(0, draft.text)
    per_draft = (time.perf_counter() - started) / DRAFTS
    started = time.perf_counter()
    for number, text in enumerate(texts):
        check_reply(text, marketplace="ozon", kind="review", recent=texts[number + 1 : number + 1 + keep])
    per_check = (time.perf_counter() - started) / len(texts)
    distinct = len(dict.fromkeys(texts))
    print(f"drafts: {per_draft * 1000:.2f} ms a draft with up to {keep} recent replies on the product")
    print(
        f"drafts: {per_draft / per_check:.1f}x one reply check of the same texts ({per_check * 1000:.2f} ms)"
    )
    print(f"drafts: {distinct} distinct of {DRAFTS} consecutive; {refused} came back with problems")


if __name__ == "__main__":
    main()
