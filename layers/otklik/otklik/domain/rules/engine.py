"""The rules engine: ordered rules over one feedback item, and the decision they come to.

Rules are looked at in the document's order. Each whose `when` holds is a match: it is recorded with
why it held, and its `then` applied. A rule with `stop: true` ends the look once it matched. A ticket
is opened when some matched rule gave a reason and none suppressed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from otklik.domain.models import AfterReply, FeedbackItem, Frozen, Priority, RuleMatch
from otklik.domain.rules.conditions import Facts
from otklik.domain.rules.schema import FLAG_PLACEHOLDER, Actions, Rule

# Lowest first: raise: 1 moves one step right, lower: 1 one step left, never past either end.
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")
# A ticket keeps the whys of its matches: bounded, so that a hundred rules cannot outgrow an item.
MAX_WHYS = 8
MAX_WHY_CHARS = 200


class Decision(Frozen):
    """What the rules decided for one item, and every rule that matched, with why."""

    reasons: tuple[str, ...] = ()
    team: str
    priority: Priority = "normal"
    sla_policy: str | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    round_robin: bool = False
    notify: tuple[str, ...] = ()
    suppressed: bool = False
    reply_needed: bool = True
    draft_template: str | None = None
    after_reply: AfterReply | None = None
    after_reply_root_cause: str | None = None
    matched: tuple[RuleMatch, ...] = ()

    @property
    def opens_ticket(self) -> bool:
        return bool(self.reasons) and not self.suppressed


@dataclass
class _Draft:
    team: str
    priority: Priority
    reasons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notify: list[str] = field(default_factory=list)
    sla_policy: str | None = None
    assignee: str | None = None
    round_robin: bool = False
    suppressed: bool = False
    reply_needed: bool = True
    draft_template: str | None = None
    after_reply: AfterReply | None = None
    after_reply_root_cause: str | None = None

    def apply(self, then: Actions, item: FeedbackItem) -> None:
        if then.reason is not None:
            _add(self.reasons, _reasons(then.reason, item))
        if then.team is not None:
            self.team = then.team
        if then.priority is not None:
            self.priority = then.priority
        step = (then.raise_ or 0) - (then.lower or 0)
        if step:
            index = PRIORITIES.index(self.priority) + step
            self.priority = PRIORITIES[max(0, min(index, len(PRIORITIES) - 1))]
        if then.sla_policy is not None:
            self.sla_policy = then.sla_policy
        _add(self.tags, then.tags)
        if then.assignee is not None:
            self.assignee, self.round_robin = then.assignee, False
        if then.assign == "round_robin":
            self.assignee, self.round_robin = None, True
        _add(self.notify, then.notify)
        self.suppressed = self.suppressed or then.suppress
        if then.reply_needed is not None:
            self.reply_needed = then.reply_needed
        if then.draft_template is not None:
            self.draft_template = then.draft_template
        if then.after_reply is not None:
            self.after_reply, self.after_reply_root_cause = then.after_reply, then.after_reply_root_cause


def _add(into: list[str], values: Sequence[str]) -> None:
    into.extend(value for value in values if value not in into)


def _reasons(reason: str, item: FeedbackItem) -> list[str]:
    """A rule's reason; with `{flag}`, one reason per moderation flag of the item, in their order."""
    if FLAG_PLACEHOLDER not in reason:
        return [reason]
    return [reason.replace(FLAG_PLACEHOLDER, flag) for flag in item.moderation.flags]


def _bounded(why: tuple[str, ...]) -> tuple[str, ...]:
    shown = tuple(line if len(line) <= MAX_WHY_CHARS else line[: MAX_WHY_CHARS - 1] + "…" for line in why)
    if len(shown) > MAX_WHYS:
        return (*shown[: MAX_WHYS - 1], f"… and {len(shown) - MAX_WHYS + 1} more")
    return shown


def decide(
    item: FeedbackItem,
    rules: Sequence[Rule],
    *,
    team: str,
    priority: Priority = "normal",
    repeat_contact: bool = False,
) -> Decision:
    """The decision of the rules for item: `team` and `priority` are where a ticket starts before any
    rule changes them; `repeat_contact` is what the caller found (the same customer or order again)."""
    facts = Facts(item, repeat_contact=repeat_contact)
    draft = _Draft(team=team, priority=priority)
    matched: list[RuleMatch] = []
    for rule in rules:
        held, why = rule.condition.test(facts)
        if not held:
            continue
        matched.append(RuleMatch(name=rule.name, why=_bounded(why)))
        draft.apply(rule.then, item)
        if rule.stop:
            break
    return Decision(
        reasons=tuple(draft.reasons),
        team=draft.team,
        priority=draft.priority,
        sla_policy=draft.sla_policy,
        tags=tuple(draft.tags),
        assignee=draft.assignee,
        round_robin=draft.round_robin,
        notify=tuple(draft.notify),
        suppressed=draft.suppressed,
        reply_needed=draft.reply_needed,
        draft_template=draft.draft_template,
        after_reply=draft.after_reply,
        after_reply_root_cause=draft.after_reply_root_cause,
        matched=tuple(matched),
    )
