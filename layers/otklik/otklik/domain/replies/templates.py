"""Reply templates of the configuration document (`replies.templates`): their schema, what a draft may say
(the variables), and the checks a document's templates pass when it is loaded.

    replies:
      templates:
        - name: delivery-apology
          lang: ru
          when: {kinds: [review, complaint], topics: [{topic: delivery, polarity: negative}]}
          greeting: ["Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!"]
          apology: ["Простите, что доставка подвела."]
          body:
            delivery: ["Мы передали ваш отзыв службе доставки."]
            default: ["Мы разберёмся, что пошло не так."]
          next_steps:
            - "Напишите нам в чат заказа, и мы поможем."
            - {text: "Если товар не подошёл, мы вернём деньги.", promises: [refund]}
          sign_off: ["С уважением, {{ signature or 'команда магазина' }}."]

Decisions, so that the document, the composer (otklik.domain.replies.draft) and the check agree:
- A template's blocks come in a fixed order: greeting, thanks, apology, body, next_steps, sign_off. Every
  block is a list of variants, so variety comes from combining them; a block left out or empty is not said.
- Tone by customer segment is a template of its own whose `when.segments` names the tiers (vip, gold...),
  listed before the general one: the first template whose `when` holds is the one drafted from, so one
  mechanism chooses both what is said and how.
- `body` holds variants per topic id, and `default` for an item none of them fits. A topic's variants are
  a list (said whatever the topic's polarity) or a mapping by polarity (`{negative: [...], positive:
  [...]}`), so an apology does not answer praise of the delivery with regrets about it.
- A variant is a Jinja2 template (rendered in the sandbox, undefined names are errors) or a mapping
  `{text, promises}`: a variant that promises a refund or an exchange is said only where every promise
  it makes is allowed (replies.may_promise, or a rule's allowance).
- A template sees VARIABLES and nothing else. None of them holds the customer's own words: a draft never
  quotes the feedback, so a phone number, a link or an insult in it is never said back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from otklik.domain.models import FeedbackItem, FeedbackKind, Frozen, TonalityLabel, TopicPolarity
from otklik.domain.templates import TemplateProblem, render
from otklik.domain.topics.settings import TOPIC_NAME
from otklik.domain.topics.table import TOPICS

if TYPE_CHECKING:
    from otklik.domain.replies.settings import ReplySettings

TEMPLATE_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
PROMISE_NAME = r"^[a-z][a-z0-9_]{0,39}$"
ReplyLang = Literal["ru", "en"]
LANGS: tuple[ReplyLang, ...] = ("ru", "en")
MAX_TEMPLATES = 100
MAX_VARIANTS = 20
DEFAULT_BODY = "default"
# The blocks in the order a reply says them; body stands for the topic variants chosen for the item.
BLOCKS = ("greeting", "thanks", "apology", "body", "next_steps", "sign_off")
# Everything a template may use: none of it is the customer's text (see the module's docstring).
VARIABLES = (
    "first_name",
    "product",
    "order",
    "topics",
    "negative_topics",
    "positive_topics",
    "rating",
    "marketplace",
    "signature",
)

# What a reply calls each topic and marketplace, per language; a seller's own topic is called by its name.
TOPIC_TITLES: Mapping[ReplyLang, Mapping[str, str]] = {
    "ru": {
        "quality": "качество",
        "size_fit": "размер",
        "description_mismatch": "соответствие описанию",
        "wrong_or_missing_item": "комплектация",
        "delivery": "доставка",
        "packaging": "упаковка",
        "smell": "запах",
        "price_value": "цена",
        "seller_service": "обслуживание",
        "returns_refunds": "возврат",
        "counterfeit": "оригинальность",
    },
    "en": {
        "quality": "quality",
        "size_fit": "size and fit",
        "description_mismatch": "match with the description",
        "wrong_or_missing_item": "contents of the order",
        "delivery": "delivery",
        "packaging": "packaging",
        "smell": "smell",
        "price_value": "price",
        "seller_service": "service",
        "returns_refunds": "returns",
        "counterfeit": "authenticity",
    },
}
MARKETPLACE_TITLES: Mapping[ReplyLang, Mapping[str, str]] = {
    "ru": {"wildberries": "Wildberries", "ozon": "Ozon", "yandex_market": "Яндекс Маркет"},
    "en": {"wildberries": "Wildberries", "ozon": "Ozon", "yandex_market": "Yandex Market"},
}


def topic_title(topic: str, lang: ReplyLang) -> str:
    """What a reply in `lang` calls a topic: "доставка" for delivery; a seller's own topic by its name."""
    return TOPIC_TITLES[lang].get(topic) or topic.replace("_", " ")


Promise = Annotated[str, Field(pattern=PROMISE_NAME)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=100)]


def _variant_entry(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Variant(Frozen):
    """One way to say a block: a Jinja2 template, and what it promises (a refund, an exchange); one that
    promises anything is said only where each promise is allowed. Written as its text alone when it
    promises nothing."""

    text: str = Field(min_length=1, max_length=1000)
    promises: tuple[Promise, ...] = Field(default=(), max_length=10)


Variants = Annotated[
    tuple[Annotated[Variant, BeforeValidator(_variant_entry)], ...], Field(max_length=MAX_VARIANTS)
]


def _topic_variants_entry(value: Any) -> Any:
    return {"any": value} if isinstance(value, list | tuple) else value


class TopicVariants(Frozen):
    """A topic's body variants: a list, said whatever the topic's polarity in the item (`any`), or a
    mapping by polarity; a polarity with no variants is not answered by this topic's body."""

    any: Variants = ()
    negative: Variants = ()
    positive: Variants = ()
    neutral: Variants = ()

    def block(self, polarity: TopicPolarity) -> tuple[str, tuple[Variant, ...]]:
        """(label, variants) for a topic said with this polarity: its own variants, else `any`."""
        variants: tuple[Variant, ...] = getattr(self, polarity)
        return (polarity, variants) if variants else ("", self.any)

    @model_validator(mode="after")
    def _has_variants(self) -> TopicVariants:
        if not (self.any or self.negative or self.positive or self.neutral):
            raise ValueError(
                "a topic needs variants: a list, or a mapping by polarity (negative, positive...)"
            )
        return self


class RatingBand(Frozen):
    min: int | None = Field(default=None, ge=1, le=5)
    max: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _ordered(self) -> RatingBand:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def holds(self, rating: int | None) -> bool:
        if rating is None:
            return False  # a band of stars says nothing of an item without stars
        return (self.min is None or rating >= self.min) and (self.max is None or rating <= self.max)


def _topic_entry(value: Any) -> Any:
    return {"topic": value} if isinstance(value, str) else value


class TopicCondition(Frozen):
    """A topic the item names, in any polarity or in the one given: `delivery` or `{topic: delivery,
    polarity: negative}`."""

    topic: str = Field(pattern=TOPIC_NAME)
    polarity: TopicPolarity | None = None


class TemplateWhen(Frozen):
    """Which items a template is for. Every condition given must hold; a list holds when the item has one
    of its values (topics: when the item names one of them)."""

    marketplaces: tuple[Label, ...] = Field(
        default=(), description="the items' sources: wildberries, ozon..."
    )
    kinds: tuple[FeedbackKind, ...] = ()
    rating: RatingBand | None = None
    tonality: tuple[TonalityLabel, ...] = ()
    topics: tuple[Annotated[TopicCondition, BeforeValidator(_topic_entry)], ...] = ()
    segments: tuple[Label, ...] = Field(default=(), description="customer tiers, case aside: vip, regular...")

    def holds(self, item: FeedbackItem, segment: str | None) -> bool:
        if self.marketplaces and item.source.lower() not in self.marketplaces:
            return False
        if self.kinds and item.kind not in self.kinds:
            return False
        if self.rating is not None and not self.rating.holds(item.rating):
            return False
        if self.tonality and item.tonality.label not in self.tonality:
            return False
        if self.topics and not any(
            found.topic == wanted.topic and wanted.polarity in (None, found.polarity)
            for wanted in self.topics
            for found in item.topics
        ):
            return False
        return not self.segments or (segment is not None and segment.strip().lower() in self.segments)


Joiner = Literal[" ", "\n", "\n\n"]


class ReplyTemplate(Frozen):
    name: str = Field(pattern=TEMPLATE_NAME)
    lang: ReplyLang
    when: TemplateWhen = TemplateWhen()
    joiner: Joiner = Field(default=" ", description="what stands between blocks: a space, or line breaks")
    greeting: Variants = ()
    thanks: Variants = ()
    apology: Variants = ()
    body: dict[str, Annotated[TopicVariants, BeforeValidator(_topic_variants_entry)]] = Field(
        default_factory=dict, description="topic id -> variants (or by polarity); `default` for the rest"
    )
    next_steps: Variants = ()
    sign_off: Variants = ()

    @model_validator(mode="after")
    def _says_something(self) -> ReplyTemplate:
        if not any(getattr(self, block) for block in BLOCKS):
            raise ValueError("a template needs variants in at least one block (greeting ... sign_off)")
        default = self.body.get(DEFAULT_BODY)
        if default is not None and (default.negative or default.positive or default.neutral):
            raise ValueError(
                f"body.{DEFAULT_BODY}: a list of variants, said for any topic none of the others fits"
            )
        return self

    def blocks(self) -> Iterator[tuple[str, tuple[Variant, ...]]]:
        """(path below the template, variants) of every list of variants, the body's included."""
        for block in BLOCKS:
            if block != "body":
                yield block, getattr(self, block)
                continue
            for topic, entry in self.body.items():
                yield f"body.{topic}", entry.any
                for polarity in ("negative", "positive", "neutral"):
                    yield f"body.{topic}.{polarity}", getattr(entry, polarity)


# ------------------------------------------------------------------ checks of a document's templates


def _samples(settings: ReplySettings, lang: ReplyLang, where: str) -> dict[str, dict[str, Any]]:
    """The variables a variant at `where` is rendered with when the document is checked: once with every
    one set, once with those an item may lack set to None (a template that only works when all are set
    would pass the check, then fail on each item without a name, product or stars). A topic's body variant
    sees its own topic among the topics."""
    parts = where.split(".")
    topic = parts[1] if parts[0] == "body" and parts[1] != DEFAULT_BODY else None
    polarity = parts[2] if len(parts) > 2 else "negative"
    own = [topic_title(topic, lang)] if topic is not None else []
    full = {
        "first_name": "Анна" if lang == "ru" else "Anna",
        "product": "Рюкзак городской" if lang == "ru" else "City backpack",
        "order": "4815162342",
        "topics": [*own, topic_title("quality", lang)],
        "negative_topics": own if polarity == "negative" else [topic_title("delivery", lang)],
        "positive_topics": own if polarity == "positive" else [topic_title("quality", lang)],
        "rating": 2,
        "marketplace": MARKETPLACE_TITLES[lang]["wildberries"],
        "signature": settings.signature or ("Команда магазина" if lang == "ru" else "The store team"),
    }
    bare = {
        **dict.fromkeys(VARIABLES),
        "topics": own,
        "negative_topics": own if polarity == "negative" else [],
        "positive_topics": own if polarity == "positive" else [],
        "signature": settings.signature,
    }
    return {"": full, " (without a name, product, order, stars, marketplace or signature)": bare}


def reply_template_problems(settings: ReplySettings) -> Iterator[str]:
    """Each variant rendered with sample variables: what does not compile or render, by its path."""
    if settings.templates == BUILT_IN_TEMPLATES:
        # Checked by the tests (test_reply_templates.py) instead of at every cold start that loads a
        # document: compiling them all costs tens of milliseconds, and no signature changes what renders.
        return
    for index, template in enumerate(settings.templates):
        for where, variants in template.blocks():
            samples = _samples(settings, template.lang, where)
            for number, variant in enumerate(variants):
                path = f"replies.templates[{index}].{where}[{number}]"
                for when, variables in samples.items():
                    try:
                        render(variant.text, variables)
                    except TemplateProblem as problem:
                        yield f"{path}: {problem}{when}"
                        break


def raw_reply_template_problems(section: Any) -> list[str]:
    """The templates' problems of a raw `replies:` section, of a document refused for other reasons, when
    the section itself parses (its own field errors are reported already)."""
    from pydantic import ValidationError

    from otklik.domain.replies.settings import ReplySettings

    try:
        settings = ReplySettings.model_validate(section or {})
    except ValidationError:
        return []
    return list(reply_template_problems(settings))


def _listed(entries: Any) -> list[Any]:
    return list(entries) if isinstance(entries, list | tuple) else []


def _topics(document: dict[str, Any]) -> list[str]:
    """The topics a raw document defines: the eleven, then its custom ones."""
    section = document.get("topics")
    custom = _listed(section.get("custom")) if isinstance(section, dict) else []
    names = [entry.get("name") for entry in custom if isinstance(entry, dict)]
    return [*TOPICS, *(name for name in names if isinstance(name, str))]


def reply_reference_problems(document: Any) -> list[str]:
    """What refers to a reply template or from one, in a raw document: names defined once, every topic a
    template names one the document has, every rule's `then.draft_template` a defined template."""
    if not isinstance(document, dict):
        return []
    topics = _topics(document)
    section = document.get("replies")
    replies: dict[str, Any] = section if isinstance(section, dict) else {}
    if "templates" in replies:
        templates = _listed(replies["templates"])
    else:
        templates = [template.model_dump(mode="json") for template in BUILT_IN_TEMPLATES]
    problems: list[str] = []
    names: list[str] = []
    known = ", ".join(dict.fromkeys(topics))
    for index, template in enumerate(templates):
        if not isinstance(template, dict):
            continue
        name = template.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(f"replies.templates[{index}].name: template {name!r} is defined twice")
            names.append(name)
        body = template.get("body")
        for topic in body if isinstance(body, dict) else ():
            if topic != DEFAULT_BODY and topic not in topics:
                problems.append(
                    f"replies.templates[{index}].body.{topic}: unknown topic {topic!r}; topics are {known}"
                    f" (or {DEFAULT_BODY})"
                )
        when = template.get("when")
        wanted = when.get("topics") if isinstance(when, dict) else None
        for offset, entry in enumerate(_listed(wanted)):
            # Named by the entry (`delivery` or `{topic: delivery}`), so both spellings give one problem.
            topic = entry.get("topic") if isinstance(entry, dict) else entry
            if isinstance(topic, str) and topic not in topics:
                path = f"replies.templates[{index}].when.topics[{offset}]"
                problems.append(f"{path}: unknown topic {topic!r}; topics are {known}")
    listing = ", ".join(dict.fromkeys(names)) if names else "none (replies.templates is empty)"
    for index, rule in enumerate(_listed(document.get("rules"))):
        then = rule.get("then") if isinstance(rule, dict) else None
        name = then.get("draft_template") if isinstance(then, dict) else None
        if isinstance(name, str) and name not in names:
            where = f"rules[{index}].then.draft_template"
            problems.append(f"{where}: unknown reply template {name!r}; templates are {listing}")
    for index, policy in enumerate(_listed(replies.get("auto_reply"))):
        name = policy.get("template") if isinstance(policy, dict) else None
        if isinstance(name, str) and name not in names:
            where = f"replies.auto_reply[{index}].template"
            problems.append(f"{where}: unknown reply template {name!r}; templates are {listing}")
    return problems


# ------------------------------------------------------------------ the built-in templates

# otklik's own templates, what a document without `replies.templates` drafts from; infra/config/otklik.yaml
# spells them out (tests/unit/test_config.py keeps the two equal). In the order they are looked at: the
# VIP tone first, then a delivery apology, any apology, a low rating, thanks, a question; then English.
_BUILT_IN: tuple[dict[str, Any], ...] = (
    {
        "name": "vip-apology",
        "lang": "ru",
        "when": {
            "kinds": ["review", "complaint", "chat"],
            "tonality": ["negative"],
            "segments": ["vip", "gold", "premium"],
        },
        "greeting": [
            "Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!",
            "{% if first_name %}{{ first_name }}, добрый день!{% else %}Добрый день!{% endif %}",
        ],
        "apology": [
            "Вы давно с нами, и тем обиднее, что в этот раз мы вас подвели. Примите наши искренние "
            "извинения.",
            "Нам по-настоящему жаль, что постоянному покупателю пришлось столкнуться с такой ситуацией.",
            "Простите нас: вы вправе ждать от нас большего, и этот случай мы не оставим без внимания.",
        ],
        "body": {
            "default": [
                "Ваш отзыв{% if product %} о товаре «{{ product }}»{% endif %} мы передали "
                "руководителю, и он разберётся в ситуации лично.",
                "Мы уже выясняем, что пошло не так"
                "{% if negative_topics %} ({{ negative_topics | join(', ') }}){% endif %}, "
                "и сделаем всё, чтобы это не повторилось.",
            ]
        },
        "next_steps": [
            "Напишите нам в чат заказа: ваше обращение мы рассмотрим в первую очередь.",
            "Мы на связи в чате заказа и поможем решить вопрос как можно скорее.",
            {
                "text": "Если захотите вернуть товар, мы вернём деньги без лишних вопросов.",
                "promises": ["refund"],
            },
        ],
        "sign_off": [
            "С уважением и благодарностью, {{ signature or 'команда магазина' }}.",
            "Искренне ваши, {{ signature or 'команда магазина' }}.",
        ],
    },
    {
        "name": "delivery-apology",
        "lang": "ru",
        "when": {
            "kinds": ["review", "complaint", "chat"],
            "topics": [{"topic": "delivery", "polarity": "negative"}],
        },
        "greeting": [
            "Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!",
            "{% if first_name %}{{ first_name }}, добрый день!{% else %}Добрый день!{% endif %}",
        ],
        "apology": [
            "Простите, что с доставкой{% if order %} заказа {{ order }}{% endif %} вышло не так, как "
            "должно было.",
            "Приносим извинения за неудобства с доставкой.",
            "Нам очень жаль, что доставка испортила впечатление от покупки.",
        ],
        "body": {
            "delivery": [
                "Мы передали ваш отзыв службе логистики, чтобы выяснить, где случилась задержка.",
                "Мы разберём этот случай со службой доставки, чтобы следующие заказы приходили "
                "вовремя и в целости.",
                "Мы проверим, что произошло с отправлением, и учтём это при выборе способа доставки.",
            ]
        },
        "next_steps": [
            "Если заказ всё ещё в пути, напишите нам в чат заказа, и мы поможем его отследить.",
            "Если товар пострадал в дороге, напишите нам в чат заказа, и мы предложим решение.",
        ],
        "sign_off": [
            "С уважением, {{ signature or 'команда магазина' }}.",
            "Всего доброго! {{ signature or 'Команда магазина' }}.",
        ],
    },
    {
        "name": "apology",
        "lang": "ru",
        "when": {"kinds": ["review", "complaint", "chat"], "tonality": ["negative"]},
        "greeting": [
            "Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!",
            "{% if first_name %}{{ first_name }}, добрый день!{% else %}Добрый день!{% endif %}",
            "Добрый день{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "apology": [
            "Нам очень жаль, что покупка{% if product %} «{{ product }}»{% endif %} вас огорчила.",
            "Приносим извинения за испорченное впечатление от заказа.",
            "Простите, пожалуйста, что всё получилось не так, как вы ожидали.",
        ],
        "body": {
            "quality": {
                "negative": [
                    "Качество для нас главное, поэтому ваш отзыв уже передан в отдел контроля качества.",
                    "Мы проверим партию товара и разберёмся, как брак прошёл контроль.",
                ]
            },
            "size_fit": {
                "negative": [
                    "Мы перепроверим размерную сетку в карточке товара, чтобы она помогала выбрать точнее.",
                    "Спасибо, что рассказали о размере: уточним замеры и дополним описание.",
                ]
            },
            "description_mismatch": {
                "negative": [
                    "Мы сверим карточку товара с тем, что получают покупатели, "
                    "и исправим описание, если оно неточно.",
                    "Нам важно, чтобы товар был таким, как в описании, поэтому карточку уже проверяют.",
                ]
            },
            "wrong_or_missing_item": {
                "negative": [
                    "Мы выясним на складе, почему заказ собрали неправильно.",
                    "Похоже, при сборке заказа произошла ошибка, и мы уже разбираемся со складом.",
                ]
            },
            "packaging": {
                "negative": [
                    "Мы пересмотрим упаковку, чтобы товар приезжал в целости.",
                    "Спасибо за замечание об упаковке: мы передали его на склад.",
                ]
            },
            "smell": {
                "negative": [
                    "Мы передали ваше замечание о запахе производителю.",
                    "Мы проверим товар из этой партии на посторонний запах и обсудим это с поставщиком.",
                ]
            },
            "delivery": {
                "negative": [
                    "Мы передали ваш отзыв о доставке службе логистики.",
                    "Сроки доставки мы обсудим с логистическим партнёром, чтобы следующий "
                    "заказ пришёл вовремя.",
                ]
            },
            "default": [
                "Мы внимательно изучим ваш отзыв и примем меры.",
                "Каждое замечание мы разбираем всей командой, и ваше не исключение.",
                "Ваш отзыв поможет нам стать лучше, и мы уже разбираемся в ситуации.",
            ],
        },
        "next_steps": [
            "Если вопрос ещё не решён, напишите нам в чат заказа, и мы поможем.",
            "Будем рады помочь в чате заказа, если что-то можно исправить.",
            {
                "text": "Если товар не подошёл, оформите возврат, и мы вернём деньги сразу после проверки.",
                "promises": ["refund"],
            },
            {"text": "Если хотите, мы обменяем товар: напишите нам в чат заказа.", "promises": ["exchange"]},
        ],
        "sign_off": [
            "С уважением, {{ signature or 'команда магазина' }}.",
            "Всего доброго! {{ signature or 'Команда магазина' }}.",
        ],
    },
    {
        "name": "low-rating",
        "lang": "ru",
        "when": {"kinds": ["review"], "rating": {"max": 3}},
        "greeting": [
            "Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!",
            "Добрый день{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "thanks": ["Спасибо за отзыв и оценку.", "Благодарим вас за честную оценку."],
        "body": {
            "default": [
                "Жаль, что покупка понравилась вам не во всём. Мы внимательно читаем каждый отзыв и "
                "учитываем замечания.",
                "Нам важно, чтобы покупка радовала полностью, поэтому ваше мнение мы обязательно "
                "обсудим с командой.",
            ]
        },
        "next_steps": [
            "Если что-то можно исправить, напишите нам в чат заказа.",
            "Расскажите в чате заказа, чего не хватило, и мы постараемся помочь.",
        ],
        "sign_off": [
            "С уважением, {{ signature or 'команда магазина' }}.",
            "Всего доброго! {{ signature or 'Команда магазина' }}.",
        ],
    },
    {
        "name": "thanks",
        "lang": "ru",
        "when": {"kinds": ["review", "survey"]},
        "greeting": [
            "Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!",
            "Добрый день{% if first_name %}, {{ first_name }}{% endif %}!",
            "Приветствуем{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "thanks": [
            "Спасибо за ваш отзыв!",
            "Благодарим, что нашли время поделиться впечатлениями!",
            "Спасибо за покупку и за отзыв!",
        ],
        "body": {
            "quality": {
                "positive": [
                    "Нам очень приятно, что качество вас порадовало.",
                    "Рады, что товар оправдал ожидания по качеству.",
                ]
            },
            "size_fit": {
                "positive": ["Здорово, что размер подошёл идеально.", "Рады, что с размером всё получилось."]
            },
            "description_mismatch": {
                "positive": [
                    "Приятно знать, что товар полностью соответствует описанию.",
                    "Мы стараемся, чтобы карточка товара была точной, и рады, что это заметно.",
                ]
            },
            "delivery": {
                "positive": [
                    "Рады, что заказ приехал быстро.",
                    "Передадим вашу благодарность службе доставки.",
                ]
            },
            "packaging": {
                "positive": [
                    "Мы старательно упаковываем каждый заказ, и приятно, что это заметно.",
                    "Спасибо, что оценили упаковку.",
                ]
            },
            "smell": {
                "positive": ["Рады, что аромат пришёлся вам по душе.", "Приятно, что запах вам понравился."]
            },
            "price_value": {
                "positive": [
                    "Рады, что покупка оказалась выгодной.",
                    "Приятно, что цена и качество вас устроили.",
                ]
            },
            "seller_service": {
                "positive": [
                    "Спасибо за добрые слова о нашей работе, мы передадим их команде.",
                    "Нам очень приятно, что вам понравилось общение с нами.",
                ]
            },
            "default": [
                "Ваш отзыв помогает другим покупателям сделать выбор.",
                "Нам важно мнение каждого покупателя.",
                "Мы рады, что вы выбрали наш магазин.",
            ],
        },
        "next_steps": [
            "Будем рады видеть вас снова!",
            "Ждём вас за новыми покупками!",
            "Заглядывайте к нам ещё, впереди много интересного!",
        ],
        "sign_off": [
            "С уважением, {{ signature or 'команда магазина' }}.",
            "С теплом, {{ signature or 'команда магазина' }}.",
            "Всего доброго! {{ signature or 'Команда магазина' }}.",
        ],
    },
    {
        "name": "question",
        "lang": "ru",
        "when": {"kinds": ["question"]},
        "greeting": [
            "Здравствуйте{% if first_name %}, {{ first_name }}{% endif %}!",
            "Добрый день{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "thanks": [
            "Спасибо за вопрос{% if product %} о товаре «{{ product }}»{% endif %}.",
            "Благодарим за интерес к{% if product %} товару «{{ product }}»"
            "{% else %} нашему товару{% endif %}.",
        ],
        "body": {
            "default": [
                "Все характеристики указаны в карточке товара, а если чего-то не хватает, мы с "
                "радостью уточним.",
                "Мы проверим информацию и дополним ответ.",
            ]
        },
        "next_steps": [
            "Если останутся вопросы, задавайте, мы всегда на связи.",
            "Будем рады помочь с выбором.",
        ],
        "sign_off": [
            "С уважением, {{ signature or 'команда магазина' }}.",
            "Всего доброго! {{ signature or 'Команда магазина' }}.",
        ],
    },
    {
        "name": "apology-en",
        "lang": "en",
        "when": {"kinds": ["review", "complaint", "chat"], "tonality": ["negative"]},
        "greeting": [
            "Hello{% if first_name %}, {{ first_name }}{% endif %}!",
            "Good day{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "apology": [
            "We are sorry that your order{% if product %} of {{ product }}{% endif %} disappointed you.",
            "Please accept our apologies for the trouble.",
            "We regret that things did not go as you expected.",
        ],
        "body": {
            "quality": {
                "negative": [
                    "Quality matters most to us, so we have passed your review to our quality team.",
                    "We will check this batch and find out how the defect got past our checks.",
                ]
            },
            "size_fit": {
                "negative": [
                    "We will recheck the size chart on the product page so that it helps you choose better.",
                    "Thank you for the note on sizing: we will check the measurements and "
                    "update the description.",
                ]
            },
            "delivery": {
                "negative": [
                    "We have passed your feedback on to our delivery partner.",
                    "We will look into what happened in transit so that your next order arrives on time.",
                ]
            },
            "packaging": {
                "negative": [
                    "We will review our packaging so that items arrive intact.",
                    "Thank you for the note on packaging: our warehouse team has it now.",
                ]
            },
            "default": [
                "We will look into your feedback carefully.",
                "Every note like yours is discussed by the whole team, and we are on it already.",
            ],
        },
        "next_steps": [
            "If the issue is not solved yet, write to us in the order chat and we will help.",
            "We are glad to help in the order chat if anything can be put right.",
            {
                "text": "If the item does not suit you, return it and we will refund you as soon as it is "
                "checked.",
                "promises": ["refund"],
            },
        ],
        "sign_off": [
            "Kind regards, {{ signature or 'the store team' }}.",
            "Best wishes, {{ signature or 'the store team' }}.",
        ],
    },
    {
        "name": "thanks-en",
        "lang": "en",
        "when": {"kinds": ["review", "survey"]},
        "greeting": [
            "Hello{% if first_name %}, {{ first_name }}{% endif %}!",
            "Hi{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "thanks": [
            "Thank you for your review!",
            "Thanks for taking the time to share your impressions!",
            "Thank you for shopping with us{% if marketplace %} on {{ marketplace }}{% endif %}!",
        ],
        "body": {
            "quality": {
                "positive": [
                    "We are glad the quality lived up to your expectations.",
                    "It is great to hear that you liked the quality.",
                ]
            },
            "delivery": {
                "positive": [
                    "We are glad your order arrived quickly.",
                    "We will pass your thanks on to the delivery team.",
                ]
            },
            "default": ["Your review helps other customers choose.", "Every opinion matters to us."],
        },
        "next_steps": ["We hope to see you again soon!", "Come back any time, there is more on the way!"],
        "sign_off": [
            "Kind regards, {{ signature or 'the store team' }}.",
            "Warm wishes, {{ signature or 'the store team' }}.",
        ],
    },
    {
        "name": "question-en",
        "lang": "en",
        "when": {"kinds": ["question"]},
        "greeting": [
            "Hello{% if first_name %}, {{ first_name }}{% endif %}!",
            "Good day{% if first_name %}, {{ first_name }}{% endif %}!",
        ],
        "thanks": [
            "Thank you for your question{% if product %} about {{ product }}{% endif %}.",
            "Thanks for your interest in {{ product or 'our products' }}.",
        ],
        "body": {
            "default": [
                "All the specifications are on the product page, and if anything is missing we are "
                "happy to clarify.",
                "We will check the details and add them to this answer.",
            ]
        },
        "next_steps": ["If you have more questions, just ask.", "We are happy to help you choose."],
        "sign_off": [
            "Kind regards, {{ signature or 'the store team' }}.",
            "Best wishes, {{ signature or 'the store team' }}.",
        ],
    },
)

BUILT_IN_TEMPLATES: tuple[ReplyTemplate, ...] = tuple(
    ReplyTemplate.model_validate(entry) for entry in _BUILT_IN
)
