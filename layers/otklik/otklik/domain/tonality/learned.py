"""The learned layer over the Russian lexicon engine: a multinomial logistic regression over hashed
features, scored in plain Python, blended with the lexicon by its confidence and by how familiar the
text is.

Features of a text (each hashed with CRC-32 into 2**bits buckets, so that no word of the training data
is kept, only weights of buckets):

- its words, as the lexicon engine normalizes them (lowercase, ё as е), and smileys and emoji;
- each longer word's first five letters (a stem: Russian words change their endings);
- pairs of adjacent words within a clause (so «не понравилось» is not «понравилось»);
- the lexicon engine's own outputs: its compound (as is and in bins), the sums of its positive and
  negative contributions, how many it negated, whether a contrast or emphasis moved them.

The blend: the lexicon's compound and the model's polarity p(positive) − p(negative) are mixed by a
weight w, and so are their thresholds; w comes from the text's coverage, the model's confidence, the
text's length and its kind (see Gate). Coverage is the share of the text's words the model knows (their
bucket seen in at least min_known training texts), leaving out the words common to any text (a bucket
in more than common_share of the training texts: «и», «не», «хорошо» are known whatever the domain, so
they would make any Russian text look familiar). w is 0 out of domain, and then the verdict is the
lexicon's exactly.

Nothing here reads files, the clock or the environment: a Model is made from bytes (Model.loads) by
whoever holds them.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from otklik.domain.tonality.russian import WORD, RussianScore, Tokens

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
COMPOUND_BINS = (-0.75, -0.5, -0.25, -0.1, 0.0, 0.1, 0.25, 0.5, 0.75)


def _crc(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class Hasher:
    """A word → its unigram bucket and its stem's (-1 for a word too short to have one), memoized:
    words repeat across texts (Zipf), and a dict hit costs less than building and hashing names. The
    memo is bounded so a long-running process does not grow."""

    __slots__ = ("mask", "memo")

    LIMIT = 200_000

    def __init__(self, bits: int) -> None:
        self.mask = (1 << bits) - 1
        self.memo: dict[str, tuple[int, int]] = {}  # featurize reads it directly

    def word(self, norm: str, is_word: bool) -> tuple[int, int]:
        buckets = self.memo.get(norm)
        if buckets is None:
            if len(self.memo) >= self.LIMIT:
                self.memo.clear()
            stem = _crc("s:" + norm[:STEM]) & self.mask if is_word and len(norm) > STEM else -1
            buckets = self.memo[norm] = (_crc("w:" + norm) & self.mask, stem)
        return buckets


@dataclass(frozen=True)
class Features:
    """A text's features: the distinct buckets of its word, stem and pair features (each of the same
    value, 1/sqrt of how many there are), its unigram buckets (for coverage), and the lexicon's dense
    features by name."""

    buckets: tuple[int, ...]
    value: float
    words: tuple[int, ...]  # the unigram buckets, for coverage
    dense: tuple[tuple[str, float], ...]
    names: Mapping[int, str]  # bucket -> one feature name that fell in it (for explain; may be empty)


def lexicon_features(score: RussianScore, clean: str) -> list[tuple[str, float]]:
    """The lexicon engine's outputs as named dense features (values about -1..1)."""
    positive = sum(u.value for u in score.contributions if u.value > 0)
    negative = -sum(u.value for u in score.contributions if u.value < 0)
    negated = sum(1 for u in score.contributions if any(s.startswith("negated") for s in u.steps))
    contrast = any(s.startswith(("before ", "after ")) for u in score.contributions for s in u.steps)
    compound = score.compound
    dense = [
        ("lex:compound", compound),
        ("lex:positive", math.tanh(positive / 4.0)),
        ("lex:negative", math.tanh(negative / 4.0)),
        ("lex:units", math.tanh(len(score.contributions) / 4.0)),
        ("lex:negated", math.tanh(negated / 2.0)),
        ("lex:contrast", 1.0 if contrast else 0.0),
        ("lex:exclaim", min(clean.count("!"), 4) / 4.0),
        ("lex:question", min(clean.count("?"), 3) / 3.0),
        ("lex:none", 1.0 if not score.contributions else 0.0),
    ]
    bin_index = sum(1 for edge in COMPOUND_BINS if compound > edge)
    dense.append((f"lex:bin{bin_index}", 1.0))
    return dense


def featurize(tokens: Tokens, score: RussianScore, hasher: Hasher, keep_names: bool = False) -> Features:
    """Features of a scored text: each word and smiley, each longer word's stem, each pair of adjacent
    words within a clause (a full stop, comma or the like ends one; a dash does not). The hot path of
    the learned layer: the hasher's memo and the pair's mixing are inlined."""
    buckets: dict[int, None] = {}
    words: list[int] = []
    names: dict[int, str] = {}
    mask, memo, word_buckets = hasher.mask, hasher.memo, hasher.word
    feature_kinds = _FEATURE_KINDS
    previous = -1
    previous_norm = ""
    for norm, kind in zip(tokens.norms, tokens.kinds, strict=True):
        if kind not in feature_kinds:
            if kind == "punct" and norm not in ("-", "—"):
                previous = -1
            continue
        found = memo.get(norm)
        unigram, stem = found if found is not None else word_buckets(norm, kind == WORD)
        buckets[unigram] = None
        words.append(unigram)
        if stem >= 0:
            buckets[stem] = None
        if previous >= 0:
            mixed = (previous * 0x9E3779B1 + unigram * 0x85EBCA77 + 0x27D4EB2F) & 0xFFFFFFFF
            pair = (mixed ^ (mixed >> 15)) & mask
            buckets[pair] = None
            if keep_names:
                names.setdefault(pair, f"b:{previous_norm} {norm}")
        if keep_names:
            names.setdefault(unigram, "w:" + norm)
            if stem >= 0:
                names.setdefault(stem, "s:" + norm[:STEM])
        previous, previous_norm = unigram, norm
    value = 1.0 / math.sqrt(len(buckets)) if buckets else 0.0
    return Features(tuple(buckets), value, tuple(words), tuple(lexicon_features(score, tokens.clean)), names)


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


@dataclass(frozen=True)
class Blend:
    """What the learned layer said about one text, and the blend's verdict."""

    label: str
    model: tuple[float, float, float]  # the model's probabilities, in CLASSES order
    weight: float  # w: 0 is the lexicon alone
    coverage: float
    compound: float  # the blend on the compound scale: label_for(compound) is label


def _label(value: float, negative_up_to: float, positive_from: float) -> str:
    if value >= positive_from:
        return "positive"
    if value <= negative_up_to:
        return "negative"
    return "neutral"


@dataclass
class Model:
    """Weights of a trained layer: 3 per bucket (CLASSES order), dense features' by name, biases; the
    buckets seen in training often enough to count as known, and those too common to tell; the gate
    with the operating point; the lexicon's label thresholds (positive_from, negative_up_to) the blend
    keeps to."""

    bits: int
    weights: array  # 3 * 2**bits: float32 as trained, or int16 as shipped (times scale)
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
    # Made on first use, for the hot path: the weights by class, and each bucket's state (1 known,
    # 2 common, 3 both), so that a text's sums and coverage are taken by C loops (map, count).
    _columns: tuple[array, array, array] | None = None
    _states: bytes | None = None

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unversioned"))

    @property
    def hasher(self) -> Hasher:
        if self._hasher is None:
            self._hasher = Hasher(self.bits)
        return self._hasher

    def _by_class(self) -> tuple[array, array, array]:
        if self._columns is None:
            w = self.weights
            self._columns = (w[0::3], w[1::3], w[2::3])
        return self._columns

    def _bucket_states(self) -> bytes:
        if self._states is None:
            self._states = _states(self.known, self.common)
        return self._states

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
        states = bytes(map(self._bucket_states().__getitem__, features.words))
        total = len(states) - states.count(2) - states.count(3)
        return states.count(1) / total if total else 0.0

    def weight(self, features: Features, model: Sequence[float], kind: str | None) -> tuple[float, float]:
        """w for a text, and its coverage."""
        coverage = self.coverage(features)
        known_kind = kind is None or kind in self.kinds
        return self.gate.weight(coverage, max(model), len(features.words), known_kind), coverage

    def lexicon_is_sure(self, lexicon: float) -> bool:
        """Whether the lexicon's compound is so far past a threshold that no polarity of the model, at
        any weight the gate can give, changes the label: then the lexicon decides, and the layer is not
        asked (the same labels, at less cost). Both sides are linear in w, so w = 0 and w = max_weight
        are the cases to check."""
        positive_from, negative_up_to = self.thresholds
        gate = self.gate
        for w in (0.0, gate.max_weight):
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

    def strongest(self, features: Features, top: int = 5) -> list[tuple[str, float]]:
        """The features that moved the model's polarity most, (name, push): push is the feature's
        weight towards positive minus towards negative, times its value; for explain."""
        pushes: list[tuple[str, float]] = []
        w, scale = self.weights, self.scale * features.value
        for bucket in features.buckets:
            at = bucket * 3
            pushes.append((features.names.get(bucket, f"#{bucket}"), (w[at + 2] - w[at]) * scale))
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
        if self.weights.typecode == "h":
            quantized, scale = self.weights, self.scale
        else:
            top = max((abs(x) for x in self.weights), default=0.0) * self.scale or 1.0
            scale = top / 32767.0
            quantized = array("h", (round(x * self.scale / scale) for x in self.weights))
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
        return head + b"\n" + zlib.compress(body, 9)

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


# A byte of a bitmap -> the 8 buckets' bits, one byte each (bucket 8k + i is bit i of byte k).
_SPREAD = [bytes((byte >> i) & 1 for i in range(8)) for byte in range(256)]


def _states(known: bytes | bytearray, common: bytes | bytearray) -> bytes:
    """One byte per bucket: 1 if known, + 2 if common."""
    spread = _SPREAD
    known_bits = b"".join(spread[byte] for byte in known)
    common_bits = b"".join(spread[byte] for byte in common)
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
