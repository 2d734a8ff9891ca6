"""Measuring topic detection against hand-labelled feedback (TOPICS.md's labels).

Figures, over texts whose gold labels are {topic: polarity}:
- per topic: precision, recall and F1 of its presence;
- micro-F1 of presence (every (text, topic) pair counted once) and macro-F1 (the mean of the per-topic
  F1 over the topics that occur in the gold labels or the predictions);
- micro-F1 of (topic, negative) pairs: what a team acts on, the complaints;
- polarity accuracy on the topics found: of the predicted topics that are in the gold labels, the share
  predicted with the gold polarity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from otklik.domain.topics.table import TOPICS

Labels = Mapping[str, str]  # topic -> negative | neutral | positive


@dataclass(frozen=True)
class TopicScores:
    precision: float
    recall: float
    f1: float
    support: int  # texts the gold labels give the topic
    predicted: int  # texts the detector gives it


@dataclass(frozen=True)
class TopicEvaluation:
    count: int
    topics: dict[str, TopicScores]
    micro_f1: float
    macro_f1: float
    negative_micro_f1: float
    polarity_accuracy: float
    polarity_support: int  # found topics that are in the gold labels
    texts_per_second: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "micro_f1": round(self.micro_f1, 4),
            "macro_f1": round(self.macro_f1, 4),
            "negative_micro_f1": round(self.negative_micro_f1, 4),
            "polarity_accuracy": round(self.polarity_accuracy, 4),
            "polarity_support": self.polarity_support,
            "topics": {
                topic: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                    "predicted": s.predicted,
                }
                for topic, s in self.topics.items()
            },
            "texts_per_second": round(self.texts_per_second, 1),
        }


def _f1(true_positive: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate_topics(gold: Sequence[Labels], predicted: Sequence[Labels], seconds: float) -> TopicEvaluation:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labellings against {len(predicted)} predictions")
    names = list(TOPICS) + sorted({t for labels in (*gold, *predicted) for t in labels} - set(TOPICS))
    counts = {name: [0, 0, 0] for name in names}  # true positives, predicted, gold
    negative = [0, 0, 0]
    agreed = compared = 0
    for truth, guess in zip(gold, predicted, strict=True):
        for topic in guess:
            counts[topic][1] += 1
            if topic in truth:
                counts[topic][0] += 1
                compared += 1
                agreed += guess[topic] == truth[topic]
        for topic in truth:
            counts[topic][2] += 1
        gold_negative = {t for t, p in truth.items() if p == "negative"}
        found_negative = {t for t, p in guess.items() if p == "negative"}
        negative[0] += len(gold_negative & found_negative)
        negative[1] += len(found_negative)
        negative[2] += len(gold_negative)
    topics: dict[str, TopicScores] = {}
    for name in names:
        hit, guessed, actual = counts[name]
        precision, recall, f1 = _f1(hit, guessed, actual)
        topics[name] = TopicScores(precision, recall, f1, actual, guessed)
    occurring = [s for s in topics.values() if s.support or s.predicted]
    micro = _f1(*(sum(c[i] for c in counts.values()) for i in range(3)))[2]
    return TopicEvaluation(
        count=len(gold),
        topics=topics,
        micro_f1=micro,
        macro_f1=sum(s.f1 for s in occurring) / len(occurring) if occurring else 0.0,
        negative_micro_f1=_f1(*negative)[2],
        polarity_accuracy=agreed / compared if compared else 0.0,
        polarity_support=compared,
        texts_per_second=len(gold) / seconds if seconds > 0 else float("inf"),
    )


def run_topic_evaluation(
    rows: Iterable[Mapping[str, Any]],
    detect: Callable[[str, str | None], Labels],
    clock: Callable[[], float],
) -> TopicEvaluation:
    """Detect each row's topics (its `text`, optional `lang`) and compare with its `topics`."""
    gold: list[Labels] = []
    predicted: list[Labels] = []
    texts = []
    for row in rows:
        gold.append(row["topics"])
        texts.append((row["text"], row.get("lang")))
    if texts:
        detect(*texts[0])  # the lexicons load on first use: time the detection, not the loading
    started = clock()
    for text, lang in texts:
        predicted.append(detect(text, lang))
    return evaluate_topics(gold, predicted, clock() - started)
