"""The learned layer over the Russian lexicon engine: a multinomial logistic regression over hashed
features, scored in plain Python, blended with the lexicon by its confidence and by how familiar the
text is.

Features of a text (each hashed into 2**bits buckets, so that no word of the training data is kept,
only weights of buckets), each there or not:

- its words, as the lexicon engine normalizes them (lowercase, ё as е), and smileys and emoji; a clause
  break (punctuation but a dash) is a mark of its own in that sequence;
- each longer word's first five letters (a stem: Russian words change their endings);
- pairs of neighbours in the sequence: «не понравилось» is not «понравилось», and a pair with the
  clause break says which word opens or closes a clause;
- the lexicon engine's own outputs: its compound (as is and in bins), the sums of its positive and
  negative contributions, how many it negated, whether a contrast or emphasis moved them.

Scoring is the hot path of every Russian text, so Model.judge does what blend(featurize(...)) does
without building Features: a memo gives each word's weights already summed (and exact: int16 weights,
summed as ints), pairs are hashed and summed in C (map, zip, sum), and the model is not run where its
weight would be 0. Training and explain use featurize; a unit test holds the two to the same result.

The blend: the lexicon's compound and the model's polarity p(positive) − p(negative) are mixed by a
weight w, and so are their thresholds; w comes from the text's coverage, the model's confidence, the
text's length and its kind (see Gate). Coverage is the share of the text's words the model knows
(their bucket seen in at least min_known training texts), leaving out the words common to any text (a
bucket in more than common_share of the training texts: «и», «не», «хорошо» are known whatever the
domain, so they would make any Russian text look familiar). Words count by their exact form:
coverage over stems was tried, and made the texts of a set the model never saw look familiar enough
that the gate had to trust the model less everywhere. w is 0 out of domain, and then the verdict is
the lexicon's exactly.

Nothing here reads files, the clock or the environment: a Model is made from bytes (Model.loads) by
whoever holds them.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from otklik.domain.tonality.russian import RussianScore, Tokens

CLASSES = ("negative", "neutral", "positive")
FORMAT = "otklik-tonality-model/1"
SHIPPED_FILE = "ru.otm"
# The choices of learned layer a caller names (otherwise it passes a Model of its own): the shipped one,
# or none (the lexicon alone).
SHIPPED = "shipped"
LEXICON = "lexicon"
STEM = 5  # letters a longer word is cut to for its stem feature
# The kinds of tokens that are features (numbers and punctuation are not).
_FEATURE_KINDS = frozenset({"word", "smile", "emoticon", "emoji"})
# Punctuation that does not end a clause: a dash joins («пришло - супер»).
_DASHES = frozenset({"-", "—"})
# Where punctuation ends a clause, the text's sequence of features has this mark: a unigram of its own
# (how many clauses), and the pairs it makes say which word opens or closes one. No word is spelled so.
BREAK = "|"
COMPOUND_BINS = (-0.75, -0.5, -0.25, -0.1, 0.0, 0.1, 0.25, 0.5, 0.75)
# The lexicon's outputs the layer reads, in the order lexicon_values gives them (then one compound bin).
DENSE = (
    "lex:compound",
    "lex:positive",
    "lex:negative",
    "lex:units",
    "lex:negated",
    "lex:contrast",
    "lex:exclaim",
    "lex:question",
    "lex:none",
)
Row = tuple[float, float, float]  # a feature's weights, in CLASSES order
BINS = tuple(f"lex:bin{index}" for index in range(len(COMPOUND_BINS) + 1))


def _crc(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def sequence(tokens: Tokens) -> list[str]:
    """The text as the layer reads it: the norm of each word, smiley and emoji in order, BREAK where
    punctuation ends a clause (a full stop, a comma; not a dash); numbers and dashes left out. Where the
    engine's reading kept the tokens that are not letters alone (Tokens.others: a few a text), only
    those are looked at; else (texts read match by match) every token."""
    norms, kinds = tokens.norms, tokens.kinds
    if tokens.others is None:
        features = _FEATURE_KINDS
        return [
            norm if kind in features else BREAK
            for norm, kind in zip(norms, kinds, strict=True)
            if kind in features or (kind == "punct" and norm not in _DASHES)
        ]
    read = norms.copy()
    dropped: list[int] = []
    for index in tokens.others:
        kind = kinds[index]
        if kind == "punct" and norms[index] not in _DASHES:
            read[index] = BREAK
        elif kind not in _FEATURE_KINDS:  # a number, or a dash
            dropped.append(index)
    for index in reversed(dropped):
        del read[index]
    return read


def pair_bucket(first: int, second: int, mask: int) -> int:
    """The bucket of a pair of neighbours, from their unigram buckets. A tuple of two ints hashes the
    same in every CPython process and version since 3.8 (no PYTHONHASHSEED for ints; a unit test pins
    the values), and costs less than mixing them in Python."""
    return hash((first, second)) & mask


class _Memo(dict[Any, Any]):
    """A memo (of norms, or of buckets) whose misses are filled by `fill`, which may fill sibling memos
    too (so a map over any of them misses at most once a norm)."""

    def __init__(self, fill: Callable[[Any], None]) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, key: Any) -> Any:
        self.fill(key)
        return dict.__getitem__(self, key)


# Norms a memo holds at most: past it, it starts again, so a long-running process does not grow.
MEMO_LIMIT = 200_000


class Hasher:
    """A norm → its unigram bucket and its stem's (-1 for a norm too short to have one, or not a word),
    memoized: words repeat across texts (Zipf), and a dict hit costs less than building and hashing
    names."""

    __slots__ = ("mask", "memo")

    def __init__(self, bits: int) -> None:
        self.mask = (1 << bits) - 1
        self.memo: _Memo = _Memo(self._fill)

    def _fill(self, norm: str) -> None:
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[norm] = self.buckets(norm)

    def buckets(self, norm: str) -> tuple[int, int]:
        unigram = _crc("w:" + norm) & self.mask
        # A word token's norm begins with a letter; smileys, emoticons and emoji have no stem.
        stem = _crc("s:" + norm[:STEM]) & self.mask if len(norm) > STEM and norm[0].isalpha() else -1
        return unigram, stem


@dataclass(frozen=True)
class Features:
    """A text's features for training and for explain: its bucket of each word feature, each stem and
    each pair, in order and repeated as often as they occur (each of the same value, 1/sqrt of how many
    there are), the buckets that measure coverage (one a word, BREAK left out) and the lexicon's dense
    features by name."""

    buckets: tuple[int, ...]
    value: float
    words: tuple[int, ...]  # the unigram bucket of each word, smiley and emoji (for coverage)
    dense: tuple[tuple[str, float], ...]
    names: Mapping[int, str]  # bucket -> one feature name that fell in it (for explain; may be empty)


def lexicon_values(score: RussianScore, clean: str) -> tuple[list[float], int]:
    """The lexicon engine's outputs in DENSE's order (values about -1..1), and the compound's bin."""
    positive = negative = 0.0
    for unit in score.contributions:
        if unit.value > 0:
            positive += unit.value
        else:
            negative -= unit.value
    compound = score.compound
    count = len(score.contributions)
    values = [
        compound,
        math.tanh(positive / 4.0),
        math.tanh(negative / 4.0),
        math.tanh(count / 4.0),
        math.tanh(score.negated / 2.0),
        1.0 if score.contrasted else 0.0,
        min(clean.count("!"), 4) / 4.0,
        min(clean.count("?"), 3) / 3.0,
        0.0 if count else 1.0,
    ]
    return values, bisect_left(COMPOUND_BINS, compound)  # how many edges it is above


def lexicon_features(score: RussianScore, clean: str) -> list[tuple[str, float]]:
    """The lexicon engine's outputs as named dense features."""
    values, bin_index = lexicon_values(score, clean)
    return [*zip(DENSE, values, strict=True), (BINS[bin_index], 1.0)]


def featurize(tokens: Tokens, score: RussianScore, hasher: Hasher, keep_names: bool = False) -> Features:
    """Features of a scored text: each distinct word, smiley and emoji (and BREAK, once), each one's
    stem if it is a longer word, each distinct pair of neighbours in the sequence. Each is there or not
    (how often a word recurs says little, and long texts would learn more of their domain from it); two
    forms of one stem each bring it, and so do two pairs that fall in one bucket."""
    seq = sequence(tokens)
    memo, mask = hasher.memo, hasher.mask
    distinct = dict.fromkeys(seq)
    found = list(map(memo.__getitem__, distinct))
    pairs = {pair: pair_bucket(memo[pair[0]][0], memo[pair[1]][0], mask) for pair in pairwise(seq)}
    buckets = (
        *(unigram for unigram, _ in found),
        *(stem for _, stem in found if stem >= 0),
        *pairs.values(),
    )
    words = tuple(memo[norm][0] for norm in seq if norm != BREAK)
    names: dict[int, str] = {}
    if keep_names:
        for (unigram, stem), norm in zip(found, distinct, strict=True):
            names.setdefault(unigram, "w:" + norm)
            if stem >= 0:
                names.setdefault(stem, "s:" + norm[:STEM])
        for (first, second), bucket in pairs.items():
            names.setdefault(bucket, f"b:{first} {second}")
    value = 1.0 / math.sqrt(len(buckets)) if buckets else 0.0
    return Features(buckets, value, words, tuple(lexicon_features(score, tokens.clean)), names)


def softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [x / total for x in exps]


@dataclass(frozen=True)
class Gate:
    """How much the model is trusted on a text, and the operating point.

    w = max_weight × ramp(coverage: none below coverage_none, full from coverage_full) × ramp(the
    model's top probability: confidence_none..confidence_full), × other_kind for a kind the model was
    not trained on, 0 for texts of fewer than min_words words. The model's verdict is its polarity
    p(positive) − p(negative) against its own thresholds (negative_up_to, positive_from): chosen for a
    missed complaint costing more than a false alarm."""

    coverage_none: float = 0.3
    coverage_full: float = 0.7
    confidence_none: float = 0.0
    confidence_full: float = 0.0
    max_weight: float = 0.8
    other_kind: float = 0.5
    min_words: int = 2
    negative_up_to: float = -0.15
    positive_from: float = 0.3

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def weight(self, coverage: float, confidence: float, words: int, known_kind: bool = True) -> float:
        """w for a text: its coverage, the model's top probability, its number of words, and whether its
        kind is one the model was trained on."""
        if words < self.min_words:
            return 0.0
        w = self.max_weight * _ramp(coverage, self.coverage_none, self.coverage_full)
        if self.confidence_full > 0.0:
            w *= _ramp(confidence, self.confidence_none, self.confidence_full)
        if not known_kind:
            w *= self.other_kind
        return w


def _ramp(value: float, none: float, full: float) -> float:
    if value >= full:
        return 1.0
    if value <= none:
        return 0.0
    return (value - none) / (full - none)


# Not frozen (as RussianScore): a frozen dataclass is built field by field through object.__setattr__,
# a cost on every Russian text; nothing changes a blend once made.
@dataclass(slots=True)
class Blend:
    """What the learned layer said about one text, and the blend's verdict."""

    label: str
    # The model's probabilities, in CLASSES order; None when the text's weight was 0 whatever they are,
    # so the model was not run.
    model: tuple[float, float, float] | None
    weight: float  # w: 0 is the lexicon alone
    coverage: float
    compound: float  # the blend on the compound scale: label_for(compound) is label


def _label(value: float, negative_up_to: float, positive_from: float) -> str:
    if value >= positive_from:
        return "positive"
    if value <= negative_up_to:
        return "negative"
    return "neutral"


# What the hot path sums over a text, packed into one int as four fields of FIELD bits: a word's weights
# summed over its unigram and stem buckets (negative, neutral, positive) and whether it has a stem; a
# pair's weights, and 0. A text's sums are then one sum() in C over its distinct words, and one over its
# distinct pairs. The
# weights are int16, so the sums are exact, and every field stays far inside its bits (2**39 over 65534
# a word: millions of words a text).
FIELD = 40
FIELDS = 4
_SPAN = 1 << FIELD
_FIELD_MASK = _SPAN - 1
_HALF = 1 << (FIELD - 1)


def _pack(*fields: int) -> int:
    total = 0
    for value in fields:
        total = total * _SPAN + value
    return total


# Added to a sum of _pack()s, HALF in every field: each field then holds its value + HALF, in 0..SPAN,
# so the fields can be read apart with no borrow between them.
_OFFSET = _pack(*[_HALF] * FIELDS)
_SHIFTS = tuple(FIELD * index for index in range(FIELDS - 1, -1, -1))


def _unpack(total: int) -> list[int]:
    """The FIELDS fields of a sum of _pack()s, first to last (each may be negative)."""
    total += _OFFSET
    return [((total >> shift) & _FIELD_MASK) - _HALF for shift in _SHIFTS]


COVERED_SPAN = 1 << 32  # a text's count of known words is below it


class _Reader:
    """A quantized model's memo for the hot path. Each norm read gets an id, the index of what the hot
    path needs of it in the lists: its unigram bucket, its packed sums (_pack) and its coverage
    (whether it counts, COVERED_SPAN times, plus whether it is known). A text's norms are looked up
    once (one dict look-up a token); the rest is list indexing, a set of ints for its distinct norms,
    and a second memo from pairs of ids (neighbours) to their packed weights: tuples of ints, cheaper
    to make and hash than of strings. Filled as texts bring new norms and pairs; bounded by
    MEMO_LIMIT, checked between texts (bound), never within one, so that one text's ids, and so its
    pairs, are of one filling."""

    __slots__ = ("common", "covers", "hasher", "ids", "known", "packed", "pairs", "unigrams", "weights")

    def __init__(self, hasher: Hasher, weights: array, known: bytes | bytearray, common: bytes | bytearray):
        # The weights as stored (3 a bucket) and the bitmaps: a norm's fill reads a few buckets of them,
        # so nothing is spread or split for the hot path at load (a cold start's milliseconds).
        self.hasher, self.weights, self.known, self.common = hasher, weights, known, common
        self.ids = _Memo(self._fill)
        self.unigrams: list[int] = []
        self.packed: list[int] = []
        self.covers: list[int] = []
        self.pairs = _Memo(self._fill_pair)

    def bound(self) -> None:
        """Start the memos again where they hold MEMO_LIMIT norms or pairs (a text adds at most its own
        to that): pairs are of ids, so they go with the norms."""
        if len(self.unigrams) >= MEMO_LIMIT:
            for memo in (self.ids, self.unigrams, self.packed, self.covers, self.pairs):
                memo.clear()
        elif len(self.pairs) >= MEMO_LIMIT:
            self.pairs.clear()

    def _fill(self, norm: str) -> None:
        unigram, stem = self.hasher.buckets(norm)
        weights = self.weights
        at = 3 * unigram
        sums = [weights[at], weights[at + 1], weights[at + 2]]
        if stem >= 0:
            at = 3 * stem
            sums = [sums[0] + weights[at], sums[1] + weights[at + 1], sums[2] + weights[at + 2]]
        # Common words count for nothing, and BREAK is no word.
        byte, bit = unigram >> 3, 1 << (unigram & 7)
        counted = 0 if norm == BREAK or self.common[byte] & bit else 1
        known = 1 if counted and self.known[byte] & bit else 0
        self.ids[norm] = len(self.unigrams)
        self.unigrams.append(unigram)
        self.packed.append(_pack(*sums, 1 if stem >= 0 else 0))
        self.covers.append(counted * COVERED_SPAN + known)

    def _fill_pair(self, pair: tuple[int, int]) -> None:
        first, second = pair
        at = 3 * pair_bucket(self.unigrams[first], self.unigrams[second], self.hasher.mask)
        weights = self.weights
        self.pairs[pair] = _pack(weights[at], weights[at + 1], weights[at + 2], 0)


@dataclass
class Model:
    """Weights of a trained layer: 3 per bucket (CLASSES order), dense features' by name, biases; the
    buckets seen in training often enough to count as known, and those too common to tell; the gate
    with the operating point; the lexicon's label thresholds (positive_from, negative_up_to) the blend
    keeps to."""

    bits: int
    weights: array  # 3 * 2**bits: int16 (times scale), as trained and as shipped
    dense: dict[str, tuple[float, float, float]]
    bias: tuple[float, float, float]
    known: bytearray  # one bit per bucket: seen in at least min_known training texts
    common: bytearray  # one bit per bucket: in more than common_share of them
    gate: Gate = field(default_factory=Gate)
    kinds: tuple[str, ...] = ("review",)
    thresholds: tuple[float, float] = (0.25, -0.15)
    manifest: dict[str, Any] = field(default_factory=dict)
    scale: float = 1.0  # what a weight's stored number is multiplied by
    _hasher: Hasher | None = None
    # Made on first use: for features (training, explain) the weights by class and each bucket's state
    # (1 known, 2 common, 3 both), so that a text's sums and coverage are taken by C loops (map, sum,
    # count); for the hot path the memo of norms and the dense features' rows in DENSE's order and by bin.
    _columns: tuple[array, array, array] | None = None
    _states: bytes | None = None
    _memo: _Reader | None = None
    _rows: tuple[list[Row | None], list[Row | None]] | None = None

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))

    @property
    def hasher(self) -> Hasher:
        if self._hasher is None:
            self._hasher = Hasher(self.bits)
        return self._hasher

    def quantized(self) -> Model:
        """The model with its weights as int16 times a scale (as it ships): the same model, at a
        quarter of the memory, and summed exactly by the hot path."""
        if self.weights.typecode == "h":
            return self
        top = max((abs(x) for x in self.weights), default=0.0) * self.scale or 1.0
        scale = top / 32767.0
        weights = array("h", (round(x * self.scale / scale) for x in self.weights))
        return Model(
            self.bits,
            weights,
            self.dense,
            self.bias,
            self.known,
            self.common,
            self.gate,
            self.kinds,
            self.thresholds,
            self.manifest,
            scale,
        )

    def _by_class(self) -> tuple[array, array, array]:
        if self._columns is None:
            w = self.weights
            self._columns = (w[0::3], w[1::3], w[2::3])
        return self._columns

    def _bucket_states(self) -> bytes:
        if self._states is None:
            self._states = _states(self.known, self.common)
        return self._states

    def _reader(self) -> _Reader:
        if self._memo is None:
            if self.weights.typecode != "h":
                raise ValueError("the hot path reads a quantized model (Model.quantized)")
            self._memo = _Reader(self.hasher, self.weights, self.known, self.common)
        return self._memo

    def _dense_rows(
        self,
    ) -> tuple[list[Row | None], list[Row | None]]:
        if self._rows is None:
            self._rows = ([self.dense.get(name) for name in DENSE], [self.dense.get(name) for name in BINS])
        return self._rows

    def logits(self, features: Features) -> list[float]:
        negative, neutral, positive = self._by_class()
        buckets = features.buckets
        scale = self.scale * features.value
        neg = sum(map(negative.__getitem__, buckets)) * scale + self.bias[0]
        neu = sum(map(neutral.__getitem__, buckets)) * scale + self.bias[1]
        pos = sum(map(positive.__getitem__, buckets)) * scale + self.bias[2]
        dense = self.dense
        for name, value in features.dense:
            row = dense.get(name)
            if row is not None:
                neg += row[0] * value
                neu += row[1] * value
                pos += row[2] * value
        return [neg, neu, pos]

    def probabilities(self, features: Features) -> list[float]:
        return softmax(self.logits(features))

    def coverage(self, features: Features) -> float:
        """The share of the text's words the model knows, the common ones left out (0 when every word
        is common or there are none: nothing says the text is of a kind the model has seen)."""
        return _coverage(bytes(map(self._bucket_states().__getitem__, features.words)))

    def weight(self, features: Features, model: Sequence[float], kind: str | None) -> tuple[float, float]:
        """w for a text, and its coverage."""
        coverage = self.coverage(features)
        known_kind = kind is None or kind in self.kinds
        return self.gate.weight(coverage, max(model), len(features.words), known_kind), coverage

    def lexicon_is_sure(self, lexicon: float, most: float | None = None) -> bool:
        """Whether the lexicon's compound is so far past a threshold that no polarity of the model, at
        any weight up to `most` (the gate's max_weight unless told), changes the label: then the lexicon
        decides, and the layer is not asked (the same labels, at less cost). Both sides are linear in w,
        so w = 0 and w = most are the cases to check."""
        positive_from, negative_up_to = self.thresholds
        gate = self.gate
        for w in (0.0, gate.max_weight if most is None else most):
            high = (1.0 - w) * positive_from + w * gate.positive_from
            low = (1.0 - w) * negative_up_to + w * gate.negative_up_to
            if not ((1.0 - w) * lexicon - w >= high or (1.0 - w) * lexicon + w <= low):
                return False
        return True

    def decide(self, lexicon: float, model: Sequence[float], w: float) -> tuple[str, float]:
        """The blend's label and compound: the lexicon's compound and the model's polarity mixed by w,
        against thresholds mixed the same way; at w = 0 exactly the lexicon's."""
        positive_from, negative_up_to = self.thresholds
        gate = self.gate
        value = (1.0 - w) * lexicon + w * (model[2] - model[0])
        low = (1.0 - w) * negative_up_to + w * gate.negative_up_to
        high = (1.0 - w) * positive_from + w * gate.positive_from
        label = _label(value, low, high)
        # The same value on the lexicon's scale (its thresholds), so label_for(compound) is label.
        if label == "negative":
            compound = -1.0 + (value + 1.0) / (low + 1.0) * (negative_up_to + 1.0) if low > -1.0 else -1.0
        elif label == "positive":
            compound = (
                positive_from + (value - high) / (1.0 - high) * (1.0 - positive_from) if high < 1.0 else 1.0
            )
        else:
            compound = negative_up_to + (value - low) / (high - low) * (positive_from - negative_up_to)
        compound = round(max(-1.0, min(1.0, compound)), 4)
        if _label(compound, negative_up_to, positive_from) != label:  # rounding reached a threshold
            compound = round(compound + (0.0001 if label != "negative" else -0.0001), 4)
        return label, compound

    def blend(self, features: Features, lexicon: float, kind: str | None = None) -> Blend:
        model = self.probabilities(features)
        w, coverage = self.weight(features, model, kind)
        label, compound = self.decide(lexicon, model, w)
        return Blend(label, (model[0], model[1], model[2]), w, coverage, compound)

    def judge(self, tokens: Tokens, score: RussianScore, kind: str | None = None) -> Blend | None:
        """The blend for a scored text, as blend(featurize(...)) gives it, by the hot path: no Features
        are built, each word's weights come summed from the memo, pairs are hashed in C. The model is not
        run when the text's weight is 0 whatever it says (Blend.model None), nor when the lexicon is sure
        at the most weight the text can have (None: the lexicon decides)."""
        reader = self._reader()
        reader.bound()
        seq = sequence(tokens)
        ids = list(map(reader.ids.__getitem__, seq))
        counted, known = divmod(sum(map(reader.covers.__getitem__, ids)), COVERED_SPAN)
        coverage = known / counted if counted else 0.0
        words = len(seq) - seq.count(BREAK)
        known_kind = kind is None or kind in self.kinds
        gate, lexicon = self.gate, score.compound
        most = gate.weight(coverage, 1.0, words, known_kind)
        if most == 0.0:
            label, compound = self.decide(lexicon, (0.0, 0.0, 0.0), 0.0)
            return Blend(label, None, 0.0, coverage, compound)
        if self.lexicon_is_sure(lexicon, most):
            return None
        distinct = set(ids)  # an id is a norm
        neg, neu, pos, stems = _unpack(sum(map(reader.packed.__getitem__, distinct)))
        pairs = set(pairwise(ids))  # the distinct pairs of neighbours, as ids
        pair_neg, pair_neu, pair_pos, _ = _unpack(sum(map(reader.pairs.__getitem__, pairs)))
        count = len(distinct) + stems + len(pairs)
        scale = self.scale * (1.0 / math.sqrt(count) if count else 0.0)
        bias = self.bias
        # The logits summed in the order logits() sums them (so to the same floats), in locals.
        neg_logit = (neg + pair_neg) * scale + bias[0]
        neu_logit = (neu + pair_neu) * scale + bias[1]
        pos_logit = (pos + pair_pos) * scale + bias[2]
        rows, bins = self._dense_rows()
        values, bin_index = lexicon_values(score, tokens.clean)
        for row, value in zip(rows, values, strict=True):
            if row is not None:
                to_neg, to_neu, to_pos = row
                neg_logit += to_neg * value
                neu_logit += to_neu * value
                pos_logit += to_pos * value
        row = bins[bin_index]
        if row is not None:  # the bin's value is 1.0: x * 1.0 is x
            to_neg, to_neu, to_pos = row
            neg_logit += to_neg
            neu_logit += to_neu
            pos_logit += to_pos
        # softmax(), in locals (to the same floats: its sum() adds the three in this order).
        top = max(neg_logit, neu_logit, pos_logit)
        neg_exp, neu_exp, pos_exp = (
            math.exp(neg_logit - top),
            math.exp(neu_logit - top),
            math.exp(pos_logit - top),
        )
        total = neg_exp + neu_exp + pos_exp
        model = (neg_exp / total, neu_exp / total, pos_exp / total)
        w = gate.weight(coverage, max(model), words, known_kind)
        label, compound = self.decide(lexicon, model, w)
        return Blend(label, model, w, coverage, compound)

    def strongest(self, features: Features, top: int = 5) -> list[tuple[str, float]]:
        """The features that moved the model's polarity most, (name, push): push is the feature's
        weight towards positive minus towards negative, times its value and how often it occurs; for
        explain."""
        counts: dict[int, int] = {}
        for bucket in features.buckets:
            counts[bucket] = counts.get(bucket, 0) + 1
        pushes: list[tuple[str, float]] = []
        w, scale = self.weights, self.scale * features.value
        for bucket, count in counts.items():
            at = bucket * 3
            pushes.append((features.names.get(bucket, f"#{bucket}"), (w[at + 2] - w[at]) * scale * count))
        for name, value in features.dense:
            row = self.dense.get(name)
            if row is not None:
                pushes.append((name, (row[2] - row[0]) * value))
        pushes.sort(key=lambda item: (-abs(item[1]), item[0]))
        return pushes[:top]

    # ------------------------------------------------------------ the file

    def dumps(self) -> bytes:
        """The model as one file: a JSON header line, then zlib-compressed weights (int16, times the
        header's scale), the known-bucket and common-bucket bitmaps. Deterministic: the same model gives
        the same bytes, and a model read from a file writes that file again."""
        shipped = self.quantized()
        quantized, scale = shipped.weights, shipped.scale
        header = {
            "format": FORMAT,
            "bits": self.bits,
            "scale": repr(scale),
            "dense": {name: [round(v, 6) for v in row] for name, row in sorted(self.dense.items())},
            "bias": [round(v, 6) for v in self.bias],
            "gate": self.gate.as_dict(),
            "kinds": list(self.kinds),
            "thresholds": list(self.thresholds),
            "manifest": self.manifest,
        }
        weights = quantized.tobytes() if _little_endian() else _swapped(quantized)
        body = struct.pack("<I", len(weights)) + weights + bytes(self.known) + bytes(self.common)
        head = json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8")
        # Stored, not deflated: a cold start reads the weights at once instead of inflating them for
        # some milliseconds (a package's zip compresses them anyway).
        return head + b"\n" + zlib.compress(body, 0)

    @classmethod
    def loads(cls, data: bytes) -> Model:
        """A model from its file; ValueError when the bytes are not one (whatever is wrong with them)."""
        try:
            return cls._loads(data)
        except ValueError:
            raise
        except (KeyError, TypeError, IndexError, AttributeError, struct.error) as error:
            raise ValueError(f"not a tonality model: {type(error).__name__} {error}") from None

    @classmethod
    def _loads(cls, data: bytes) -> Model:
        head, _, packed = data.partition(b"\n")
        try:
            header = json.loads(head)
            body = zlib.decompress(packed)
        except (ValueError, zlib.error) as error:
            raise ValueError(f"not a tonality model: {error}") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"not a tonality model of format {FORMAT}")
        (length,) = struct.unpack_from("<I", body)
        quantized = array("h")
        quantized.frombytes(body[4 : 4 + length])
        if not _little_endian():
            quantized.byteswap()
        bits = int(header["bits"])
        if len(quantized) != 3 << bits:
            raise ValueError("the model's weights do not match its bits")
        size = max(1, (1 << bits) // 8)
        known = bytearray(body[4 + length : 4 + length + size])
        common = bytearray(body[4 + length + size :])
        if len(known) != size or len(common) != size:
            raise ValueError("the model's bitmaps do not match its bits")
        return cls(
            bits=bits,
            weights=quantized,
            dense={name: (row[0], row[1], row[2]) for name, row in header["dense"].items()},
            bias=(header["bias"][0], header["bias"][1], header["bias"][2]),
            known=known,
            common=common,
            gate=Gate(**header["gate"]),
            kinds=tuple(header["kinds"]),
            thresholds=(header["thresholds"][0], header["thresholds"][1]),
            manifest=dict(header["manifest"]),
            scale=float(header["scale"]),
        )


def _coverage(states: bytes) -> float:
    """Known over all, of a text's words' states, the common ones left out."""
    total = len(states) - states.count(2) - states.count(3)
    return states.count(1) / total if total else 0.0


# A byte of a bitmap -> the 8 buckets' bits, one byte each (bucket 8k + i is bit i of byte k).
_SPREAD = [bytes((byte >> i) & 1 for i in range(8)) for byte in range(256)]


def _states(known: bytes | bytearray, common: bytes | bytearray) -> bytes:
    """One byte per bucket: 1 if known, + 2 if common."""
    spread = _SPREAD.__getitem__
    known_bits = b"".join(map(spread, known))
    common_bits = b"".join(map(spread, common))
    return (int.from_bytes(known_bits, "little") + 2 * int.from_bytes(common_bits, "little")).to_bytes(
        len(known_bits), "little"
    )


def _little_endian() -> bool:
    return array("h", [1]).tobytes() == b"\x01\x00"


def _swapped(values: array) -> bytes:
    copy = array("h", values)
    copy.byteswap()
    return copy.tobytes()


def bitmap(bits: int, buckets: Iterable[int]) -> bytearray:
    """One bit per bucket of 2**bits, set for the buckets given."""
    marks = bytearray(max(1, (1 << bits) // 8))
    for bucket in buckets:
        marks[bucket >> 3] |= 1 << (bucket & 7)
    return marks


def count_words(featured: Iterable[Features]) -> dict[int, int]:
    """In how many texts each unigram bucket appears."""
    counts: dict[int, int] = {}
    for features in featured:
        for bucket in set(features.words):
            counts[bucket] = counts.get(bucket, 0) + 1
    return counts


@cache
def shipped_model() -> Model | None:
    """The model shipped in the package (`make model`), read once per process; None without one."""
    place = resources.files("otklik.domain.tonality.model").joinpath(SHIPPED_FILE)
    if not place.is_file():
        return None
    return Model.loads(place.read_bytes())
