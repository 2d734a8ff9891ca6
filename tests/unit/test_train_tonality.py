"""train_tonality: an account's own model is fitted on its rated reviews, measured on held-back ones against
the model in force, the shipped one and the lexicon, and promoted only when better there; otherwise it is
refused and the account keeps what it had. Fakes stand for the feedback table and the models bucket."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.config import Config, parse_config
from otklik.domain.learning import LEXICON, RatedReview, held_back, label_of_stars, verdict, window
from otklik.domain.tonality.learned import Model, shipped_model
from otklik.domain.tonality.scoring import fit, macro_f1, score_text
from otklik.usecases.train_tonality import HYPER, TrainingRun, train_tonality
from tests.support.rated_reviews import slang_reviews, wildberries_rows
from tests.unit.fakes import InMemoryModelStore, InMemoryRatedReviews

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # a Monday's run; 05:30 on 23 November in Moscow
TODAY = "2026-11-23"
SHIPPED = shipped_model()
# Without a shipped model built, and with it: the rules are the same (against the lexicon alone, or it).
BASELINES = pytest.mark.parametrize("shipped", [None, SHIPPED], ids=["no shipped model", "shipped model"])


def config(**learning: object) -> Config:
    settings = ", ".join(f"{name}: {value}" for name, value in {"min_reviews": 200, **learning}.items())
    return parse_config(f"tonality: {{learning: {{{settings}}}}}")


def shop_reviews(
    count: int = 400, account: str = "shop", day: str = TODAY, start: int = 0
) -> list[RatedReview]:
    return [
        RatedReview(f"fb_{account}_{start + number}", account, text, stars, "ru", day)
        for number, (text, stars) in enumerate(slang_reviews(count))
    ]


def train(
    reviews: list[RatedReview],
    store: InMemoryModelStore,
    document: Config | None = None,
    shipped: Model | None = SHIPPED,
    now: datetime = NOW,
    account: str | None = None,
) -> TrainingRun:
    return train_tonality(
        now, MOSCOW, document or config(), InMemoryRatedReviews(*reviews), store, shipped, account
    )


def test_the_shops_own_words_are_unknown_to_the_lexicon() -> None:
    # The premise of the cases below: the lexicon alone calls every one of the shop's reviews neutral
    assert {score_text(text, "ru", model=LEXICON).compound for text, _ in slang_reviews(400)} == {0.0}


# ---------------------------------------------------------------- promotion, refusal, not enough


@BASELINES
def test_a_model_better_than_the_shipped_one_on_held_back_reviews_is_promoted(shipped: Model | None) -> None:
    # Given 400 rated reviews of a shop in its own words, and no model of its own yet
    store = InMemoryModelStore()

    # When the weekly run trains
    [report] = train(shop_reviews(), store, shipped=shipped).accounts

    # Then its model is promoted: it beats the shipped model (or the lexicon alone) on the held-back reviews
    baseline = "shipped" if shipped is not None else "lexicon"
    assert report.outcome == "promoted", report.reason
    assert report.scores["candidate"] >= report.scores[baseline] + 0.01  # type: ignore[operator]
    assert report.in_force == (shipped.version if shipped is not None else "lexicon")
    assert report.reason.startswith(f"candidate {report.scores['candidate']:.4f} >= {baseline}")
    assert (report.reviews, report.trained_on + report.held_back) == (400, 400)
    # And the model, its manifest, then the pointer are written, in that order
    version = report.version
    assert version is not None
    assert store.writes == [
        ("model", "shop", version),
        ("manifest", "shop", version),
        ("pointer", "shop", version),
    ]
    assert Model.loads(store.models[("shop", version)]).version == version
    assert store.pointers["shop"] == {
        "version": version,
        "previous": None,
        "promoted_at": NOW.isoformat(),
        "macro_f1": report.scores["candidate"],
    }
    manifest = store.manifests[("shop", version)]
    assert (manifest["outcome"], manifest["model_kept"], manifest["created_at"]) == (
        "promoted",
        True,
        NOW.isoformat(),
    )
    assert manifest["reviews"]["total"] == 400
    assert manifest["held_back"]["macro_f1"] == dict(report.scores)
    assert manifest["window"] == {"days": 180, "first_day": TODAY, "last_day": TODAY}


@BASELINES
def test_a_model_no_better_than_the_one_in_force_is_refused_and_the_account_keeps_it(
    shipped: Model | None,
) -> None:
    # Given the shop's model promoted last week on these very reviews
    store = InMemoryModelStore()
    [first] = train(shop_reviews(), store, shipped=shipped).accounts
    assert first.outcome == "promoted", first.reason

    # When a week later nothing new came in, and the run trains again
    [again] = train(shop_reviews(), store, shipped=shipped, now=NOW + timedelta(days=7)).accounts

    # Then the new candidate (the same reviews on each side: the same model) gains nothing: refused
    assert again.outcome == "refused"
    assert again.in_force == first.version
    assert again.scores["candidate"] == again.scores["in_force"] == first.scores["candidate"]
    assert again.reason.startswith("candidate") and " < in force " in again.reason
    # And the account keeps its model: the pointer is as it was, and only the refusal's manifest is kept
    assert store.pointers["shop"]["version"] == first.version
    assert again.version is not None and ("shop", again.version) not in store.models
    assert store.writes[3:] == [("manifest", "shop", again.version)]
    refused = store.manifests[("shop", again.version)]
    assert (refused["outcome"], refused["model_kept"], refused["previous"]) == (
        "refused",
        False,
        first.version,
    )
    # Trained on the same reviews: the version's digest (of the reviews trained on) is the same
    assert again.version.split("-")[1] == first.version.split("-")[1]  # type: ignore[union-attr]


def test_a_second_run_at_the_same_second_on_the_same_reviews_changes_nothing() -> None:
    # Given the shop's model promoted by a run (a retry, or a second run at once, comes the same second)
    store = InMemoryModelStore()
    [first] = train(shop_reviews(), store).accounts

    # When the same run is made again
    [again] = train(shop_reviews(), store).accounts

    # Then it finds the promoted model is this very one, and neither overwrites nor refuses it in the bucket
    assert (again.outcome, again.version, again.in_force) == ("refused", first.version, first.version)
    assert len(store.writes) == 3 and store.manifests[("shop", first.version)]["outcome"] == "promoted"  # type: ignore[index]


def test_a_candidate_must_gain_min_gain_over_the_bar() -> None:
    assert verdict(0.61, 0.60, "shipped", 0.01).promoted
    assert not verdict(0.6099, 0.60, "shipped", 0.01).promoted
    assert verdict(0.60, 0.60, "shipped", 0.0).promoted


def test_the_bar_is_the_shipped_model_too_when_the_account_uses_less() -> None:
    # Given a shipped model that knows the shop's words (trained on its very reviews), and the shop pinned
    # to the lexicon alone, which it beats easily
    rows = [(r.text, r.label) for r in shop_reviews()]
    knowing = fit(rows, HYPER, SHIPPED, manifest={"version": "shipped-knowing"})
    pinned = parse_config("tonality: {models: {shop: lexicon}, learning: {min_reviews: 200}}")

    [report] = train(shop_reviews(), InMemoryModelStore(), pinned, shipped=knowing).accounts

    # Then the candidate, no better than that shipped model, is refused: promoted, it would be in force the
    # day the pin is lifted, in place of a model at least as good
    assert report.in_force == "lexicon" and report.scores["in_force"] == report.scores["lexicon"]
    assert report.scores["candidate"] > report.scores["lexicon"] + 0.01  # type: ignore[operator]
    assert report.outcome == "refused" and " < shipped " in report.reason


def test_a_promotion_the_configuration_pins_away_is_kept_but_not_in_force() -> None:
    # Given the shop pinned to the shipped model (a rollback) while its reviews would train a better one
    store = InMemoryModelStore()
    pinned = parse_config("tonality: {models: {shop: shipped}, learning: {min_reviews: 200}}")

    [report] = train(shop_reviews(), store, pinned).accounts

    # Then it is promoted (the pointer names it for when the pin is lifted), and the report says it waits
    assert report.outcome == "promoted"
    assert report.reason.endswith("not in force while tonality.model is 'shipped' for the account")
    assert store.pointers["shop"]["version"] == report.version


def test_an_account_with_too_few_rated_reviews_is_not_trained() -> None:
    store = InMemoryModelStore()

    [report] = train(shop_reviews(120), store).accounts

    assert (report.outcome, report.reviews, report.version) == ("not_enough", 120, None)
    assert report.reason == "120 rated reviews in the last 180 days, fewer than min_reviews 200"
    assert store.writes == [] and store.reads == 0


# ---------------------------------------------------------------- which reviews, which side


def test_the_held_back_slice_is_decided_by_the_feedback_id_alone() -> None:
    ids = [f"fb_{number:05d}" for number in range(10_000)]
    slice_of = {feedback_id for feedback_id in ids if held_back(feedback_id, 0.2)}

    # About the share asked for
    assert 1_850 <= len(slice_of) <= 2_150
    # The same review on the same side whatever else is read with it, and in whatever order
    assert {i for i in reversed(ids[:500]) if held_back(i, 0.2)} == slice_of & set(ids[:500])
    # A smaller share holds back a part of the larger one's slice, never other reviews
    assert {i for i in ids if held_back(i, 0.1)} < slice_of


def test_only_the_newest_reviews_of_the_window_are_read_and_english_ones_are_left_out() -> None:
    # Given reviews today, on the window's last day, a day past it, and English ones today
    today, last = date(2026, 11, 23), date(2026, 5, 28)
    assert window(today, 180)[-1] == last.isoformat()
    recent = shop_reviews(240, day=TODAY)
    oldest = shop_reviews(40, day=last.isoformat(), start=1000)
    too_old = shop_reviews(400, day=(last - timedelta(days=1)).isoformat(), start=2000)
    english = [RatedReview(f"fb_en_{n}", "shop", "Great hoodie, love it", 5, "en", TODAY) for n in range(30)]
    reviews = InMemoryRatedReviews(*recent, *oldest, *too_old, *english)

    # When the run trains, with room for every review, and with room for the 240 of today only
    run = train_tonality(NOW, MOSCOW, config(max_reviews=1000), reviews, InMemoryModelStore(), SHIPPED)
    store = InMemoryModelStore()
    newest = train_tonality(
        NOW, MOSCOW, config(max_reviews=240), InMemoryRatedReviews(*reviews.reviews), store, SHIPPED
    )

    # Then it read the window's 180 days, newest first, and used its Russian reviews only
    assert reviews.days_read == window(today, 180)
    assert reviews.days_read[0] == TODAY
    assert [report.reviews for report in run.accounts] == [240 + 40]
    # And with room for fewer, the newest: today's
    [report] = newest.accounts
    assert report.reviews == 240 and report.version is not None
    assert store.manifests[("shop", report.version)]["window"] == {
        "days": 180,
        "first_day": TODAY,
        "last_day": TODAY,
    }


def test_each_account_is_trained_on_its_own_reviews_and_one_can_be_asked_for_alone() -> None:
    reviews = [*shop_reviews(400, "shop"), *shop_reviews(120, "site", start=5000)]

    everyone = train(reviews, InMemoryModelStore()).accounts
    one = train(reviews, InMemoryModelStore(), account="site").accounts
    nobody = train(reviews, InMemoryModelStore(), account="wb-main").accounts

    assert [(r.account, r.outcome, r.reviews) for r in everyone] == [
        ("shop", "promoted", 400),
        ("site", "not_enough", 120),
    ]
    assert [(r.account, r.reviews) for r in one] == [("site", 120)]
    assert [(r.account, r.outcome, r.reviews) for r in nobody] == [("wb-main", "not_enough", 0)]


def test_with_learning_turned_off_nothing_is_read_or_written() -> None:
    reviews, store = InMemoryRatedReviews(*shop_reviews()), InMemoryModelStore()

    run = train_tonality(NOW, MOSCOW, config(enabled="false"), reviews, store, SHIPPED)

    assert run == TrainingRun([], disabled=True)
    assert reviews.days_read == [] and store.writes == []


@pytest.mark.parametrize(
    ("stars", "label"), [(1, "negative"), (2, "negative"), (3, "neutral"), (4, "positive"), (5, "positive")]
)
def test_stars_are_the_weak_labels(stars: int, label: str) -> None:
    assert label_of_stars(stars) == label


# ---------------------------------------------------------------- a real signal


def test_on_real_wildberries_reviews_the_held_back_figures_are_measured_and_decide() -> None:
    # Given an account's real Wildberries reviews with their stars (../shared/datasets), compared against the
    # lexicon alone: the shipped model was trained on these very reviews, so it is no fair bar on them
    rows = wildberries_rows()
    reviews = [
        RatedReview(f"fb_wb_{number}", "wb-main", row["text"], row["rating"], "ru", TODAY)
        for number, row in enumerate(rows)
    ]
    store = InMemoryModelStore()

    # When the account is trained
    [report] = train(reviews, store, config(min_reviews=500), shipped=None).accounts

    # Then every review was used, a fifth of them held back
    assert report.reviews == len(reviews) and report.outcome in ("promoted", "refused")
    assert 0.17 <= report.held_back / report.reviews <= 0.23
    # And the figures are the held-back slice's: the lexicon's as measured apart, the candidate's as its
    # stored manifest says; learned from stars alone, the model tells the classes apart
    held = [(r.text, r.label) for r in reviews if held_back(r.feedback_id, 0.2)]
    assert report.scores["lexicon"] == round(macro_f1(held, LEXICON), 4)
    assert report.scores["candidate"] is not None and report.scores["candidate"] > 0.45
    # And the outcome is the rule's for those figures
    assert report.scores["lexicon"] is not None and report.version is not None
    expected = verdict(report.scores["candidate"], report.scores["lexicon"], "lexicon", 0.01)
    assert (report.outcome == "promoted") == expected.promoted
    assert (
        store.manifests[("wb-main", report.version)]["held_back"]["macro_f1"]["candidate"]
        == (report.scores["candidate"])
    )
