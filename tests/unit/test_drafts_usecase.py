"""Automatic replies (otklik.usecases.drafts.auto_reply) on in-memory ports: a low-risk item is approved by
its policy and queued with the policy's delay, once however often the item is delivered; a risky item, a
draft with problems or a reply a person gave waits for a person, with the reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from otklik.domain.config import Config, validate_config
from otklik.domain.ids import feedback_id, reply_id, ticket_id
from otklik.domain.marketplaces.models import ApprovedReply
from otklik.domain.models import (
    FeedbackItem,
    ProductRef,
    ReplyState,
    StatusChange,
    Ticket,
    Tonality,
    Topic,
    TopicPolarity,
)
from otklik.domain.replies.check import ReplyProblem
from otklik.domain.replies.draft import Draft, draft_reply
from otklik.domain.replies.recent import RecentReply, others, product_key
from otklik.usecases.drafts import AutoReplied, ReplyParts, auto_reply
from tests.unit.samples import NOW

LATER = NOW + timedelta(minutes=5)
CONFIG = validate_config(
    {
        "replies": {
            "auto_reply": [
                {
                    "name": "five-stars",
                    "marketplaces": ["wildberries"],
                    "rating": {"min": 5},
                    "delay_minutes": 2,
                }
            ]
        }
    }
)
POLICY = CONFIG.replies.auto_reply[0]
PRODUCT = ProductRef(id="p-1", name="Рюкзак городской")


# ---------------------------------------------------------------- in-memory ports


@dataclass
class InMemoryReplies:
    """The Replies port as TicketsTable keeps it: a ticket's reply is replaced only when there is none, it
    was rejected, or it is the same approved reply; the outbox keeps an item's first automatic reply."""

    tickets: dict[str, ReplyState | None] = field(default_factory=dict)
    outbox: dict[str, tuple[str, ReplyState]] = field(default_factory=dict)
    approvals: list[tuple[str, ReplyState]] = field(default_factory=list)

    def approve(self, ticket_id: str, reply: ReplyState, previous: ReplyState | None = None) -> bool:
        stored = self.tickets.get(ticket_id)
        same = stored is not None and stored.reply_id == reply.reply_id and stored.status == "approved"
        if stored is not None and stored.status != "rejected" and not same:
            return False
        self.tickets[ticket_id] = reply
        self.approvals.append((ticket_id, reply))
        return True

    def mark_rejected(self, ticket_id: str, reply_id: str, reason: str, *, auto: bool = False) -> bool:
        raise AssertionError("auto_reply never rejects a reply")

    def approve_auto(self, ticket_id: str, feedback_id: str, reply: ReplyState) -> bool:
        if ticket_id in self.outbox:
            return False
        self.outbox[ticket_id] = (feedback_id, reply)
        self.approvals.append((ticket_id, reply))
        return True

    def get_auto(self, ticket_id: str) -> ReplyState | None:
        kept = self.outbox.get(ticket_id)
        return kept[1] if kept is not None else None

    def record_auto(self, ticket_id: str, reply: ReplyState) -> bool:
        raise AssertionError("auto_reply never records a publication")


@dataclass
class InMemoryRecentReplies:
    """The last replies on each product, newest first; a reply already listed stays where it is."""

    products: dict[str, list[RecentReply]] = field(default_factory=dict)

    def recent(self, product: str) -> list[RecentReply]:
        return list(self.products.get(product, []))

    def remember(self, product: str, reply: RecentReply, keep: int) -> None:
        kept = self.products.setdefault(product, [])
        if all(entry.reply_id != reply.reply_id for entry in kept):
            kept.insert(0, reply)
            del kept[keep:]


@dataclass
class DelayedQueue:
    """AnswerQueue: what was sent, with the delay it was held back by."""

    sent: list[tuple[BaseModel, int]] = field(default_factory=list)

    def send(self, message: BaseModel, delay_seconds: int = 0) -> str:
        self.sent.append((message, delay_seconds))
        return f"message-{len(self.sent)}"


@dataclass
class Ports:
    replies: InMemoryReplies = field(default_factory=InMemoryReplies)
    recent: InMemoryRecentReplies = field(default_factory=InMemoryRecentReplies)
    queue: DelayedQueue = field(default_factory=DelayedQueue)

    def parts(self) -> ReplyParts:
        return ReplyParts(recent=self.recent, replies=self.replies, answer_queue=self.queue)


# ---------------------------------------------------------------- samples


def topic(name: str, polarity: TopicPolarity) -> Topic:
    return Topic(topic=name, polarity=polarity, evidence=name, start=0, end=len(name))


def review(*, topics: tuple[Topic, ...] = (topic("quality", "positive"),), **changes: Any) -> FeedbackItem:
    """A five-star Wildberries review of the backpack, positive and low-risk."""
    item = FeedbackItem(
        id=feedback_id("wildberries", "wb-main", "review", "wb-5001"),
        source="wildberries",
        account="wb-main",
        kind="review",
        external_id="wb-5001",
        text="Отличный рюкзак, качество порадовало",
        text_masked="Отличный рюкзак, качество порадовало",
        rating=5,
        product=PRODUCT,
        created_at=NOW - timedelta(hours=1),
        received_at=NOW - timedelta(minutes=1),
        day="2026-11-22",
        lang="ru",
        tonality=Tonality(label="positive", compound=0.8, lang="ru", engine="test"),
        topics=topics,
        engines={},
    )
    return item.model_copy(update=changes)


def drafted(item: FeedbackItem, ports: Ports, config: Config = CONFIG) -> Draft:
    """The item's draft as route_feedback makes it: checked against the product's recent replies."""
    key = product_key(item.source, item.account, item.product)
    recent = others(ports.recent.recent(key)) if key is not None else ()
    draft = draft_reply(item, config.replies, recent=recent, moderation=config.moderation)
    assert draft is not None and not draft.problems, "a clean review must have a clean draft"
    return draft


def ticket_of(item: FeedbackItem, reply: ReplyState | None = None) -> Ticket:
    return Ticket(
        id=ticket_id(item.id),
        feedback_id=item.id,
        source=item.source,
        account=item.account,
        kind=item.kind,
        team="support",
        priority="normal",
        status="open",
        reasons=("review",),
        created_at=NOW,
        first_response_due_at=NOW + timedelta(hours=24),
        rating=item.rating,
        tonality_label="positive",
        excerpt="Отличный рюкзак",
        history=(StatusChange(at=NOW, by="otklik", status="open"),),
        reply=reply,
    )


def queued(ports: Ports) -> list[tuple[ApprovedReply, int]]:
    replies = [(message, delay) for message, delay in ports.queue.sent if isinstance(message, ApprovedReply)]
    assert len(replies) == len(ports.queue.sent), "AnswerQueue carries approved replies only"
    return replies


def nothing_done(ports: Ports) -> bool:
    return not ports.queue.sent and not ports.replies.approvals and not ports.recent.products


# ---------------------------------------------------------------- answered


def test_a_low_risk_review_without_a_ticket_is_approved_by_the_policy_and_queued_with_its_delay() -> None:
    # Given a low-risk five-star Wildberries review without a ticket, and its clean draft
    ports = Ports()
    item = review()
    draft = drafted(item, ports)
    holder = ticket_id(item.id)
    # When the policy for five-star Wildberries reviews (two minutes' delay) answers it
    done = auto_reply(item, None, POLICY, draft, NOW, CONFIG, ports.parts())
    # Then the reply is approved in the outbox of automatic replies, in the policy's name
    assert done.policy == "five-stars" and done.refused == ()
    assert done.reply is not None
    assert list(ports.replies.outbox) == [holder]
    kept_for, state = ports.replies.outbox[holder]
    assert kept_for == item.id
    assert (state.status, state.text, state.approved_by, state.approved_at) == (
        "approved",
        draft.text,
        "auto:five-stars",
        NOW,
    )
    assert (state.auto_rule, state.template, state.variant) == ("five-stars", draft.template, draft.variant)
    assert state.reply_id == reply_id(holder, draft.text)
    assert not ports.replies.tickets
    # And it is queued once, held back two minutes, as an automatic reply of no ticket
    assert queued(ports) == [(done.reply, 120)]
    reply = done.reply
    assert (reply.reply_id, reply.ticket_id, reply.feedback_id) == (state.reply_id, holder, item.id)
    assert (reply.marketplace, reply.connection, reply.external_id) == ("wildberries", "wb-main", "wb-5001")
    assert (reply.text, reply.approved_by, reply.auto_rule, reply.on_ticket) == (
        draft.text,
        "auto:five-stars",
        "five-stars",
        False,
    )
    # And it joins the product's recent replies, so the next reply there does not repeat it
    key = product_key("wildberries", "wb-main", PRODUCT)
    assert key is not None and reply.product == key
    assert ports.recent.recent(key) == [RecentReply(reply_id=reply.reply_id, text=draft.text)]


def test_a_redelivered_item_queues_the_reply_it_approved_again_and_approves_nothing_new() -> None:
    # Given a review answered automatically once
    ports = Ports()
    item = review()
    first = auto_reply(item, None, POLICY, drafted(item, ports), NOW, CONFIG, ports.parts())
    assert first.reply is not None
    # When the item is delivered again, and its draft now differs (the first reply is a recent one now)
    redrafted = drafted(item, ports)
    assert redrafted.text != first.reply.text, "the redelivery's draft must differ, or the test says nothing"
    again = auto_reply(item, None, POLICY, redrafted, LATER, CONFIG, ports.parts())
    # Then the same reply is queued again (publish_answers publishes a reply id once), nothing new approved
    assert again.reply is not None and again.refused == ()
    assert again.reply.reply_id == first.reply.reply_id
    assert again.reply.text == first.reply.text
    assert [(message.reply_id, delay) for message, delay in queued(ports)] == [
        (first.reply.reply_id, 120),
        (first.reply.reply_id, 120),
    ]
    assert len(ports.replies.approvals) == 1
    assert ports.replies.get_auto(ticket_id(item.id)) == ports.replies.approvals[0][1]
    # And the product remembers it once
    key = product_key("wildberries", "wb-main", PRODUCT)
    assert key is not None
    assert [entry.reply_id for entry in ports.recent.recent(key)] == [first.reply.reply_id]


def test_a_low_risk_review_with_a_ticket_is_approved_on_its_ticket() -> None:
    # Given a low-risk review with a ticket that has no reply yet
    ports = Ports()
    item = review()
    ticket = ticket_of(item)
    draft = drafted(item, ports)
    # When the policy answers it
    done = auto_reply(item, ticket, POLICY, draft, NOW, CONFIG, ports.parts())
    # Then the reply is approved on the ticket (not in the outbox) and queued as the ticket's
    assert done.reply is not None
    assert not ports.replies.outbox
    stored = ports.replies.tickets[ticket.id]
    assert stored is not None
    assert (stored.reply_id, stored.approved_by, stored.auto_rule) == (
        reply_id(ticket.id, draft.text),
        "auto:five-stars",
        "five-stars",
    )
    assert queued(ports) == [(done.reply, 120)]
    assert (done.reply.ticket_id, done.reply.on_ticket) == (ticket.id, True)


def test_a_redelivered_item_with_a_ticket_queues_the_tickets_automatic_reply_again() -> None:
    # Given a ticket answered automatically once, as the redelivery reads it back
    ports = Ports()
    item = review()
    first = auto_reply(item, ticket_of(item), POLICY, drafted(item, ports), NOW, CONFIG, ports.parts())
    assert first.reply is not None
    ticket = ticket_of(item, ports.replies.tickets[ticket_id(item.id)])
    # When the item is delivered again with another draft
    redrafted = drafted(item, ports)
    assert redrafted.text != first.reply.text, "the redelivery's draft must differ, or the test says nothing"
    again = auto_reply(item, ticket, POLICY, redrafted, LATER, CONFIG, ports.parts())
    # Then the ticket's reply is queued again, and no other is approved
    assert again.reply is not None
    assert again.reply.reply_id == first.reply.reply_id
    assert [message.reply_id for message, _ in queued(ports)] == [first.reply.reply_id] * 2
    assert len(ports.replies.approvals) == 1


# ---------------------------------------------------------------- refused


def test_a_review_naming_a_negative_topic_waits_for_a_person() -> None:
    # Given a five-star review that blames the delivery, and a draft for it
    ports = Ports()
    item = review(topics=(topic("quality", "positive"), topic("delivery", "negative")))
    draft = draft_reply(item, CONFIG.replies, moderation=CONFIG.moderation)
    assert draft is not None
    # When the policy looks at it
    done = auto_reply(item, None, POLICY, draft, NOW, CONFIG, ports.parts())
    # Then it is refused, saying why, and nothing is approved, queued or remembered
    assert done == AutoReplied("five-stars", refused=("negative topics: delivery",))
    assert nothing_done(ports)


def test_a_draft_the_check_finds_problems_in_waits_for_a_person_with_them() -> None:
    # Given a low-risk review whose draft fails the reply check
    ports = Ports()
    item = review()
    problem = ReplyProblem(check="stop_word", start=0, end=6, message="stop_word: 'скидка' at 0-6")
    draft = Draft(
        text="Скидка для вас!", template="thanks", variant="thanks.0", lang="ru", problems=(problem,)
    )
    # When the policy looks at it
    done = auto_reply(item, None, POLICY, draft, NOW, CONFIG, ports.parts())
    # Then it is refused with the check's problems, and nothing is done
    assert done.reply is None
    assert done.refused == ("stop_word: 'скидка' at 0-6",)
    assert nothing_done(ports)


def test_an_item_no_template_drafts_for_waits_for_a_person() -> None:
    # Given a low-risk review for which no template made a draft
    ports = Ports()
    # When the policy looks at it
    done = auto_reply(review(), None, POLICY, None, NOW, CONFIG, ports.parts())
    # Then it is refused, saying so, and nothing is done
    assert done.reply is None
    assert done.refused == ("no template drafts a reply to it",)
    assert nothing_done(ports)


def test_a_ticket_a_person_replied_on_is_not_answered_automatically() -> None:
    # Given a ticket whose reply an agent approved
    ports = Ports()
    item = review()
    by_person = ReplyState(
        reply_id="rp_anna", text="Спасибо, Анна!", status="approved", approved_by="anna", approved_at=NOW
    )
    ticket = ticket_of(item, by_person)
    ports.replies.tickets[ticket.id] = by_person
    # When the policy looks at the item
    done = auto_reply(item, ticket, POLICY, drafted(item, ports), LATER, CONFIG, ports.parts())
    # Then it is refused, the person's reply stays, and nothing is queued
    assert done.reply is None
    assert "a person has replied to it" in done.refused
    assert ports.replies.tickets[ticket.id] == by_person
    assert nothing_done(ports)


def test_an_outbox_reply_published_already_is_not_queued_again() -> None:
    # Given an item answered automatically, whose reply was published since
    ports = Ports()
    item = review()
    first = auto_reply(item, None, POLICY, drafted(item, ports), NOW, CONFIG, ports.parts())
    assert first.reply is not None
    holder = ticket_id(item.id)
    kept_for, state = ports.replies.outbox[holder]
    ports.replies.outbox[holder] = (
        kept_for,
        state.model_copy(update={"status": "published", "published_at": NOW}),
    )
    # When the item is delivered again
    again = auto_reply(item, None, POLICY, drafted(item, ports), LATER, CONFIG, ports.parts())
    # Then nothing is queued a second time
    assert again.reply is None
    assert again.refused == ("another reply is approved or published",)
    assert len(ports.queue.sent) == 1


def test_a_ticket_whose_automatic_reply_the_platform_refused_waits_for_a_person() -> None:
    # Given a ticket whose automatic reply the platform refused (reply_refused reopened it, for someone to
    # correct the reply: the notification says so), and the draft it was made of
    ports = Ports()
    item = review()
    draft = drafted(item, ports)
    ticket = ticket_of(item)
    refused = ReplyState(
        reply_id=reply_id(ticket.id, draft.text),
        text=draft.text,
        status="rejected",
        approved_by="auto:five-stars",
        approved_at=NOW,
        published_at=NOW + timedelta(minutes=2),
        reason="Wildberries: Wildberries answer.state rejected",
        auto_rule="five-stars",
        platform_state="rejected",
    )
    ticket = ticket.model_copy(update={"reply": refused})
    ports.replies.tickets[ticket.id] = refused
    # When the item is delivered again
    done = auto_reply(item, ticket, POLICY, draft, LATER, CONFIG, ports.parts())
    # Then the refused text is not approved and queued again without a person
    assert done.reply is None
    assert not ports.queue.sent
    assert ports.replies.tickets[ticket.id] == refused
