"""`make bench`: moderation and PII masking speed beside VADER's, in one run.

Texts of similar length as in bench_tonality (its pools, its length draw, with a few texts that raise
each flag mixed in): VADER scoring English is the reference every other bench of otklik is read
against. When ../shared/datasets is present, real Wildberries review texts are timed too. The CPU an
item's whole enrichment takes, moderation and masking among its steps, is bench_enrichment's.
"""

from __future__ import annotations

import json
import random
import statistics

from tests.bench.bench_tonality import DATASET, ENGLISH, REPEATS, RUSSIAN, TEXTS, build_texts, throughput

# A few texts that raise each flag, mixed into the pool so the flagged paths are timed too.
FLAGGED = [
    "КУПИТЕ на сайте casino777.com!!!",
    "Продавец дебил, пишите в телегу @shop_msk",
    "х*й знает что прислали, бл@",
    "Отзыв за баллы, товар норм",
    "ывапролдж",
    "Звоните +7 912 345-67-89, Анна Петрова",
]


def main() -> int:
    from otklik.domain.moderation import moderate
    from otklik.domain.pii import mask_pii
    from otklik.domain.tonality import scoring

    lengths_source = random.Random(7)
    lengths = [int(lengths_source.lognormvariate(4.6, 0.6)) for _ in range(TEXTS)]
    russian = build_texts(RUSSIAN + FLAGGED, lengths, seed=1)
    english = build_texts(ENGLISH, lengths, seed=2)
    vader = scoring._vader()  # the very analyzer score() uses for English
    moderate("прогрев")  # word lists built and patterns compiled before timing
    mask_pii("прогрев")

    vader_rate = throughput(vader.polarity_scores, english)
    rows = [
        ("VADER, English (pool)", len(english), statistics.mean(map(len, english)), vader_rate),
        (
            "moderate, Russian (pool)",
            len(russian),
            statistics.mean(map(len, russian)),
            throughput(moderate, russian),
        ),
        (
            "mask_pii, Russian (pool)",
            len(russian),
            statistics.mean(map(len, russian)),
            throughput(mask_pii, russian),
        ),
    ]
    real: list[str] = []
    if DATASET.exists():
        real = [json.loads(line)["text"] for line in DATASET.read_text("utf-8").splitlines()]
        mean = statistics.mean(map(len, real))
        rows.append(("moderate, Russian (WB dev)", len(real), mean, throughput(moderate, real)))
        rows.append(("mask_pii, Russian (WB dev)", len(real), mean, throughput(mask_pii, real)))

    print("moderation benchmark: one run, one machine; texts/s is the best of", REPEATS, "passes")
    print(f"{'what':<30}{'texts':>7}{'mean chars':>12}{'texts/s':>10}{'vs VADER':>10}")
    for name, count, mean, rate in rows:
        print(f"{name:<30}{count:>7}{mean:>12.0f}{rate:>10.0f}{rate / vader_rate:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
