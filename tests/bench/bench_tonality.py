"""`make bench`: tonality speed, load time and memory, Russian engine against VADER, in one run.

Texts of similar length: both languages' texts are built the same way, by joining sentences of
a small hand-written review pool until each reaches a target length drawn from one shared list,
so both engines see the same length distribution. When ../shared/datasets is present, real
Wildberries review texts are timed too (Russian only: there is no English counterpart).
The Russian engine is timed alone (the lexicon) and with the shipped learned layer over it, in this
process (text by text, and 64 at a time through score_texts, as the command line takes them) and
through the command line (`otklik tonality score`, JSON lines in and out, its start-up
included), each against VADER on the English texts through the same path.
Load time and memory are measured in fresh interpreters, so nothing is cached from this one.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT.parent / "shared" / "datasets" / "wb_reviews_dev.jsonl"
REPEATS = 5
TEXTS = 2000
CLI_TEXTS = 10_000

RUSSIAN = [
    "Куртка пришла быстро, упакована хорошо.",
    "Качество ужасное, шов разошёлся через неделю!",
    "Размер подошёл, сидит отлично.",
    "Не рекомендую, деньги на ветер.",
    "Цвет немного отличается от фото, но в целом норм.",
    "Продавец вежливый, ответил на все вопросы)))",
    "Запах очень сильный, пришлось стирать два раза.",
    "Доставка задержалась на три дня, курьер не позвонил.",
    "За такую цену просто огонь, всем советую!",
    "Пришёл брак, оформила возврат.",
    "Ткань тонкая и колючая, носить неприятно.",
    "Очень довольна покупкой, закажу ещё.",
    "Не соответствует описанию, коробка мятая.",
    "Телефон работает, батарея держит день.",
    "Ожидала большего, так себе вещь.",
]
ENGLISH = [
    "The jacket arrived fast and was packed well.",
    "Awful quality, the seam split after a week!",
    "The size fits and it looks great on me.",
    "Do not recommend, a complete waste of money.",
    "The colour is a bit different from the photo but overall fine.",
    "The seller was polite and answered every question :)",
    "Very strong smell, had to wash it twice.",
    "Delivery was three days late and the courier never called.",
    "For this price it is simply amazing, I recommend it to everyone!",
    "It arrived broken, so I sent it back.",
    "Thin scratchy fabric, unpleasant to wear.",
    "Really happy with this purchase, will order again.",
    "Not as described, and the box was crushed.",
    "The phone works and the battery lasts a day.",
    "I expected more, a mediocre thing.",
]


def build_texts(pool: list[str], lengths: list[int], seed: int) -> list[str]:
    chooser = random.Random(seed)
    texts = []
    for target in lengths:
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < target:
            parts.append(chooser.choice(pool))
        texts.append(" ".join(parts))
    return texts


def one_by_one(score: Callable[[str], object], texts: list[str]) -> Callable[[], None]:
    """A pass scoring the texts one at a time."""

    def run() -> None:
        for text in texts:
            score(text)

    return run


def in_batches(
    score_many: Callable[[list[str]], object], texts: list[str], size: int = 64
) -> Callable[[], None]:
    """A pass scoring the texts `size` at a time (as the command line reads them)."""
    batches = [texts[start : start + size] for start in range(0, len(texts), size)]

    def run() -> None:
        for batch in batches:
            score_many(batch)

    return run


def throughputs(passes: list[tuple[Callable[[], None], int]]) -> list[float]:
    """Texts per second of each (pass, its number of texts): the best of REPEATS rounds, each round
    running every pass once, so that a busy spell of the machine falls on all of them alike."""
    best = [float("inf")] * len(passes)
    for _ in range(REPEATS):
        for index, (run, _) in enumerate(passes):
            started = time.perf_counter()
            run()
            best[index] = min(best[index], time.perf_counter() - started)
    return [count / seconds for (_, count), seconds in zip(passes, best, strict=True)]


CLI_ROUNDS = 5


def cli_rates(runs: list[tuple[list[str], tuple[str, ...]]]) -> list[float]:
    """Characters per second through `otklik tonality score` for each (texts, options): the whole
    command, start-up included, on the texts as JSON lines; the best of CLI_ROUNDS rounds, each round
    running every command once, so that a busy spell of the machine falls on all of them alike."""
    command = [str(Path(sys.executable).with_name("otklik")), "tonality", "score", "--text-only"]
    inputs = [
        "".join(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in texts).encode("utf-8")
        for texts, _ in runs
    ]
    best = [float("inf")] * len(runs)
    for _ in range(CLI_ROUNDS):
        for index, ((_, options), lines) in enumerate(zip(runs, inputs, strict=True)):
            started = time.perf_counter()
            subprocess.run([*command, *options], input=lines, capture_output=True, check=True, cwd=ROOT)
            best[index] = min(best[index], time.perf_counter() - started)
    return [sum(map(len, texts)) / seconds for (texts, _), seconds in zip(runs, best, strict=True)]


# Time and memory are measured in separate interpreters: tracemalloc slows what it watches. What
# {setup} does is not counted: the learned layer's own load is timed after the engine's imports.
LOAD_PROBE = """
import json, time, tracemalloc
{setup}
if {trace}:
    tracemalloc.start()
started = time.perf_counter()
{load}
seconds = time.perf_counter() - started
current, peak = tracemalloc.get_traced_memory()
print(json.dumps({{"seconds": seconds, "current": current, "peak": peak}}))
"""
LOADS = {
    "VADER": ("", "import vaderSentiment.vaderSentiment as vader; vader.SentimentIntensityAnalyzer()"),
    # The engine itself: its modules, the generated table, the engine (what a scorer needs).
    "otklik-ru": (
        "",
        "from otklik.domain.tonality.lexicon_table import shipped_lexicon; "
        "from otklik.domain.tonality.russian import RussianEngine; RussianEngine(shipped_lexicon(), dict)",
    ),
    # The shipped learned layer's file read and made a model, its module imported already.
    "learned layer (ru.otm)": (
        "from otklik.domain.tonality import learned",
        "learned.shipped_model()",
    ),
    # Everything score() needs on a cold start, pydantic models, VADER's module and the layer included.
    "otklik.domain.tonality.score, cold": (
        "",
        "from otklik.domain.tonality import russian_engine; russian_engine(); "
        "from otklik.domain.tonality.learned import shipped_model; shipped_model()",
    ),
}


def _probe(setup: str, load: str, trace: bool) -> dict[str, float]:
    answer = subprocess.run(
        [sys.executable, "-c", LOAD_PROBE.format(setup=setup, load=load, trace=trace)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures: dict[str, float] = json.loads(answer.stdout)
    return figures


def load_figures(setup: str, load: str) -> dict[str, float]:
    """Median load seconds of 5 untraced runs of the code load, and heap figures of one traced run."""
    seconds = statistics.median(_probe(setup, load, trace=False)["seconds"] for _ in range(5))
    memory = _probe(setup, load, trace=True)
    return {**memory, "seconds": seconds}


def main() -> int:
    from otklik.domain import tonality
    from otklik.domain.tonality import scoring

    lengths_source = random.Random(7)
    lengths = [int(lengths_source.lognormvariate(4.6, 0.6)) for _ in range(TEXTS)]
    russian = build_texts(RUSSIAN, lengths, seed=1)
    english = build_texts(ENGLISH, lengths, seed=2)
    engine = tonality.russian_engine()
    vader = scoring._vader()  # the very analyzer score() uses for English

    def blended(text: str) -> object:
        return scoring.score_text(text, "ru")

    passes = [
        ("VADER, English (pool)", english, one_by_one(vader.polarity_scores, english)),
        ("otklik-ru, Russian (pool)", russian, one_by_one(engine.score, russian)),
        ("otklik-ru+learned (pool)", russian, one_by_one(blended, russian)),
        ("  the same, 64 at a time", russian, in_batches(scoring.score_texts, russian)),
    ]
    if DATASET.exists():
        real = [json.loads(line)["text"] for line in DATASET.read_text("utf-8").splitlines()]
        passes.append(("otklik-ru, Russian (WB dev)", real, one_by_one(engine.score, real)))
        passes.append(("otklik-ru+learned (WB dev)", real, one_by_one(blended, real)))
        passes.append(("  the same, 64 at a time", real, in_batches(scoring.score_texts, real)))
    rates = throughputs([(run, len(texts)) for _, texts, run in passes])
    rows = [(name, texts, rate) for (name, texts, _), rate in zip(passes, rates, strict=True)]
    english_rate = rates[0]

    print(f"tonality benchmark: one run, one machine; texts/s is the best of {REPEATS} rounds of every pass")
    english_chars = sum(map(len, english)) / len(english) * english_rate
    print(f"{'engine':<30}{'texts':>7}{'mean chars':>12}{'texts/s':>10}{'chars/s':>10}{'vs VADER':>10}")
    for name, texts, rate in rows:
        chars = sum(map(len, texts)) / len(texts) * rate
        print(
            f"{name:<30}{len(texts):>7}{sum(map(len, texts)) / len(texts):>12.0f}{rate:>10.0f}{chars:>10.0f}"
            f"{chars / english_chars:>10.2f}"
        )
    print()
    # Through the command line, on CLI_TEXTS texts a run, as in a real batch: the run's start-up (the
    # interpreter, the command's modules, each engine's load below) is about a fifth of it.
    cli_lengths = [int(lengths_source.lognormvariate(4.6, 0.6)) for _ in range(CLI_TEXTS)]
    cli_english = build_texts(ENGLISH, cli_lengths, seed=3)
    cli_russian = build_texts(RUSSIAN, cli_lengths, seed=4)
    print(
        "through the command line (otklik tonality score --text-only, start-up included,"
        f" best of {CLI_ROUNDS} rounds)"
    )
    print(f"{'engine':<30}{'texts':>7}{'chars/s':>10}{'vs VADER':>10}")
    cli_runs = (
        ("VADER, English (pool)", cli_english, ()),
        ("otklik-ru, Russian (pool)", cli_russian, ("--model", "lexicon")),
        ("otklik-ru+learned (pool)", cli_russian, ()),
    )
    rates = cli_rates([(texts, options) for _, texts, options in cli_runs])
    for (name, texts, _), rate in zip(cli_runs, rates, strict=True):
        print(f"{name:<30}{len(texts):>7}{rate:>10.0f}{rate / rates[0]:>10.2f}")
    print()
    print(f"{'load':<30}{'load ms':>10}{'heap MiB':>10}{'peak MiB':>10}")
    for name, (setup, load) in LOADS.items():
        figures = load_figures(setup, load)
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
