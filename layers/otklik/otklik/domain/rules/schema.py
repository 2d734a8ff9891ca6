"""A rule as the configuration document writes it: a name, `when` conditions, `then` actions, `stop`.

    rules:
      - name: delivery-to-logistics
        when: {topic: {topic: delivery, polarity: negative}}
        then: {team: logistics, tags: [delivery]}

Validated with the rest of the document (otklik.domain.config): a `when` problem is named by its path,
e.g. `rules[3].when.rating.lt3: unknown operator 'lt3'; operators are eq, in, …`. What refers to other
sections (a team, a topic) is checked by rule_reference_problems and the topics' own check.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from otklik.domain.models import Frozen, Priority
from otklik.domain.rules.conditions import All, Condition, parse_condition

MAX_RULES = 100
RULE_NAME = r"^[a-z0-9][a-z0-9_-]{0,59}$"
NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
# A reason, e.g. low_rating or moderation:insult; `{flag}` stands for each of the item's moderation flags.
REASON = r"^[a-z0-9][a-z0-9_-]{0,39}(:([a-z0-9_-]{1,40}|\{flag\}))?$"
FLAG_PLACEHOLDER = "{flag}"
# The error type whose problems are already named by their paths below the field (see config._problems).
NESTED_PROBLEMS = "nested_problems"

Name = Annotated[str, Field(pattern=NAME)]
Tag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_:-]{0,39}$")]


class Actions(Frozen):
    """What a rule does to the decision. Single values (team, priority, …) are set, so a later rule's
    wins; reasons, tags and notify add up."""

    # `raise` is a Python keyword, so its field is raise_; dumped by its name in the document, so that a
    # dumped document reads back.
    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True)

    reason: str | None = Field(
        default=None,
        pattern=REASON,
        description="opens a ticket for this reason (a rule without one only shapes it)",
    )
    team: Name | None = None
    priority: Priority | None = None
    raise_: int | None = Field(default=None, alias="raise", ge=1, le=3, description="priority steps up")
    lower: int | None = Field(default=None, ge=1, le=3, description="priority steps down")
    sla_policy: Name | None = None
    tags: tuple[Tag, ...] = Field(default=(), max_length=20)
    assignee: str | None = Field(default=None, min_length=1, max_length=200)
    assign: Literal["round_robin"] | None = Field(default=None, description="round_robin within the team")
    notify: tuple[Name, ...] = Field(default=(), max_length=20, description="subscriptions to tell")
    suppress: bool = Field(default=False, description="no ticket, whatever the other rules say")
    reply_needed: bool | None = Field(default=None, description="false: the ticket needs no reply (spam)")
    draft_template: Name | None = None
    after_reply: Literal["waiting_customer", "resolved"] | None = Field(
        default=None, description="where the ticket goes once its reply is published (tickets.after_reply)"
    )
    after_reply_root_cause: Name | None = Field(
        default=None, description="the root cause recorded when after_reply is resolved"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Actions:
        if self.priority is not None and (self.raise_ is not None or self.lower is not None):
            raise ValueError("give priority, or raise/lower, not both")
        if self.raise_ is not None and self.lower is not None:
            raise ValueError("give raise or lower, not both")
        if self.assignee is not None and self.assign is not None:
            raise ValueError("give assignee or assign: round_robin, not both")
        if self.suppress and self.reason is not None:
            raise ValueError("a rule that suppresses the ticket gives it no reason")
        if self.after_reply_root_cause is not None and self.after_reply != "resolved":
            raise ValueError("after_reply_root_cause goes with after_reply: resolved")
        return self

    def shown(self) -> dict[str, Any]:
        """The actions as the document writes them, without those left out."""
        shown: dict[str, Any] = self.model_dump(mode="json", exclude_defaults=True)
        return shown


class Rule(Frozen):
    name: str = Field(pattern=RULE_NAME, description="unique; shown wherever the rule matched")
    description: str | None = Field(default=None, max_length=500)
    when: dict[str, Any] = Field(default_factory=dict, description="conditions; none: every item")
    then: Actions = Actions()
    stop: bool = Field(default=False, description="true: no later rule is looked at once this one matched")
    _condition: Condition = PrivateAttr(default=All(()))

    @field_validator("when")
    @classmethod
    def _readable(cls, when: dict[str, Any]) -> dict[str, Any]:
        _, problems = parse_condition(when)
        if problems:
            raise PydanticCustomError(
                NESTED_PROBLEMS, "{summary}", {"summary": problems[0][1], "problems": problems}
            )
        return when

    @model_validator(mode="after")
    def _does_something(self) -> Rule:
        if not self.stop and self.then == Actions():
            raise ValueError("the rule does nothing: give it an action under then, or stop: true")
        return self

    def model_post_init(self, context: Any, /) -> None:
        condition, _ = parse_condition(self.when)
        self._condition = condition if condition is not None else All(())

    @property
    def condition(self) -> Condition:
        return self._condition


def rule_reference_problems(document: dict[str, Any], teams: list[str], policies: list[str]) -> list[str]:
    """What the rules of a raw document refer to: rule names defined once, teams and SLA policies that
    exist. (Topics are checked by otklik.domain.topics.settings.topic_reference_problems.)"""
    rules = document.get("rules")
    if not isinstance(rules, list | tuple):
        return []
    problems: list[str] = []
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        name = rule.get("name")
        if isinstance(name, str):
            if name in seen:
                problems.append(f"rules[{index}].name: rule {name!r} is defined twice")
            seen.add(name)
        then = rule.get("then")
        if not isinstance(then, dict):
            continue
        for key, what, plural, names in (
            ("team", "team", "teams", teams),
            ("sla_policy", "policy", "policies", policies),
        ):
            value = then.get(key)
            if isinstance(value, str) and names and value not in names:
                listing = ", ".join(dict.fromkeys(names))
                problems.append(
                    f"rules[{index}].then.{key}: unknown {what} {value!r}; {plural} are {listing}"
                )
    return problems
