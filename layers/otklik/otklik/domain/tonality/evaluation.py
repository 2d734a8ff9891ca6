"""Measuring tonality against labelled feedback: accuracy, macro-F1, per-class P/R/F1, confusion, speed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    count: int
    accuracy: float
    macro_f1: float
    macro_f1_pos_neg: float
    classes: dict[str, ClassScores]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label -> count
    texts_per_second: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "macro_f1_pos_neg": round(self.macro_f1_pos_neg, 4),
            "classes": {
                label: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for label, s in self.classes.items()
            },
            "confusion": self.confusion,
            "texts_per_second": round(self.texts_per_second, 1),
        }


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def evaluate(gold: Sequence[str], predicted: Sequence[str], seconds: float) -> Evaluation:
    confusion = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    classes: dict[str, ClassScores] = {}
    for label in LABELS:
        true_positive = confusion[label][label]
        predicted_count = sum(confusion[g][label] for g in LABELS)
        support = sum(confusion[label].values())
        precision, recall = _ratio(true_positive, predicted_count), _ratio(true_positive, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes[label] = ClassScores(precision, recall, f1, support)
    count = len(gold)
    correct = sum(confusion[label][label] for label in LABELS)
    return Evaluation(
        count=count,
        accuracy=_ratio(correct, count),
        macro_f1=sum(c.f1 for c in classes.values()) / len(LABELS),
        macro_f1_pos_neg=(classes["positive"].f1 + classes["negative"].f1) / 2,
        classes=classes,
        confusion=confusion,
        texts_per_second=count / seconds if seconds > 0 else float("inf"),
    )


def feedback_text(row: dict[str, Any]) -> str:
    """The text a row is scored on: its title, pros, cons (as review sites give them) and text.

    The parts are joined as sentences with no labels: a label such as "Недостатки:" is itself an
    evaluative word and would tilt every row that has cons.
    """
    parts = [str(row.get(field) or "").strip() for field in ("title", "pros", "cons", "text")]
    return "\n".join(p for p in parts if p)


def run_evaluation(
    rows: Iterable[dict[str, Any]], label_of: Callable[[dict[str, Any]], str], clock: Callable[[], float]
) -> Evaluation:
    """Label every row and compare with its gold label; clock (seconds, e.g. perf_counter) times it."""
    rows = list(rows)
    started = clock()
    predicted = [label_of(row) for row in rows]
    seconds = clock() - started
    return evaluate([str(r["label"]) for r in rows], predicted, seconds)
