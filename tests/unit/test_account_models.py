"""Which learned layer scores an account's feedback: its promoted model (`current`), a pinned version, the
shipped model or the lexicon alone, as the configuration says; a rollback is one configuration change; a
store that fails, or a version that is not there, never stops feedback from being scored."""

from __future__ import annotations

import pytest

from otklik.adapters.account_models import AccountModels
from otklik.bootstrap.score_feedback import Scorer, ScoreSettings
from otklik.domain.config import Config, parse_config
from otklik.domain.learning import LEXICON, SHIPPED, label_of_stars
from otklik.domain.tonality.learned import Model, shipped_model
from otklik.domain.tonality.scoring import fit
from otklik.domain.tonality.training import Hyper
from tests.support.rated_reviews import slang_reviews
from tests.unit.fakes import InMemoryFeedback, InMemoryModelStore, InMemorySeenTexts, RecordingQueue
from tests.unit.samples import envelope

OLD, NEW = "20261116T023000Z-aaaaaa", "20261123T023000Z-bbbbbb"
TEXT = slang_reviews(8)[2][0]  # one of the shop's reviews, in its own words


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def shop_model(version: str) -> Model:
    rows = [(text, label_of_stars(stars)) for text, stars in slang_reviews(200)]
    return fit(rows, Hyper(bits=12, epochs=2), manifest={"version": version})


@pytest.fixture(scope="module")
def models() -> dict[str, Model]:
    return {OLD: shop_model(OLD), NEW: shop_model(NEW)}


def store_with(models: dict[str, Model], current: str | None = NEW) -> InMemoryModelStore:
    store = InMemoryModelStore()
    for model in models.values():
        store.save_model("shop", model)
    if current is not None:
        store.promote("shop", {"version": current, "previous": None})
    return store


def version_of(model: Model | str) -> str:
    return model.version if isinstance(model, Model) else model


# ---------------------------------------------------------------- the resolver


def test_current_is_the_accounts_promoted_model_and_shipped_for_an_account_without_one(
    models: dict[str, Model],
) -> None:
    resolver = AccountModels(store_with(models))

    assert version_of(resolver.resolve("shop", "current")) == NEW
    assert resolver.resolve("site", "current") == SHIPPED


def test_a_pinned_version_wins_over_the_promoted_one_and_shipped_and_lexicon_need_no_store(
    models: dict[str, Model],
) -> None:
    store = store_with(models)
    resolver = AccountModels(store)

    assert version_of(resolver.resolve("shop", OLD)) == OLD
    store.failing = True
    assert resolver.resolve("shop", SHIPPED) == SHIPPED
    assert resolver.resolve("shop", LEXICON) == LEXICON


def test_a_pinned_version_that_is_not_stored_scores_with_the_shipped_model(models: dict[str, Model]) -> None:
    resolver = AccountModels(store_with(models))

    assert resolver.resolve("shop", "20250101T000000Z-cccccc") == SHIPPED


def test_a_store_that_fails_from_the_start_means_the_shipped_model_until_it_answers(
    models: dict[str, Model],
) -> None:
    # Given a store that is throttled when a container first asks
    store, clock = store_with(models), Clock()
    store.failing = True
    resolver = AccountModels(store, max_age_seconds=30, clock=clock)

    # Then the account's texts are scored with the shipped model, and the store is not asked at every text
    assert resolver.resolve("shop", "current") == SHIPPED
    asked = store.reads
    assert resolver.resolve("shop", "current") == SHIPPED
    assert store.reads == asked
    # And once it answers again (after the cache's age), the promoted model is in force
    store.failing = False
    clock.now += 30
    assert version_of(resolver.resolve("shop", "current")) == NEW


def test_a_store_that_fails_later_leaves_the_model_in_force(models: dict[str, Model]) -> None:
    store, clock = store_with(models), Clock()
    resolver = AccountModels(store, max_age_seconds=30, clock=clock)
    assert version_of(resolver.resolve("shop", "current")) == NEW

    store.failing = True
    clock.now += 31

    assert version_of(resolver.resolve("shop", "current")) == NEW


def test_a_promotion_reaches_a_warm_container_within_the_cache_age_and_a_model_is_read_once(
    models: dict[str, Model],
) -> None:
    # Given a container that has scored with the old model
    store, clock = store_with(models, current=OLD), Clock()
    resolver = AccountModels(store, max_age_seconds=30, clock=clock)
    assert version_of(resolver.resolve("shop", "current")) == OLD
    assert store.reads == 2  # the pointer, then the model

    # When a new one is promoted
    store.promote("shop", {"version": NEW, "previous": OLD})

    # Then within the cache's age it still scores with the old one, without asking the store
    clock.now += 29
    assert version_of(resolver.resolve("shop", "current")) == OLD
    assert store.reads == 2
    # And after it, with the new one; while nothing changes, only the pointer is read again
    clock.now += 1
    assert version_of(resolver.resolve("shop", "current")) == NEW
    clock.now += 30
    assert version_of(resolver.resolve("shop", "current")) == NEW
    assert store.reads == 5


# ---------------------------------------------------------------- through score_feedback's scorer


class Document:
    def __init__(self, config: Config) -> None:
        self.config = config

    def current(self) -> Config:
        return self.config


SETTINGS = ScoreSettings.model_validate(
    {
        "config_bucket": "config",
        "feedback_table": "feedback",
        "route_queue_url": "https://sqs/route",
        "seen_texts_table": "seen",
        "models_bucket": "models",
    }
)
SHIPPED_VERSION = shipped.version if (shipped := shipped_model()) is not None else None


def scored_version(
    document: str, store: InMemoryModelStore, account: str = "shop"
) -> tuple[str | None, bool]:
    """The model version the scorer records on a review of the account, and whether it was stored."""
    feedback = InMemoryFeedback()
    scorer = Scorer(
        SETTINGS, Document(parse_config(document)), feedback, RecordingQueue(), InMemorySeenTexts(),
        AccountModels(store),
    )  # fmt: skip
    item = scorer(envelope(text=TEXT, rating=4, account=account)).item
    return item.tonality.model_version, item.id in feedback.items


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("", NEW),  # current: the account's promoted model
        (f"tonality: {{models: {{shop: {OLD}}}}}", OLD),  # the rollback: pinned to the previous version
        ("tonality: {models: {shop: shipped}}", SHIPPED_VERSION),  # or to the shipped model
        ("tonality: {model: shipped}", SHIPPED_VERSION),  # every account to the shipped model
        ("tonality: {models: {shop: lexicon}}", None),  # no learned layer: the lexicon alone
        ("tonality: {models: {site: lexicon}}", NEW),  # another account's setting is not the shop's
    ],
    ids=["current", "pinned", "shipped", "all shipped", "lexicon", "another account"],
)
def test_the_configuration_says_which_model_scores_the_accounts_reviews(
    models: dict[str, Model], document: str, expected: str | None
) -> None:
    assert scored_version(document, store_with(models)) == (expected, True)


def test_a_review_is_scored_and_stored_with_the_shipped_model_when_the_store_fails(
    models: dict[str, Model],
) -> None:
    store = store_with(models)
    store.failing = True

    assert scored_version("", store) == (SHIPPED_VERSION, True)
