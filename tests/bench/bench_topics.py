"""`make bench`: topic detection speed beside VADER's and the Russian tonality engine's, in one run.

Topic detection takes the tonality engine's contributions, computed once per item, so it is timed on
its own: the contributions of every text are computed before the clock starts. Texts of similar length
as in bench_tonality (the same pools, the same length draw); when ../shared/datasets is present, real
Wildberries review texts are timed too. Load time and memory of the topic tables are measured in fresh
interpreters, so nothing is cached from this one.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Callable

from tests.bench.bench_tonality import (
    DATASET,
    ENGLISH,
    RUSSIAN,
    TEXTS,
    build_texts,
    load_figures,
    throughput,
)
from tests.bench.bench_tonality import LOADS as TONALITY_LOADS

LOADS = {
    "VADER": TONALITY_LOADS["VADER"],
    # The detector itself: its modules, the generated Russian table, the detector.
    "topics, ru": "from otklik.domain.topics import topic_detector; topic_detector('ru')",
}


def main() -> int:
    from otklik.domain import tonality
    from otklik.domain.tonality import scoring
    from otklik.domain.topics import detect_topics

    lengths_source = random.Random(7)
    lengths = [int(lengths_source.lognormvariate(4.6, 0.6)) for _ in range(TEXTS)]
    russian = build_texts(RUSSIAN, lengths, seed=1)
    english = build_texts(ENGLISH, lengths, seed=2)
    engine = tonality.russian_engine()
    vader = scoring._vader()  # the very analyzer score() uses for English

    def topics_given_tonality(texts: list[str]) -> Callable[[str], object]:
        contributions = {text: engine.score(text).contributions for text in texts}
        return lambda text: detect_topics(text, "ru", contributions[text])

    english_rate = throughput(vader.polarity_scores, english)
    rows = [
        ("VADER, English (pool)", english_rate, english),
        ("otklik-ru tonality (pool)", throughput(engine.score, russian), russian),
        ("topics ru, given tonality (pool)", throughput(topics_given_tonality(russian), russian), russian),
        (
            "topics en, VADER lexicon (pool)",
            throughput(lambda t: detect_topics(t, "en", None), english),
            english,
        ),
    ]
    if DATASET.exists():
        real = [json.loads(line)["text"] for line in DATASET.read_text("utf-8").splitlines()]
        rows.append(("otklik-ru tonality (WB dev)", throughput(engine.score, real), real))
        rows.append(
            ("topics ru, given tonality (WB dev)", throughput(topics_given_tonality(real), real), real)
        )

    print("topics benchmark: one run, one machine; texts/s is the best of 5 passes")
    print(f"{'step':<38}{'texts':>7}{'mean chars':>12}{'texts/s':>10}{'µs/text':>9}{'vs VADER':>10}")
    for name, rate, texts in rows:
        mean = statistics.mean(map(len, texts))
        per_text = 1e6 / rate
        print(
            f"{name:<38}{len(texts):>7}{mean:>12.0f}{rate:>10.0f}{per_text:>9.1f}{rate / english_rate:>10.2f}"
        )
    print()
    print(f"{'load':<30}{'load ms':>10}{'heap MiB':>10}{'peak MiB':>10}")
    for name, load in LOADS.items():
        figures = load_figures(load)
        print(
            f"{name:<30}{figures['seconds'] * 1000:>10.1f}{figures['current'] / 2**20:>10.1f}"
            f"{figures['peak'] / 2**20:>10.1f}"
        )
    print(
        "\nload = import and build in a fresh interpreter, median of 5; heap = tracemalloc (a separate run)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
