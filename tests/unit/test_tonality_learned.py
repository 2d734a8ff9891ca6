"""The learned layer over the lexicon: its features, training, file, gate and blend."""

from __future__ import annotations

import zlib
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otklik.domain.tonality import learned, scoring
from otklik.domain.tonality.learned import (
    CLASSES,
    FIELD,
    FIELDS,
    Gate,
    Hasher,
    Model,
    _pack,
    _unpack,
    featurize,
    pair_bucket,
    sequence,
    shipped_model,
)
from otklik.domain.tonality.russian import Tokens
from otklik.domain.tonality.scoring import (
    LEXICON,
    SHIPPED,
    label_for,
    russian_engine,
    score_text,
    training_examples,
)
from otklik.domain.tonality.training import Hyper, class_weights, train

SMALL = Hyper(bits=12, epochs=30)

# Our own texts: a made-up shop's reviews, in the words its buyers would use.
POSITIVE = [
    "Куртка теплая, сидит отлично, беру вторую",
    "Зюзя пришла быстро, качество отличное",
    "Отличная зюзя, ребенок доволен, спасибо продавцу",
    "Пришло целым, все работает, рекомендую магазин",
    "Размер подошел, ткань приятная, зюзя супер",
    "Удобно, красиво, цена радует",
]
NEGATIVE = [
    "Шов разошелся через день, деньги на ветер",
    "Прислали не тот цвет, продавец не отвечает",
    "Бубуха сломалась сразу, возврат не принимают",
    "Упаковка мятая, внутри бубуха с трещиной",
    "Ужасная бубуха, пахнет химией, не берите",
    "Заказ шел месяц и пришел пустой коробкой",
]
NEUTRAL = [
    "Пришло в срок, пока не пользовались",
    "Обычная вещь за свои деньги, посмотрим",
    "Размер как в таблице, цвет как на фото",
]


def rows() -> list[tuple[str, str]]:
    return (
        [(t, "positive") for t in POSITIVE]
        + [(t, "negative") for t in NEGATIVE]
        + [(t, "neutral") for t in NEUTRAL]
    )


def small_model(**gate: float) -> Model:
    return train(training_examples(rows(), SMALL.bits), SMALL, gate=Gate(**gate))


def features(model: Model, text: str, keep_names: bool = False):  # type: ignore[no-untyped-def]
    scored = russian_engine().score(text)
    assert scored.tokens is not None
    return featurize(scored.tokens, scored, model.hasher, keep_names)


# --- features


def test_words_stems_and_pairs_are_features_and_numbers_are_not() -> None:
    scored = russian_engine().score("Не понравилось 100 раз")
    assert scored.tokens is not None
    found = featurize(scored.tokens, scored, Hasher(18), keep_names=True)

    names = set(found.names.values())
    assert {"w:не", "w:понравилось", "s:понра", "b:не понравилось", "w:раз"} <= names
    assert not any("100" in name for name in names)
    assert len(found.words) == 3  # не, понравилось, раз
    assert dict(found.dense)["lex:compound"] == scored.compound


def test_a_pair_does_not_cross_a_full_stop_and_the_clause_break_is_a_feature() -> None:
    scored = russian_engine().score("Пришло. Плохо - очень")
    assert scored.tokens is not None
    names = set(featurize(scored.tokens, scored, Hasher(18), keep_names=True).names.values())
    assert "b:пришло плохо" not in names
    assert {"w:|", "b:пришло |", "b:| плохо", "b:плохо очень"} <= names  # a dash ends no clause


def test_a_feature_is_there_or_not_and_coverage_counts_every_word() -> None:
    scored = russian_engine().score("Плохо, плохо, плохо! Качество, качества")
    assert scored.tokens is not None
    found = featurize(scored.tokens, scored, Hasher(18))
    hasher = Hasher(18)
    unigram, stem = hasher.buckets("плохо")
    assert stem == -1  # five letters: no stem of its own
    assert found.buckets.count(unigram) == 1
    _, shared = hasher.buckets("качество")
    assert shared == hasher.buckets("качества")[1]
    assert found.buckets.count(shared) == 2  # two forms of one stem each bring it
    assert len(found.words) == 5  # every word counts for coverage; BREAK is none
    assert found.value == pytest.approx(1 / len(found.buckets) ** 0.5)


def test_pair_buckets_are_the_same_in_every_process() -> None:
    # A tuple of ints hashes alike in every CPython since 3.8 whatever PYTHONHASHSEED says; if a new
    # Python hashed them otherwise, every shipped model's pair weights would be read from wrong buckets.
    mask = (1 << 18) - 1
    assert [pair_bucket(1, 2, mask), pair_bucket(2, 3, mask)] == [237379, 88432]
    assert pair_bucket(2, 1, mask) != pair_bucket(1, 2, mask)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Плохо, очень плохо", ["плохо", "|", "очень", "плохо"]),
        ("Пришло за 3 дня - супер!", ["пришло", "за", "дня", "супер", "|"]),
        ("Ну — такое... )))", ["ну", "такое", "|", ")))"]),
        ("", []),
    ],
)
def test_the_sequence_keeps_words_and_smileys_and_marks_clause_ends(text: str, expected: list[str]) -> None:
    scored = russian_engine().score(text)
    assert scored.tokens is not None
    assert sequence(scored.tokens) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Плохо, очень плохо",
        "Пришло за 3 дня - супер!",
        "Ну — такое... )))",
        "10 из 10, 5 звезд — всё супер 👍👍 ((",
        "как — так — 100%!!! ?? … чуть-чуть",
        "— 1 — 2 —",
        "²³ ❶ хорошо; плохо\nещё",
        "",
    ],
    ids=repr,
)
def test_the_sequence_read_at_the_tokens_not_letters_alone_is_the_sequence_read_at_every_token(
    text: str,
) -> None:
    scored = russian_engine().score(text)
    assert scored.tokens is not None and scored.tokens.others is not None
    tokens = scored.tokens
    every = Tokens(tokens.texts, tokens.norms, tokens.kinds, tokens.stretched, tokens.clean)
    assert every.others is None
    assert sequence(tokens) == sequence(every)


# --- training


def test_training_is_deterministic_to_the_byte() -> None:
    assert small_model().dumps() == small_model().dumps()


def test_a_trained_model_learns_a_word_it_was_shown() -> None:
    model = small_model()
    zyuzya = model.probabilities(features(model, "зюзя"))
    bubukha = model.probabilities(features(model, "бубуха"))

    positive, negative = CLASSES.index("positive"), CLASSES.index("negative")
    assert zyuzya[positive] > bubukha[positive]
    assert bubukha[negative] > zyuzya[negative]


def test_classes_are_balanced_by_their_inverse_frequency() -> None:
    assert class_weights([0, 0, 0, 1, 2, 2]) == pytest.approx((6 / 9, 6 / 3, 6 / 6))
    assert class_weights([0, 0]) == pytest.approx((1 / 3, 0.0, 0.0))


def test_training_on_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no examples"):
        train([], SMALL)


def test_english_rows_are_not_training_examples() -> None:
    examples = training_examples(
        [("Great product, works fine", "positive"), ("Отличный товар", "positive")], 12
    )
    assert len(examples) == 1


# --- the file


def test_a_model_read_from_its_file_writes_the_same_file_and_scores_the_same() -> None:
    model = small_model()
    model.manifest = {"version": "test-1", "note": "ё"}
    data = model.dumps()

    again = Model.loads(data)

    assert again.dumps() == data
    assert again.version == "test-1"
    text = features(model, "Отличная зюзя, но шов разошелся")
    assert again.probabilities(text) == pytest.approx(model.probabilities(text), abs=1e-3)
    assert again.coverage(text) == model.coverage(text)


@pytest.mark.parametrize("data", [b"", b"not a model", b'{"format": "other"}\n', b'{"format": "x"}\nzz'])
def test_bytes_that_are_not_a_model_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a tonality model"):
        Model.loads(data)


def test_a_truncated_or_incomplete_model_file_is_refused_with_a_value_error() -> None:
    data = small_model().dumps()
    head, _, body = data.partition(b"\n")
    for broken in (
        head + b"\n" + zlib.compress(b"ab"),  # too short for its weights' length
        b'{"format": "otklik-tonality-model/1"}\n' + body,  # no bits, no weights' scale
        head + b"\n" + body[: len(body) // 2],  # cut in the middle
    ):
        with pytest.raises(ValueError, match=r"not a tonality model|do not match"):
            Model.loads(broken)


def test_a_model_whose_weights_do_not_match_its_bits_is_refused() -> None:
    data = small_model().dumps()
    head, _, body = data.partition(b"\n")
    with pytest.raises(ValueError, match="bits"):
        Model.loads(head.replace(b'"bits": 12', b'"bits": 13') + b"\n" + body)


# --- the gate


def test_coverage_counts_known_words_and_leaves_the_common_ones_out() -> None:
    model = small_model()
    assert model.coverage(features(model, "зюзя бубуха")) == 1.0  # each seen in 2+ texts, in few of them
    assert model.coverage(features(model, "кракозябра шмурдяк")) == 0.0  # never seen
    assert 0.0 < model.coverage(features(model, "зюзя кракозябра")) < 1.0


def test_common_words_alone_say_nothing_of_the_domain() -> None:
    # When every training text holds a word, it is common: a text of it alone has no coverage
    many = [("да зюзя", "positive"), ("да бубуха", "negative")] * 15
    model = train(training_examples(many, 12), SMALL)
    assert model.coverage(features(model, "да да")) == 0.0
    assert model.coverage(features(model, "да зюзя")) == 1.0


@pytest.mark.parametrize(
    ("coverage", "confidence", "words", "known_kind", "expected"),
    [
        (1.0, 0.9, 5, True, 0.8),
        (0.2, 0.9, 5, True, 0.0),  # below coverage_none: out of domain
        (0.5, 0.9, 5, True, 0.4),  # half way up the coverage ramp
        (1.0, 0.9, 1, True, 0.0),  # too short
        (1.0, 0.9, 5, False, 0.4),  # a kind it was not trained on
        (1.0, 0.55, 5, True, 0.4),  # half way up the confidence ramp
    ],
)
def test_the_gate_weighs_coverage_confidence_length_and_kind(
    coverage: float, confidence: float, words: int, known_kind: bool, expected: float
) -> None:
    gate = Gate(
        coverage_none=0.3,
        coverage_full=0.7,
        confidence_none=0.4,
        confidence_full=0.7,
        max_weight=0.8,
        other_kind=0.5,
        min_words=2,
    )
    assert gate.weight(coverage, confidence, words, known_kind) == pytest.approx(expected)


# --- the blend


@given(
    lexicon=st.floats(-1.0, 1.0),
    negative=st.floats(0.0, 1.0),
    positive=st.floats(0.0, 1.0),
    w=st.floats(0.0, 1.0),
)
def test_the_blends_compound_always_reads_as_its_label(
    lexicon: float, negative: float, positive: float, w: float
) -> None:
    model = small_model(negative_up_to=-0.2, positive_from=0.1)
    total = negative + positive
    probabilities = (negative / 2, 1 - total / 2, positive / 2)

    label, compound = model.decide(lexicon, probabilities, w)

    assert -1.0 <= compound <= 1.0
    assert label_for(compound) == label


@given(lexicon=st.floats(-1.0, 1.0), positive=st.floats(0.0, 1.0))
def test_at_weight_zero_the_verdict_is_the_lexicons_exactly(lexicon: float, positive: float) -> None:
    model = small_model()
    label, compound = model.decide(lexicon, (1 - positive, 0.0, positive), 0.0)
    assert label == label_for(lexicon)
    assert compound == pytest.approx(lexicon, abs=1e-4)


def test_the_model_can_move_a_flat_lexicon_verdict_and_says_why() -> None:
    # «зюзя» and «бубуха» are no words of the lexicon, which calls texts of them neutral; this shop's
    # buyers use them for praise and for blame, and a model trained on their reviews learned that
    silent = [("зюзя пришла", "positive"), ("опять зюзя", "positive"), ("зюзя как надо", "positive")]
    silent += [("бубуха пришла", "negative"), ("опять бубуха", "negative"), ("бубуха как есть", "negative")]
    silent += [("пришла посылка", "neutral"), ("посылка как есть", "neutral")]
    gate = Gate(coverage_none=0.0, coverage_full=0.0, max_weight=1.0, positive_from=0.1, negative_up_to=-0.1)
    model = train(training_examples(silent, SMALL.bits), SMALL, gate=gate)
    text = "зюзя, опять зюзя"
    lexicon = russian_engine().score(text).compound
    assert label_for(lexicon) == "neutral"

    blend = model.blend(features(model, text), lexicon)

    assert (blend.label, blend.weight) == ("positive", 1.0)
    assert label_for(blend.compound) == "positive"
    assert "w:зюзя" in [name for name, push in model.strongest(features(model, text, True)) if push > 0]


# --- the hot path


HOT_TEXTS = [
    "Отличная зюзя, но шов разошелся",
    "зюзя зюзя зюзя!!! супер)))",
    "Бубуха сломалась сразу, возврат не принимают 😡",
    "Пришло в срок. Пока не пользовались - посмотрим",
    "кракозябра шмурдяк",
    "Упаковка мятая, внутри бубуха с трещиной, продавец не отвечает?? 👎",
    "зюзя",
    "",
]


@pytest.mark.parametrize("text", HOT_TEXTS)
@pytest.mark.parametrize("kind", [None, "review", "question"])
def test_the_hot_path_gives_exactly_what_the_features_give(text: str, kind: str | None) -> None:
    model = small_model(coverage_none=0.0, coverage_full=0.5, max_weight=0.6)
    scored = russian_engine().score(text)
    assert scored.tokens is not None

    fast = model.judge(scored.tokens, scored, kind)
    slow = model.blend(features(model, text), scored.compound, kind)

    if fast is None:  # the lexicon was sure at the most this text could weigh
        words = len(features(model, text).words)
        most = model.gate.weight(slow.coverage, 1.0, words, kind is None or kind in model.kinds)
        assert model.lexicon_is_sure(scored.compound, most)
        assert not model.lexicon_is_sure(scored.compound)  # score_text asked before: at max_weight
    elif fast.model is None:  # weight 0 whatever the model said: it was not run
        assert (
            (fast.weight, fast.label, fast.coverage)
            == (slow.weight, slow.label, slow.coverage)
            == (
                0.0,
                slow.label,
                slow.coverage,
            )
        )
    else:
        assert fast == slow


def test_a_text_the_layer_cannot_weigh_is_not_run_through_the_model() -> None:
    model = small_model()  # coverage from 0.3: unseen words weigh nothing
    scored = russian_engine().score("кракозябра шмурдяк ужасный")
    assert scored.tokens is not None
    blend = model.judge(scored.tokens, scored)
    assert blend is not None and (blend.model, blend.weight) == (None, 0.0)
    assert blend.compound == pytest.approx(scored.compound, abs=1e-4)


@given(st.lists(st.lists(st.integers(-(2**20), 2**20), min_size=FIELDS, max_size=FIELDS), max_size=50))
def test_packed_sums_unpack_to_the_sums_of_each_field(rows: list[list[int]]) -> None:
    total = sum(_pack(*row) for row in rows)
    assert _unpack(total) == [sum(row[index] for row in rows) for index in range(FIELDS)]
    assert FIELD >= 40  # int16 weights of millions of words fit


MEMO_TEXTS = [
    "Зюзя пришла, бубуха тоже, качество как в таблице",
    "бубуха как бубуха, зюзя лучше, качество как в таблице",
]


def test_the_memo_of_norms_starts_again_between_texts_past_its_bound_and_stays_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = small_model(coverage_none=0.0, coverage_full=0.5)
    monkeypatch.setattr(learned, "MEMO_LIMIT", 3)
    for text in MEMO_TEXTS * 2:
        scored = russian_engine().score(text)
        assert scored.tokens is not None

        blend = model.judge(scored.tokens, scored)

        assert blend is not None and blend.model is not None  # the model was run
        assert blend == model.blend(features(model, text), scored.compound)
        # Past the bound before the text, the memo started again: it holds this text's norms alone,
        # one id each, and the pairs of their ids.
        reader = model._reader()
        read = sequence(scored.tokens)
        assert set(reader.ids) == set(read)
        assert sorted(reader.ids.values()) == list(range(len(set(read))))
        assert len(reader.unigrams) == len(reader.packed) == len(reader.covers) == len(set(read))
        assert len(reader.pairs) == len(set(pairwise(read)))


def test_below_its_bound_the_memo_keeps_every_norm_and_its_id() -> None:
    model = small_model(coverage_none=0.0, coverage_full=0.5)
    blends = []
    for text in MEMO_TEXTS * 2:
        scored = russian_engine().score(text)
        assert scored.tokens is not None
        blends.append(model.judge(scored.tokens, scored))
        assert blends[-1] == model.blend(features(model, text), scored.compound)
    assert blends[:2] == blends[2:]
    reader = model._reader()
    both = {norm for text in MEMO_TEXTS for norm in sequence(russian_engine().score(text).tokens or ())}
    assert set(reader.ids) == both and len(reader.unigrams) == len(both)


def test_a_pair_of_neighbours_is_read_by_their_ids_from_the_bucket_of_their_unigrams() -> None:
    model = small_model(coverage_none=0.0, coverage_full=0.5)
    scored = russian_engine().score("зюзя бубуха зюзя")
    assert scored.tokens is not None
    model.judge(scored.tokens, scored)
    reader = model._reader()
    first, second = reader.ids["зюзя"], reader.ids["бубуха"]
    assert set(reader.pairs) == {(first, second), (second, first)}
    bucket = pair_bucket(reader.unigrams[first], reader.unigrams[second], model.hasher.mask)
    negative, neutral, positive = model._by_class()
    assert reader.pairs[first, second] == _pack(negative[bucket], neutral[bucket], positive[bucket], 0)


def test_a_trained_model_is_quantized_as_it_ships() -> None:
    model = small_model()
    assert model.weights.typecode == "h"
    assert Model.loads(model.dumps()).weights == model.weights


def test_strongest_counts_a_stem_two_forms_bring_once_with_both() -> None:
    model = small_model()
    found = features(model, "качество качества", True)
    _, stem = model.hasher.buckets("качество")
    assert found.buckets.count(stem) == 2

    pushes = model.strongest(found, 50)

    assert [name for name, _ in pushes].count("s:качес") == 1
    w = model.weights
    expected = (w[stem * 3 + 2] - w[stem * 3]) * model.scale * found.value * 2
    assert dict(pushes)["s:качес"] == pytest.approx(expected)


# --- score_text with a model


def test_score_text_with_the_lexicon_alone_asks_no_model() -> None:
    scored = score_text("Отличная куртка, теплая и удобная", "ru", model=LEXICON)
    assert (scored.engine, scored.learned, scored.model_version) == ("otklik-ru", None, None)
    assert scored.compound == scored.lexicon_compound


def test_score_text_blends_a_given_model_and_the_item_records_both_engines() -> None:
    model = small_model(coverage_none=0.0, coverage_full=0.0, max_weight=0.5)
    model.manifest = {"version": "acct-7"}

    tone = scoring.score("Отличная зюзя, пришла быстро", "ru", model=model, kind="review")

    assert tone.engine == "otklik-ru+learned"
    assert (tone.lexicon_version, tone.model_version, tone.model_weight) == (
        scoring.ENGINE_VERSION,
        "acct-7",
        0.5,
    )
    assert tone.lexicon_compound is not None and tone.lexicon_compound != tone.text_compound


def test_a_text_the_model_does_not_know_is_the_lexicons_and_says_so() -> None:
    model = small_model()  # coverage ramp 0.3..0.7: a text of unseen words is out of its domain
    model.manifest = {"version": "acct-7"}

    tone = scoring.score("Кракозябра шмурдяк ужасный", "ru", model=model)

    assert tone.engine == "otklik-ru"
    assert (tone.model_version, tone.model_weight) == ("acct-7", 0.0)
    assert tone.text_compound == tone.lexicon_compound


def test_english_is_vaders_whatever_the_model() -> None:
    scored = score_text("Terrible, it broke in a day", "en", model=small_model())
    assert (scored.engine, scored.learned) == ("vader", None)


@pytest.mark.skipif(shipped_model() is None, reason="no learned layer shipped yet (make model)")
def test_the_shipped_model_is_small_and_in_force_by_default() -> None:
    from importlib import resources

    place = resources.files("otklik.domain.tonality.model").joinpath("ru.otm")
    assert len(place.read_bytes()) < 5_000_000
    model = shipped_model()
    assert model is not None
    scored = score_text("Отличный рюкзак, очень удобный, всем советую!", "ru")
    assert scored.model_version == model.version
    assert scored.learned is not None and scored.learned.weight > 0.0


def test_a_model_file_written_deflated_is_read_as_the_same_model() -> None:
    # Files before the weights were stored uncompressed (an account's model in S3) still read.
    data = small_model().dumps()
    head, _, body = data.partition(b"\n")
    deflated = head + b"\n" + zlib.compress(zlib.decompress(body), 9)

    assert len(deflated) < len(data)
    assert Model.loads(deflated).dumps() == data


@pytest.mark.parametrize("choice", ["model", SHIPPED, LEXICON])
def test_many_texts_scored_at_once_are_scored_as_each_alone(choice: str) -> None:
    model = small_model() if choice == "model" else choice
    cases = [
        ("Отличная зюзя, всем советую!", None, "review"),
        ("Terrible, it broke after a day", None, None),
        ("Шов разошелся через неделю, но продавец вернул деньги", "ru", "chat"),
        ("Пришло во вторник", None, "question"),
        ("Хорошо", "en", None),
        ("", None, None),
        ("Не рекомендую, деньги на ветер)))", None, "survey"),
    ] * (scoring.STAGE_TEXTS // 3)
    texts, langs, kinds = (list(column) for column in zip(*cases, strict=True))

    at_once = scoring.score_texts(texts, langs, model=model, kinds=kinds)

    assert len(texts) > 2 * scoring.STAGE_TEXTS
    assert at_once == [score_text(text, lang, model=model, kind=kind) for text, lang, kind in cases]
    assert scoring.score_texts([]) == []


def test_texts_all_english_load_no_russian_engine_nor_layer() -> None:
    scoring.russian_engine.cache_clear()
    scoring.shipped_model.cache_clear()

    scored = scoring.score_texts(["Great backpack!", "Awful, it broke"], ["en", None])

    assert [score.engine for score in scored] == ["vader", "vader"]
    assert scoring.russian_engine.cache_info().currsize == 0
    assert scoring.shipped_model.cache_info().currsize == 0
