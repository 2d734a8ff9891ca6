"""The configuration document: a seller's policy as data, validated by this one schema.

Teams, routing rules (otklik.domain.rules) and thresholds, SLA hours, channels, notification texts,
tonality overrides and learning, moderation settings and a seller's own topics live here, so a seller
changes them in YAML, never in code. Every setting has the default that reproduces otklik's behaviour
without a document; infra/config/otklik.yaml spells them all out.

parse_config() reads YAML text and raises ConfigInvalid naming every problem by its path in the
document, e.g. `routing.team: unknown team 'suport'; teams are support`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from otklik.domain.alerts import SpikeSettings
from otklik.domain.learning import (
    CURRENT,
    NAMED_CHOICES,
    AccountName,
    LearningSettings,
    ModelChoice,
)
from otklik.domain.lifecycle import TicketSettings
from otklik.domain.models import Frozen, Ticket
from otklik.domain.moderation.settings import ModerationSettings
from otklik.domain.notifications import LanguageTexts, NotificationTexts, variables
from otklik.domain.notify.plan import DigestCounts, digest_texts
from otklik.domain.notify.settings import (
    CHANNEL_TYPES,
    ChannelConfig,
    Recipient,
    Subscription,
)
from otklik.domain.notify.settings import reference_problems as notify_reference_problems
from otklik.domain.replies.settings import ReplySettings
from otklik.domain.replies.templates import (
    raw_reply_template_problems,
    reply_reference_problems,
    reply_template_problems,
)
from otklik.domain.reports import ReportSettings
from otklik.domain.routing import DEFAULT_RULE_SETTINGS, RoutingPolicy, default_rule_set
from otklik.domain.rules.schema import MAX_RULES, NESTED_PROBLEMS, Rule, rule_reference_problems
from otklik.domain.sla.settings import SlaSettings, sla_reference_problems
from otklik.domain.templates import TemplateProblem, render
from otklik.domain.tonality.overrides import NO_OVERRIDES, OverrideError, Overrides, parse_overrides
from otklik.domain.topics.settings import TopicSettings, topic_reference_problems

NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class ConfigInvalid(ValueError):
    """The document cannot be used; problems lists each one as 'path: what is wrong'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n- " + "\n- ".join(problems))
        self.problems = problems


class Team(Frozen):
    name: str = Field(pattern=NAME)
    title: str | None = Field(default=None, max_length=200)
    # Who works the team's tickets: whom round-robin assignment takes turns over, and whom an agent may
    # assign a ticket of the team to (anyone, when none are listed).
    members: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = ()


class TonalitySettings(Frozen):
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="A seller's own slang: term -> valence on -4..4"
    )
    # The learned layer over the lexicon (otklik.domain.learning): current, shipped, lexicon, or one
    # account's model version under `models` (a pin: the rollback is setting it).
    model: ModelChoice = CURRENT
    models: dict[AccountName, ModelChoice] = Field(default_factory=dict, description="Per account")
    learning: LearningSettings = LearningSettings()

    @field_validator("model")
    @classmethod
    def _not_one_accounts(cls, value: str) -> str:
        if value not in NAMED_CHOICES:
            raise ValueError(
                f"{value!r} is one account's model version; pin it for that account under "
                f"tonality.models (e.g. models: {{my-account: {value}}})"
            )
        return value

    def model_for(self, account: str) -> str:
        """The learned layer the account's texts are scored with: its own entry in models, else model."""
        return self.models.get(account, self.model)

    @field_validator("overrides")
    @classmethod
    def _usable(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            parse_overrides(value, "overrides")
        except OverrideError as error:
            raise ValueError(str(error).removeprefix("overrides: ")) from None
        return value

    def parsed(self) -> Overrides:
        return _parsed_overrides(tuple(self.overrides.items()))


@cache
def _parsed_overrides(entries: tuple[tuple[str, Any], ...]) -> Overrides:
    """Parsed once per process and value: the engine built from them is cached on the same key."""
    return parse_overrides(dict(entries)) if entries else NO_OVERRIDES


def _sample_ticket() -> Ticket:
    """A ticket with every field set, to render each template once when the document is checked."""
    moment = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    return Ticket(
        id="tk_sample",
        feedback_id="fb_sample",
        source="wildberries",
        account="default",
        kind="review",
        team="support",
        priority="high",
        status="open",
        reasons=("low_rating",),
        created_at=moment,
        first_response_due_at=moment,
        rating=1,
        tonality_label="negative",
        excerpt="…",
        history=(),
    )


def _default(setting: str) -> Any:
    return Config.model_fields[setting].get_default(call_default_factory=True)


def _names(entries: Any) -> list[tuple[int, str]]:
    """(index, name) of the entries of a list that have a string name; anything else is skipped."""
    if not isinstance(entries, list | tuple):
        return []
    return [
        (index, entry["name"])
        for index, entry in enumerate(entries)
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    ]


def reference_problems(document: Any) -> list[str]:
    """What refers to what: names defined once, references to defined names.

    Read from the raw document too, so these are reported beside the field errors of the same check
    instead of only after those are fixed.
    """
    if not isinstance(document, dict):
        return []
    problems: list[str] = []
    teams = _names(document.get("teams", [{"name": team.name} for team in _default("teams")]))
    for what, entries in (("team", teams), ("channel", _names(document.get("channels", [])))):
        seen: set[str] = set()
        for index, name in entries:
            if name in seen:
                problems.append(f"{what}s[{index}].name: {what} {name!r} is defined twice")
            seen.add(name)
    routing = document.get("routing")
    team = routing.get("team", _default("routing").team) if isinstance(routing, dict) else None
    names = [name for _, name in teams]
    if "teams" in document and isinstance(document["teams"], list | tuple) and not document["teams"]:
        problems.append("teams: at least one team is needed")
    elif isinstance(team, str) and names and team not in names:
        problems.append(f"routing.team: unknown team {team!r}; teams are {', '.join(dict.fromkeys(names))}")
    problems.extend(topic_reference_problems(document))
    sla = document.get("sla")
    policies = sla.get("policies") if isinstance(sla, dict) and "policies" in sla else None
    if policies is None:
        policies = [{"name": policy.name} for policy in _default("sla").policies]
    problems.extend(rule_reference_problems(document, names, [name for _, name in _names(policies)]))
    problems.extend(sla_reference_problems(document))
    problems.extend(_after_reply_problems(document))
    problems.extend(reply_reference_problems(document))
    for what, entries in (
        ("recipient", _names(document.get("recipients", []))),
        ("subscription", _names(document.get("subscriptions", []))),
    ):
        seen = set()
        for index, name in entries:
            if name in seen:
                problems.append(f"{what}s[{index}].name: {what} {name!r} is defined twice")
            seen.add(name)
    problems.extend(notify_reference_problems(document))
    problems.extend(_notify_name_problems(document))
    return problems


def _notify_name_problems(document: dict[str, Any]) -> list[str]:
    """Once a document lists recipients, whom a rule or an escalation step tells is one of them or a
    subscription (before, the names only labelled the notification)."""
    if not document.get("recipients"):
        return []
    known = {name for _, name in _names(document.get("recipients"))}
    known |= {name for _, name in _names(document.get("subscriptions", []))}
    problems: list[str] = []
    rules = document.get("rules")
    for index, rule in enumerate(rules if isinstance(rules, list | tuple) else []):
        then = rule.get("then") if isinstance(rule, dict) else None
        names = then.get("notify") if isinstance(then, dict) else None
        for position, name in enumerate(names if isinstance(names, list | tuple) else []):
            if isinstance(name, str) and name not in known:
                problems.append(
                    f"rules[{index}].then.notify[{position}]: {name!r} is no recipient or subscription"
                )
    sla = document.get("sla")
    policies = sla.get("policies") if isinstance(sla, dict) else None
    for index, policy in enumerate(policies if isinstance(policies, list | tuple) else []):
        steps = policy.get("escalation") if isinstance(policy, dict) else None
        for position, step in enumerate(steps if isinstance(steps, list | tuple) else []):
            name = step.get("notify") if isinstance(step, dict) else None
            if isinstance(name, str) and name not in known:
                problems.append(
                    f"sla.policies[{index}].escalation[{position}].notify: {name!r} is no recipient or "
                    "subscription"
                )
    return problems


def _after_reply_problems(document: dict[str, Any]) -> list[str]:
    """A rule's after_reply: resolved needs a root cause (its own or tickets.after_reply_root_cause), one of
    tickets.root_causes."""
    section = document.get("tickets")
    tickets: dict[str, Any] = section if isinstance(section, dict) else {}
    default = _default("tickets")
    causes = tickets.get("root_causes", default.root_causes)
    fallback = tickets.get("after_reply_root_cause", default.after_reply_root_cause)
    rules = document.get("rules")
    problems: list[str] = []
    for index, rule in enumerate(rules if isinstance(rules, list | tuple) else []):
        then = rule.get("then") if isinstance(rule, dict) else None
        if not isinstance(then, dict) or then.get("after_reply") != "resolved":
            continue
        cause = then.get("after_reply_root_cause")
        where = f"rules[{index}].then.after_reply_root_cause"
        if cause is None and fallback is None:
            problems.append(
                f"{where}: after_reply resolved needs a root cause (or tickets.after_reply_root_cause)"
            )
        elif isinstance(cause, str) and isinstance(causes, list | tuple) and cause not in causes:
            problems.append(f"{where}: {cause!r} is not one of tickets.root_causes")
    return problems


def template_problems(texts: NotificationTexts) -> Iterator[str]:
    """Each template, in each language, rendered for sample tickets and events: what does not compile or
    render, by its path."""
    full = _sample_ticket()
    # A question without stars too: a template that only works when every field is set would pass
    # the check and then fail each such ticket's notification.
    bare = full.model_copy(update={"kind": "question", "rating": None, "reasons": ("question",)})
    samples = {"": full, " (for a question without stars)": bare}
    languages: dict[str, LanguageTexts] = {"notifications": texts, "notifications.english": texts.english}
    for where, language in languages.items():
        for event, template in language.templates.items():
            for part in ("title", "text"):
                for when, ticket in samples.items():
                    try:
                        render(getattr(template, part), variables(ticket, language))
                    except TemplateProblem as problem:
                        yield f"{where}.templates.{event}.{part}: {problem}{when}"
                        break
        try:
            digest_texts(DigestCounts({"ticket_opened": 3}, {"quality": 2}), 60, texts, _code(where))
        except TemplateProblem as problem:
            yield f"{where}.digest: {problem}"
    try:
        render(
            texts.ticket_link, {"base_url": "https://otklik.example", "ticket": full.model_dump(mode="json")}
        )
    except TemplateProblem as problem:
        yield f"notifications.ticket_link: {problem}"


def _code(where: str) -> str:
    return "en" if where.endswith("english") else "ru"


def _raw_template_problems(document: dict[str, Any]) -> list[str]:
    """The templates' problems of a document refused for other reasons, if its notifications parse."""
    try:
        texts = NotificationTexts.model_validate(document.get("notifications") or {})
    except ValidationError:
        return []  # their own field errors are reported already
    return list(template_problems(texts))


class Config(Frozen):
    """The whole document. Unknown settings are refused, so a misspelt key is an error, not a no-op."""

    version: Literal[1] = 1
    teams: tuple[Team, ...] = (Team(name="support"),)
    routing: RoutingPolicy = RoutingPolicy()
    channels: tuple[ChannelConfig, ...] = ()
    # Who reads notifications, and which events go to whom on which channel (otklik.domain.notify).
    recipients: tuple[Recipient, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    notifications: NotificationTexts = NotificationTexts()
    tonality: TonalitySettings = TonalitySettings()
    moderation: ModerationSettings = ModerationSettings()
    replies: ReplySettings = ReplySettings()
    topics: TopicSettings = TopicSettings()
    sla: SlaSettings = SlaSettings()
    # Without a `rules:` section, the default rules for the routing thresholds (see _default_rules).
    rules: tuple[Rule, ...] = Field(default=(), max_length=MAX_RULES)
    tickets: TicketSettings = TicketSettings()
    # Spike alerts (otklik.domain.alerts): when a topic's complaints are a spike, and how long one is quiet.
    alerts: SpikeSettings = SpikeSettings()
    # Scheduled reports (otklik.domain.reports): the hour a day's report is due, weekly and monthly ones.
    reports: ReportSettings = ReportSettings()

    @model_validator(mode="before")
    @classmethod
    def _default_rules(cls, data: Any) -> Any:
        """A document without rules gets the default rules of its routing thresholds, spelt out as rules,
        so that what routes an item is always the rule list a seller can read."""
        if not isinstance(data, dict) or data.get("rules") is not None:
            return data
        routing = data.get("routing", RoutingPolicy())
        try:
            policy = routing if isinstance(routing, RoutingPolicy) else RoutingPolicy.model_validate(routing)
        except ValidationError:
            policy = RoutingPolicy()  # the routing section's own errors are reported by its field
        return {**data, "rules": default_rule_set(policy)}

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        problems = list(self._problems())
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _problems(self) -> Iterator[str]:
        yield from reference_problems(self.model_dump(mode="json"))
        yield from template_problems(self.notifications)
        yield from reply_template_problems(self.replies)

    def enabled_channels(self) -> tuple[ChannelConfig, ...]:
        return tuple(channel for channel in self.channels if channel.enabled)


DEFAULT_CONFIG = Config()


# pydantic's wording for the mistakes people make most in YAML, in the words of a settings file.
_MESSAGES = {
    "extra_forbidden": "unknown setting",
    "missing": "required",
}


def _path(location: tuple[int | str, ...]) -> str:
    """('routing', 'sla', 'first_response_hours') -> routing.sla.first_response_hours; indexes as [i]."""
    path = ""
    for index, part in enumerate(location):
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            continue  # pydantic's marker of a refused mapping key: the path already ends at that key
        elif index > 0 and location[index - 1] != "channels" and part in CHANNEL_TYPES:
            continue  # the discriminated union's tag: the type the entry already says it is
        else:
            path += f".{part}" if path else str(part)
    return path or "(document)"


def _problems(error: ValidationError) -> list[str]:
    problems: list[str] = []
    for detail in error.errors(include_url=False):
        if detail["type"] == "value_error" and not detail["loc"]:
            # Our own cross-checks (model_validator) already name their paths, one per line.
            problems.extend(str(detail["ctx"]["error"]).splitlines())
            continue
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # A channel's `type` chooses its schema; pydantic's words name the discriminator, not the key.
            tag = detail.get("ctx", {}).get("tag")
            wrong = "required" if tag is None else f"unknown channel type {tag!r}"
            types = ", ".join(sorted(CHANNEL_TYPES))
            problems.append(f"{_path(tuple(detail['loc']))}.type: {wrong}; types are {types}")
            continue
        if detail["type"] == NESTED_PROBLEMS:
            # A rule's `when`: each problem is named by its path below the field.
            where = _path(tuple(detail["loc"]))
            problems.extend(f"{where}{below}: {message}" for below, message in detail["ctx"]["problems"])
            continue
        message = _MESSAGES.get(detail["type"], detail["msg"])
        message = message.removeprefix("Value error, ")
        problems.append(f"{_path(tuple(detail['loc']))}: {message}")
    return problems


def _without_empty(value: Any) -> Any:
    """The document with settings left empty (`routing:` with every line commented out) dropped, so
    they take their defaults instead of being refused as 'not a mapping'."""
    if isinstance(value, dict):
        return {key: _without_empty(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def validate_config(document: Any) -> Config:
    """The Config of a parsed document (None or empty: every default); ConfigInvalid otherwise."""
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigInvalid(["(document): must be a mapping of settings (teams, routing, ...)"])
    document = _without_empty(document)
    unused = _unused_thresholds(document)
    try:
        config = Config.model_validate(document)
    except ValidationError as error:
        problems = _problems(error)
        more = reference_problems(document) + _raw_template_problems(document) + unused
        more += raw_reply_template_problems(document.get("replies"))
        problems += [problem for problem in more if problem not in problems]
        raise ConfigInvalid(problems) from None
    if unused:
        raise ConfigInvalid(unused)
    return config


def _unused_thresholds(document: dict[str, Any]) -> list[str]:
    """The routing thresholds of a document that has rules of its own: they shape only the default
    rules, so beside `rules:` they would change nothing, silently."""
    routing = document.get("routing")
    if "rules" not in document or not isinstance(routing, dict):
        return []
    return [
        f"routing.{setting}: shapes only the default rules, and this document has rules of its own;"
        " say it in a rule's when (e.g. rating: {lte: 2}) and leave this out"
        for setting in DEFAULT_RULE_SETTINGS
        if setting in routing
    ]


def parse_config(text: str | bytes) -> Config:
    """The Config of a YAML document; ConfigInvalid naming every problem (YAML errors by line)."""
    from otklik.domain.yaml_document import YamlProblem, load_yaml

    try:
        document = load_yaml(text)
    except YamlProblem as problem:
        raise ConfigInvalid([str(problem)]) from None
    return validate_config(document)
