"""Training the learned layer, in plain Python: multinomial logistic regression by AdaGrad over the
sparse features of otklik.domain.tonality.learned, with balanced class weights and a light L2.

Deterministic: the order of examples comes from a seeded random.Random, and every sum is taken in the
same order, so the same examples and hyper-parameters give the same weights, bit for bit, on any
machine with IEEE doubles. No NumPy or scikit-learn: the same code trains the shipped model (`make
model`) and each account's own model (the scheduled training function), in the Lambda layer.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from otklik.domain.tonality.learned import CLASSES, Features, Gate, Model, bitmap, count_words


@dataclass(frozen=True)
class Hyper:
    bits: int = 18
    epochs: int = 6
    rate: float = 0.25
    l2: float = 1e-5
    seed: int = 20261202
    min_known: int = 2  # texts a word's bucket must appear in to count as known (coverage)
    # A bucket in more of the texts than this share (and than min_common of them: a few hundred reviews
    # have no common words to speak of) is common, left out of coverage.
    common_share: float = 0.02
    min_common: int = 20

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_HYPER = Hyper()
DEFAULT_GATE = Gate()


@dataclass(frozen=True)
class Example:
    features: Features
    label: int  # index into CLASSES


def class_weights(labels: Sequence[int]) -> tuple[float, float, float]:
    counts = [labels.count(index) for index in range(3)]
    total = len(labels)
    return (
        total / (3 * counts[0]) if counts[0] else 0.0,
        total / (3 * counts[1]) if counts[1] else 0.0,
        total / (3 * counts[2]) if counts[2] else 0.0,
    )


def train(
    examples: Sequence[Example],
    hyper: Hyper = DEFAULT_HYPER,
    gate: Gate = DEFAULT_GATE,
    kinds: tuple[str, ...] = ("review",),
) -> Model:
    if not examples:
        raise ValueError("no examples to train on")
    size = 3 << hyper.bits
    weights = [0.0] * size
    squares = [1e-8] * size
    dense: dict[str, list[float]] = {}
    dense_squares: dict[str, list[float]] = {}
    bias = [0.0, 0.0, 0.0]
    bias_squares = [1e-8, 1e-8, 1e-8]
    balance = class_weights([e.label for e in examples])
    order = list(range(len(examples)))
    shuffle = random.Random(hyper.seed).shuffle
    rate, l2 = hyper.rate, hyper.l2
    sqrt, exp = math.sqrt, math.exp
    for _ in range(hyper.epochs):
        shuffle(order)
        for index in order:
            example = examples[index]
            features = example.features
            neg, neu, pos = bias
            value = features.value
            for bucket in features.buckets:
                at = bucket * 3
                neg += weights[at] * value
                neu += weights[at + 1] * value
                pos += weights[at + 2] * value
            for name, dense_value in features.dense:
                row = dense.get(name)
                if row is not None:
                    neg += row[0] * dense_value
                    neu += row[1] * dense_value
                    pos += row[2] * dense_value
            top = max(neg, neu, pos)
            e0, e1, e2 = exp(neg - top), exp(neu - top), exp(pos - top)
            total = e0 + e1 + e2
            weight = balance[example.label]
            gradient = [e0 / total * weight, e1 / total * weight, e2 / total * weight]
            gradient[example.label] -= weight
            for c in range(3):
                g = gradient[c]
                bias_squares[c] += g * g
                bias[c] -= rate * g / sqrt(bias_squares[c])
            # A sparse feature's step is taken at its presence (1), not at its value 1/sqrt(n): AdaGrad's
            # per-coordinate steps make the gradient's scale matter only against the L2 term, which is
            # so the weaker, the more so the longer the text. Steps at the true value measured worse
            # (Wildberries blend 0.570 against 0.583 by make model's own CV and gate choice, 2026-12-03).
            for bucket in features.buckets:
                at = bucket * 3
                for c in range(3):
                    g = gradient[c] + l2 * weights[at + c]
                    squares[at + c] += g * g
                    weights[at + c] -= rate * g / sqrt(squares[at + c])
            for name, dense_value in features.dense:
                row = dense.setdefault(name, [0.0, 0.0, 0.0])
                rows = dense_squares.setdefault(name, [1e-8, 1e-8, 1e-8])
                for c in range(3):
                    g = gradient[c] * dense_value + l2 * row[c]
                    rows[c] += g * g
                    row[c] -= rate * g / sqrt(rows[c])
    counts = count_words(e.features for e in examples)
    common = max(hyper.common_share * len(examples), hyper.min_common)
    # Quantized as it ships (int16 times a scale): what is measured is what is scored in production.
    return Model(
        bits=hyper.bits,
        weights=array("f", weights),
        dense={name: (row[0], row[1], row[2]) for name, row in dense.items()},
        bias=(bias[0], bias[1], bias[2]),
        known=bitmap(hyper.bits, (b for b, count in counts.items() if count >= hyper.min_known)),
        common=bitmap(hyper.bits, (b for b, count in counts.items() if count > common)),
        gate=gate,
        kinds=kinds,
    ).quantized()


def folds(labels: Sequence[int], k: int, seed: int) -> list[int]:
    """A fold number (0..k-1) for each example, stratified by label, seeded."""
    fold = [0] * len(labels)
    rng = random.Random(seed)
    for label in range(len(CLASSES)):
        members = [i for i, value in enumerate(labels) if value == label]
        rng.shuffle(members)
        for position, index in enumerate(members):
            fold[index] = position % k
    return fold
